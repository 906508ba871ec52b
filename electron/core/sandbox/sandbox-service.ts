import type { SandboxStatus } from '../../../shared/types/sandbox.js';
import { open } from 'node:fs/promises';
import { HoplightError, inputError } from '../errors.js';

const MAX_SHOWN = 2 * 1024 * 1024;
import { startSandbox, type RunningSandbox, type SandboxOptions } from './sandbox.js';

/** The one sandbox of a running app: started on demand, its generated password held here and never shown. */
export class SandboxService {
  private running?: RunningSandbox;
  /** The messages stored this run, by id: the app opens them by id, never by a path it sends. */
  private readonly stored = new Map<string, string>();
  private readonly options: Pick<SandboxOptions, 'dataDir' | 'onStored'>;

  constructor(options: Pick<SandboxOptions, 'dataDir' | 'onStored'>) {
    this.options = {
      ...options,
      onStored: (message, files) => {
        this.stored.set(message.id, files.eml);
        options.onStored?.(message, files);
      },
    };
  }

  /** A stored message's raw text, bounded; EINPUT for an id this run did not store. */
  async read(id: string): Promise<{ id: string; raw: string; truncated: boolean }> {
    const path = this.stored.get(id);
    if (!path) throw inputError('id', 'the sandbox received no message with this id in this run.');
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(MAX_SHOWN + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return { id, raw: buffer.subarray(0, Math.min(bytesRead, MAX_SHOWN)).toString('utf8'), truncated: bytesRead > MAX_SHOWN };
    } finally {
      await handle.close();
    }
  }

  /** What the app may show: where it listens and its CA, never its password. */
  status(): SandboxStatus {
    const s = this.running;
    return s ? { running: true, host: s.host, starttlsPort: s.starttlsPort, implicitPort: s.implicitPort, user: s.user, caFile: s.caFile, messagesDir: s.messagesDir } : { running: false };
  }

  /** Starts the sandbox (once); a port in use is ECONNECTION with what to do. */
  async start(ports: { starttlsPort?: number; implicitPort?: number } = {}): Promise<SandboxStatus> {
    if (this.running) return this.status();
    const chosen = ports.starttlsPort !== undefined || ports.implicitPort !== undefined;
    const start = (p: { starttlsPort?: number; implicitPort?: number }) => startSandbox({ ...this.options, ...p });
    this.running = await start(ports).catch(async (error: NodeJS.ErrnoException) => {
      // The usual ports taken (another sandbox, a CLI one): the app knows where its own listens, so any free port will do.
      if (error.code === 'EADDRINUSE' && !chosen) return start({ starttlsPort: 0, implicitPort: 0 });
      throw error;
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') throw new HoplightError('ECONNECTION', `A sandbox port is already in use (${error.message}).`, { hint: 'Stop the other sandbox or choose other ports.' });
      throw error;
    });
    return this.status();
  }

  /** Stops it. */
  async stop(): Promise<SandboxStatus> {
    const running = this.running;
    this.running = undefined;
    await running?.server.close();
    return this.status();
  }

  /** The generated password, for a send main makes on the user's behalf; ECONFIG when the sandbox is not running. */
  password(): string {
    if (!this.running) throw new HoplightError('ECONFIG', 'The sandbox is not running, so its password is not available.', { hint: 'Start the sandbox first.' });
    return this.running.password;
  }
}
