import { parseArgs } from 'node:util';
import { dataDir } from '../core/data-dir.js';
import { HoplightError, inputError } from '../core/errors.js';
import { startSandbox } from '../core/sandbox/sandbox.js';
import { terminalStyle } from './terminal.js';

/** `hoplight sandbox --help`. */
export const SANDBOX_USAGE = `Usage: hoplight sandbox [--starttls-port N] [--implicit-port N]

Starts a local submission server on 127.0.0.1 for trying Hoplight: STARTTLS and implicit-TLS ports, a local CA
kept in the data folder, AUTH with a password generated for this run, and REQUIRETLS. Accepted messages are
stored as .eml files with their envelope. Ctrl+C stops it.`;

function portOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw inputError(name, `--${name} must be a port number (0 picks a free one).`);
  return port;
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Runs `hoplight sandbox` until interrupted; returns the exit code. */
export async function runSandbox(args: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: [...args], strict: true, allowPositionals: false, options: { 'starttls-port': { type: 'string' }, 'implicit-port': { type: 'string' } } }));
  } catch (error) {
    throw new HoplightError('EINPUT', `${(error as Error).message}\n\n${SANDBOX_USAGE}`);
  }
  const style = terminalStyle();
  const starttlsPort = portOption('starttls-port', values['starttls-port']);
  const implicitPort = portOption('implicit-port', values['implicit-port']);
  let sandbox;
  try {
    sandbox = await startSandbox({
      dataDir: dataDir(),
      ...(starttlsPort !== undefined ? { starttlsPort } : {}),
      ...(implicitPort !== undefined ? { implicitPort } : {}),
      onStored: (message, files) => {
        const requireTls = message.envelope.requireTls ? style.good('REQUIRETLS') : 'no REQUIRETLS';
        process.stdout.write(
          `${new Date().toLocaleTimeString()} received ${message.id}: ${message.envelope.mailFrom} → ${message.envelope.rcptTo.join(', ')}; ${message.session.tlsProtocol ?? 'no TLS'}; ${requireTls}\n  ${files.eml}\n  ${files.envelope}\n`,
        );
      },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new HoplightError('ECONNECTION', `A port is already in use (${(error as Error).message}). Is another sandbox running? Choose other ports with --starttls-port and --implicit-port.`);
    }
    throw error;
  }
  const q = shellQuote;
  process.stdout.write(
    [
      style.bold('Hoplight sandbox is running. Ctrl+C stops it.'),
      `  STARTTLS:      ${sandbox.host}:${sandbox.starttlsPort}`,
      `  Implicit TLS:  ${sandbox.host}:${sandbox.implicitPort}`,
      `  User:          ${sandbox.user}`,
      `  Password:      ${sandbox.password}   (made for this run; it ends when the sandbox stops)`,
      `  CA to trust:   ${sandbox.caFile}`,
      `  Messages:      ${sandbox.messagesDir}`,
      '',
      'Send a first message with REQUIRETLS (in another terminal, from this folder):',
      '',
      `  printf '%s' ${q(sandbox.password)} | npx hoplight send --host ${sandbox.host} --port ${sandbox.starttlsPort} --security starttls \\`,
      `    --user ${sandbox.user} --password-stdin --ca ${q(sandbox.caFile)} \\`,
      `    --from you@example.test --to friend@example.test --subject 'Hello from Hoplight' --text 'My first message' \\`,
      `    --require-tls --json`,
      '',
    ].join('\n') + '\n',
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sandbox.server.close();
  process.stdout.write('Sandbox stopped.\n');
  return 0;
}
