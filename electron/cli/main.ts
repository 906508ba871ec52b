import { toErrorData } from '../core/errors.js';
import { EXIT, exitCodeFor } from '../core/exit-codes.js';
import { visible } from '../core/report/visible.js';
import { cliHint } from './hints.js';

const USAGE = `Hoplight: mail submission with transport security you can see and insist on.

Usage:
  hoplight send …       submit a message and report how hop 1 was protected (hoplight send --help)
  hoplight accounts …   add, discover, list, show, test and remove accounts (hoplight accounts --help)
  hoplight outbox …     list, retry and flush messages waiting to be sent (hoplight outbox --help)
  hoplight check …      check a mail server's TLS posture (hoplight check --help)
  hoplight analyze …    read a delivered copy's path, hop by hop (hoplight analyze --help)
  hoplight sandbox …    run a local submission server to try Hoplight (hoplight sandbox --help)

Exit codes: 0 accepted; 2 usage or bad input; 3 refused before sending (a security requirement could not be
met, nothing was transmitted); 4 the server rejected the message; 5 connection, TLS or authentication failure.`;

/** Entry point of the `hoplight` command. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const help = rest.includes('--help') || rest.includes('-h');
  // Each command's code (and the packages it needs) is loaded when that command runs, so \`hoplight send\` does
  // not pay for the checker's, the analyzer's or the sandbox's.
  try {
    switch (command) {
      case 'send': {
        const { SEND_USAGE, runSend } = await import('./send-command.js');
        if (help) return print(SEND_USAGE);
        return await runSend(rest);
      }
      case 'accounts': {
        const { ACCOUNTS_USAGE, runAccounts } = await import('./accounts-command.js');
        if (help) return print(ACCOUNTS_USAGE);
        return await runAccounts(rest);
      }
      case 'outbox': {
        const { OUTBOX_USAGE, runOutbox } = await import('./outbox-command.js');
        if (help) return print(OUTBOX_USAGE);
        return await runOutbox(rest);
      }
      case 'check': {
        const { CHECK_USAGE, runCheck } = await import('./check-command.js');
        if (help) return print(CHECK_USAGE);
        return await runCheck(rest);
      }
      case 'analyze': {
        const { ANALYZE_USAGE, runAnalyze } = await import('./analyze-command.js');
        if (help) return print(ANALYZE_USAGE);
        return await runAnalyze(rest);
      }
      case 'sandbox': {
        const { SANDBOX_USAGE, runSandbox } = await import('./sandbox-command.js');
        if (help) return print(SANDBOX_USAGE);
        return await runSandbox(rest);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        return print(USAGE);
      default:
        process.stderr.write(`Unknown command "${command}".\n\n${USAGE}\n`);
        return EXIT.badInput;
    }
  } catch (error) {
    const data = toErrorData(error);
    if (data.code === 'EINTERNAL') console.error(error);
    // An error message can quote a server or a file: shown only as visible text, line by line (a usage text
    // after a bad flag keeps its lines; every other control character is escaped).
    const hint = cliHint(data);
    const lines = (text: string): string => text.split('\n').map(visible).join('\n');
    process.stderr.write(`hoplight: ${lines(data.message)}\n${hint ? `${lines(hint)}\n` : ''}`);
    return exitCodeFor(data);
  }
}

function print(text: string): number {
  process.stdout.write(`${text}\n`);
  return EXIT.accepted;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = EXIT.internal;
  },
);
