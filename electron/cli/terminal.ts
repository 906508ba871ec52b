import { inputError } from '../core/errors.js';
import type { RenderStyle } from '../core/report/render-submission.js';

/** Colours when stdout is a terminal and NO_COLOR is not set (https://no-color.org). */
export function terminalStyle(stream: NodeJS.WriteStream = process.stdout): RenderStyle {
  const on = stream.isTTY === true && !process.env.NO_COLOR;
  const wrap = (code: string) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { bold: wrap('1'), good: wrap('32'), bad: wrap('31'), dim: wrap('2') };
}

/** A password read from standard input is at most this long: more is not a password (e.g. `yes | hoplight …`). */
export const MAX_PASSWORD_BYTES = 4096;

/** Reads the password from standard input: all of it, minus one trailing newline, at most MAX_PASSWORD_BYTES. Prompts without echo on a terminal. */
export async function readPasswordFromStdin(stdin: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin): Promise<string> {
  if (stdin.isTTY) return promptHidden('Password: ');
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stdin) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    // One newline may follow the password; anything longer stops reading at once.
    if (length > MAX_PASSWORD_BYTES + 2) {
      (stdin as NodeJS.ReadStream).destroy?.();
      throw inputError('password', `standard input holds more than ${MAX_PASSWORD_BYTES} bytes; give only the password.`);
    }
  }
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw inputError('password', `is longer than ${MAX_PASSWORD_BYTES} bytes.`);
  return password;
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    let typed = '';
    stdin.setRawMode(true);
    stdin.resume();
    const onData = (data: Buffer): void => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') {
          finish();
          return reject(new Error('cancelled'));
        }
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    const finish = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      resolve(typed);
    };
    stdin.on('data', onData);
  });
}
