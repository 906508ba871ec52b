import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** A real MTA started by a test: its loopback submission ports, its one user, and its local maildir. */
export interface MtaPeer {
  readonly submissionPort: number;
  readonly implicitPort: number;
  readonly user: string;
  readonly password: string;
  /** Messages delivered into the peer's local maildir so far (raw). */
  delivered(): string[];
  /** What the peer logged. */
  log(): string;
  stop(): Promise<void>;
}

/** True under CI, where a missing peer is a failure, not a skip. */
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/**
 * Decides whether a suite that needs a real peer can run. Outside CI a missing peer skips the suite loudly;
 * under CI=true it fails the run, so a green CI always means the peer was really exercised.
 */
export function peerAvailable(name: string, present: boolean, howToInstall: string): boolean {
  if (present) return true;
  const message = `${name} is not installed here (${howToInstall}); its tests cannot run.`;
  if (IN_CI) throw new Error(`CI=true: ${message}`);
  process.stderr.write(`\n*** SKIPPED: ${message}\n`);
  return false;
}

/** True when a command exists on PATH or at the given path. */
export function commandExists(command: string): boolean {
  if (command.includes('/')) return existsSync(command);
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** A free TCP port on 127.0.0.1 (for peers that cannot listen on port 0 and report back). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Waits until a TCP port on 127.0.0.1 accepts connections. */
export async function waitForPort(port: number, timeoutMs = 15_000, host = '127.0.0.1'): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls until `check` returns a value (e.g. a delivered file appears). */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
