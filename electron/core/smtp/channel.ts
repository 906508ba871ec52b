import type { Socket } from 'node:net';
import type { SmtpReplyData } from '../../../shared/types/errors.js';
import type { TranscriptEntry } from '../../../shared/types/report.js';
import { HoplightError } from '../errors.js';
import { MAX_REPLY_LINE, MAX_REPLY_LINES, buildReply, parseReplyLine, type ReplyLine } from './reply.js';

interface Waiter {
  readonly resolve: (reply: SmtpReplyData) => void;
  readonly reject: (error: HoplightError) => void;
  readonly timer: NodeJS.Timeout;
}

/** A command as written and as shown in the transcript (e.g. with its AUTH payload redacted). */
export interface Command {
  readonly wire: string;
  readonly shown?: string;
}

/**
 * The line layer of one SMTP session: writes commands, reads and parses replies in order, keeps the transcript.
 * It never interprets replies; the protocol steps in session-steps.ts do. Replies are queued, so pipelined
 * commands (RFC 2920) are answered in the order they were sent.
 */
export class SmtpChannel {
  private socket: Socket;
  private partial: Buffer = Buffer.alloc(0);
  private replyLines: ReplyLine[] = [];
  private readonly replies: SmtpReplyData[] = [];
  private readonly waiters: Waiter[] = [];
  private failure?: HoplightError;
  private readonly entries: TranscriptEntry[] = [];
  private secrets: readonly string[];
  private ended = false;

  constructor(
    socket: Socket,
    private readonly startedAt: number,
    secrets: readonly string[] = [],
  ) {
    this.socket = socket;
    this.secrets = secrets.filter((s) => s.length >= 3);
    this.attach(socket);
  }

  /** The transcript so far, redacted, without message content. */
  get transcript(): readonly TranscriptEntry[] {
    return this.entries;
  }

  /** The socket currently carrying the session (plain or TLS). */
  get currentSocket(): Socket {
    return this.socket;
  }

  /** Milliseconds since the session began. */
  elapsed(): number {
    return Math.round(performance.now() - this.startedAt);
  }

  /** Records something that happened on the connection, for the transcript. */
  note(line: string): void {
    this.entries.push({ atMs: this.elapsed(), from: 'info', line: this.redact(line) });
  }

  /** Writes the commands in one write: one command normally, a pipelined group (RFC 2920) when several. */
  send(commands: readonly Command[]): void {
    if (this.failure) throw this.failure;
    const wire = commands.map((c) => `${c.wire}\r\n`).join('');
    for (const c of commands) {
      this.entries.push({ atMs: this.elapsed(), from: 'client', line: this.redact(c.shown ?? c.wire) });
    }
    this.socket.write(wire, 'utf8');
  }

  /** Writes message content (already dot-stuffed and terminated), honouring back-pressure; not transcribed. */
  async sendContent(content: Buffer, chunkSize = 64 * 1024): Promise<void> {
    for (let offset = 0; offset < content.length; offset += chunkSize) {
      if (this.failure) throw this.failure;
      const more = this.socket.write(content.subarray(offset, offset + chunkSize));
      if (!more) await this.drained();
    }
    this.entries.push({ atMs: this.elapsed(), from: 'client', line: `[message content: ${content.length} bytes, not recorded]` });
  }

  /** Reads the next complete reply, failing with ETIMEDOUT after `timeoutMs`. */
  readReply(timeoutMs: number, waitingFor: string): Promise<SmtpReplyData> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new HoplightError('ETIMEDOUT', `The server did not answer ${waitingFor} within ${Math.round(timeoutMs / 1000)} s.`));
        this.socket.destroy();
      }, timeoutMs);
      this.waiters.push({ resolve, reject, timer });
    });
  }

  /** True when the server sent bytes we have not consumed (used to detect STARTTLS response injection). */
  hasUnreadInput(): boolean {
    return this.partial.length > 0 || this.replyLines.length > 0 || this.replies.length > 0;
  }

  /** Stops listening to the current socket and hands it over (for the TLS upgrade). */
  release(): Socket {
    this.detach(this.socket);
    return this.socket;
  }

  /** Continues the session on a new socket (the TLS socket after STARTTLS). */
  adopt(socket: Socket): void {
    this.socket = socket;
    this.attach(socket);
  }

  /** Adds a secret to redact from every later transcript line and server echo. */
  addSecret(secret: string): void {
    if (secret.length >= 3) this.secrets = [...this.secrets, secret];
  }

  /** True while the session can still carry commands (no failure, not closed or aborted). */
  get usable(): boolean {
    return !this.failure && !this.ended && !this.socket.destroyed;
  }

  /** Ends the session: half-closes politely, then destroys if the peer lingers. */
  close(): void {
    this.ended = true;
    this.detach(this.socket);
    this.socket.end();
    const socket = this.socket;
    setTimeout(() => socket.destroy(), 2000).unref();
  }

  /** Tears the connection down at once (e.g. to abandon a transaction in the DATA phase). */
  abort(): void {
    this.ended = true;
    this.detach(this.socket);
    this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    let data = this.partial.length > 0 ? Buffer.concat([this.partial, chunk]) : chunk;
    let newline = data.indexOf(0x0a);
    while (newline !== -1) {
      const end = newline > 0 && data[newline - 1] === 0x0d ? newline - 1 : newline;
      this.onLine(data.subarray(0, end).toString('utf8'));
      if (this.failure) return;
      data = data.subarray(newline + 1);
      newline = data.indexOf(0x0a);
    }
    if (data.length > MAX_REPLY_LINE) {
      this.fail(new HoplightError('ECONNECTION', 'The server sent a line longer than any SMTP reply; this is not an SMTP server speaking.'));
      this.socket.destroy();
      return;
    }
    this.partial = Buffer.from(data);
  };

  private onLine(raw: string): void {
    if (raw.length > MAX_REPLY_LINE) {
      this.fail(new HoplightError('ECONNECTION', 'The server sent an overlong reply line.'));
      this.socket.destroy();
      return;
    }
    this.entries.push({ atMs: this.elapsed(), from: 'server', line: this.redact(raw) });
    const parsed = parseReplyLine(raw);
    const previous = this.replyLines[0];
    if (!parsed || (previous && previous.code !== parsed.code) || this.replyLines.length >= MAX_REPLY_LINES) {
      this.fail(new HoplightError('ECONNECTION', `The server sent something that is not an SMTP reply: "${this.redact(raw).slice(0, 120)}"`));
      this.socket.destroy();
      return;
    }
    // Replies are kept redacted too: a server that echoes credentials must not get them into an error message.
    this.replyLines.push({ ...parsed, text: this.redact(parsed.text) });
    if (!parsed.last) return;
    const reply = buildReply(this.replyLines);
    this.replyLines = [];
    const waiter = this.waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(reply);
    } else {
      this.replies.push(reply);
    }
  }

  private readonly onError = (error: Error & { code?: string }): void => {
    const timedOut = error.code === 'ETIMEDOUT';
    this.fail(new HoplightError(timedOut ? 'ETIMEDOUT' : 'ECONNECTION', `Connection error: ${error.message}`, { cause: error }));
  };

  private readonly onClose = (): void => {
    this.fail(new HoplightError('ECONNECTION', 'The server closed the connection.'));
  };

  private fail(error: HoplightError): void {
    if (this.failure) return;
    this.failure = error;
    this.note(error.message);
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  private drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        if (this.failure) reject(this.failure);
        else resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  private attach(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  private detach(socket: Socket): void {
    socket.off('data', this.onData);
    socket.off('error', this.onError);
    socket.off('close', this.onClose);
    // Keep a listener so a late error on an abandoned socket never crashes the process.
    socket.on('error', () => undefined);
  }

  private redact(line: string): string {
    let out = line;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join('<redacted>');
    }
    return out;
  }
}
