import type { SandboxStatus } from '../../../shared/types/sandbox.js';
import { HoplightError } from '../errors.js';
import { startSandbox, type RunningSandbox, type SandboxOptions } from './sandbox.js';

/** The one sandbox of a running app: started on demand, its generated password held here and never shown. */
export class SandboxService {
  private running?: RunningSandbox;

  constructor(private readonly options: Pick<SandboxOptions, 'dataDir' | 'onStored'>) {}

  /** What the app may show: where it listens and its CA, never its password. */
  status(): SandboxStatus {
    const s = this.running;
    return s ? { running: true, host: s.host, starttlsPort: s.starttlsPort, implicitPort: s.implicitPort, user: s.user, caFile: s.caFile, messagesDir: s.messagesDir } : { running: false };
  }

  /** Starts the sandbox (once); a port in use is ECONNECTION with what to do. */
  async start(ports: { starttlsPort?: number; implicitPort?: number } = {}): Promise<SandboxStatus> {
    if (this.running) return this.status();
    this.running = await startSandbox({ ...this.options, ...ports }).catch((error: NodeJS.ErrnoException) => {
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
