import type { Socket } from 'node:net';
import type { SmtpReplyData } from '../../../shared/types/errors.js';
import type { TranscriptEntry } from '../../../shared/types/report.js';
import { HoplightError } from '../errors.js';
import { MAX_REPLY_LINE, MAX_REPLY_LINES, buildReply, parseReplyLine, type ReplyLine } from './reply.js';

/** What is kept of a reply line to AUTH: its enhanced status code, never its text. */
function withheld(text: string): string {
  const status = /^([245]\.\d{1,3}\.\d{1,3})(?:\s|$)/.exec(text)?.[1];
  return `${status ? `${status} ` : ''}<text withheld: reply to AUTH>`;
}

/** Replies beyond the commands written (plus the greeting) that are tolerated before the session is abandoned. */
const UNSOLICITED_REPLY_SLACK = 4;
/** The transcript keeps at most this many entries and characters; past that, one line says it was cut. */
const MAX_TRANSCRIPT_ENTRIES = 2000;
const MAX_TRANSCRIPT_CHARS = 512 * 1024;
/** Base64 runs at least this long are checked against the AUTH payload's encodings (an echo split across lines). */
const MIN_FRAGMENT = 6;

interface Waiter {
  readonly resolve: (reply: SmtpReplyData) => void;
  readonly reject: (error: HoplightError) => void;
  readonly timer: NodeJS.Timeout;
}

/** A command as written and as shown in the transcript (e.g. with its AUTH payload redacted). */
export interface Command {
  readonly wire: string;
  readonly shown?: string;
  /** Its reply answers AUTH: only code and status are kept (for AUTH pipelined with other commands). */
  readonly secretReply?: boolean;
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
  /** Secrets of one or two characters: redacted where they stand alone, not inside every word. */
  private shortSecrets: readonly string[] = [];
  /** Encodings of the AUTH payload: any long-enough run of a server line found inside one of them is redacted. */
  private encodedSecrets: readonly string[] = [];
  private ended = false;
  /** Replies the server owes: the greeting plus one per command line written. */
  private expectedReplies = 1;
  private receivedReplies = 0;
  private transcriptChars = 0;
  private bytesReceived = 0;
  private readonly closedListeners: (() => void)[] = [];
  private transcriptCut = false;
  /** While set, server replies are answers to AUTH: their text is never recorded (a server may echo credentials). */
  private authWindow = false;
  /** Ordinals of the replies (1 = the greeting) that answer AUTH, when AUTH was pipelined with other commands. */
  private readonly secretReplies = new Set<number>();
  /** Something was written since the last reply was taken: the next reply taken ends a round trip. */
  private wroteSinceRead = true;
  private turns = 0;
  /** How long a write may wait for the peer to read (back-pressure) before the session fails. */
  writeTimeoutMs = 60_000;

  constructor(
    socket: Socket,
    private readonly startedAt: number,
    secrets: readonly string[] = [],
  ) {
    this.socket = socket;
    this.secrets = secrets.filter((s) => s.length >= 3);
    this.shortSecrets = secrets.filter((s) => s.length > 0 && s.length < 3);
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
    this.record('info', line);
  }

  /** Appends to the transcript, redacted, within its bounds. */
  private record(from: TranscriptEntry['from'], line: string): void {
    if (this.transcriptCut) return;
    const shown = this.redact(line);
    if (this.entries.length >= MAX_TRANSCRIPT_ENTRIES || this.transcriptChars + shown.length > MAX_TRANSCRIPT_CHARS) {
      this.transcriptCut = true;
      this.entries.push({ atMs: this.elapsed(), from: 'info', line: '[transcript cut here: it reached its size limit]' });
      return;
    }
    this.transcriptChars += shown.length;
    this.entries.push({ atMs: this.elapsed(), from, line: shown });
  }

  /**
   * Marks the replies that follow as answers to AUTH (true) or not (false). Their text is withheld from the
   * transcript, from replies handed to callers and so from every report and error: only code and status remain.
   */
  setAuthWindow(open: boolean): void {
    this.authWindow = open;
  }

  /** Calls `listener` once the session has failed or ended (to clear timers that watch it). */
  onClosed(listener: () => void): void {
    this.closedListeners.push(listener);
  }

  /** Fails the session now (e.g. an overall deadline) and tears the connection down. */
  failWith(error: HoplightError): void {
    this.fail(error);
    this.socket.destroy();
  }

  /** Writes the commands in one write: one command normally, a pipelined group (RFC 2920) when several. */
  send(commands: readonly Command[]): void {
    if (this.failure) throw this.failure;
    const wire = commands.map((c) => `${c.wire}\r\n`).join('');
    commands.forEach((c, i) => {
      this.record('client', c.shown ?? c.wire);
      if (c.secretReply) this.secretReplies.add(this.expectedReplies + i + 1);
    });
    this.expectedReplies += commands.length;
    this.wroteSinceRead = true;
    this.socket.write(wire, 'utf8');
  }

  /**
   * Streams message content: each chunk of `source` through `transform` (dot-stuffing for DATA, nothing for
   * BDAT), written as it comes with back-pressure (the source is read only as fast as the server takes it), then
   * `end`. `copy` sees each chunk of the untransformed content; `release` gets each chunk back once the socket no
   * longer needs it (so its buffer can be reused). The content must be exactly `expectedLength` bytes: a byte
   * more is never written, a byte less never ended. If the source fails or the length is wrong, the connection is
   * torn down at once, before the end of the data, so the server discards the transaction (RFC 5321 §4.1.1.4,
   * RFC 3030 §3). Returns the number of content bytes sent.
   */
  async sendStream(
    source: AsyncIterable<Buffer>,
    options: {
      /** A command written in the same flight, just before the content (`BDAT n LAST`). */
      command?: Command;
      transform?: (chunk: Buffer) => Buffer;
      end?: () => Buffer;
      copy?: (chunk: Buffer) => void;
      release?: (chunk: Buffer) => void;
      expectedLength: number;
    },
  ): Promise<number> {
    const { command, transform, end, copy, release, expectedLength } = options;
    let total = 0;
    const wrongLength = (): HoplightError =>
      new HoplightError('EINTERNAL', `Internal error in Hoplight: the message was measured at ${expectedLength} bytes but ${total} were composed; it was abandoned before its end, so nothing was delivered.`);
    // Corked between waits, so a small message (and its command, and its end) leaves in one write, not several
    // segments; a large one is flushed whenever the socket has enough.
    const socket = this.socket;
    let corked = false;
    const cork = (): void => {
      if (!corked) socket.cork();
      corked = true;
    };
    const uncork = (): void => {
      if (corked) socket.uncork();
      corked = false;
    };
    try {
      cork();
      if (command) this.send([command]);
      for await (const chunk of source) {
        if (this.failure) throw this.failure;
        total += chunk.length;
        if (total > expectedLength) throw wrongLength();
        copy?.(chunk);
        const out = transform ? transform(chunk) : chunk;
        this.wroteSinceRead = true;
        if (!socket.write(out, release ? () => release(chunk) : undefined)) {
          uncork();
          await this.drained();
          cork();
        }
      }
      if (this.failure) throw this.failure;
      if (total !== expectedLength) throw wrongLength();
      const last = end?.();
      if (last && last.length > 0) socket.write(last);
      uncork();
      if (socket.writableNeedDrain) await this.drained();
    } catch (error) {
      uncork();
      this.abort();
      throw error;
    }
    this.record('client', `[message content: ${total} bytes, not recorded]`);
    return total;
  }

  /** Reads the next complete reply, failing with ETIMEDOUT after `timeoutMs`. */
  readReply(timeoutMs: number, waitingFor: string): Promise<SmtpReplyData> {
    // Each reply taken after a write ends one round trip: pipelined replies taken in a row count once.
    if (this.wroteSinceRead) this.turns += 1;
    this.wroteSinceRead = false;
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

  /** True once the server has sent any byte on this session (a silent server and a slow one are told apart). */
  get receivedAnything(): boolean {
    return this.bytesReceived > 0;
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
    // The handshake's last flight went out: the reply that follows (implicit TLS's greeting) is a new round trip.
    this.wroteSinceRead = true;
  }

  /** The SMTP round trips of this session so far: each wait for a reply after writing (the TCP and TLS handshakes not included). */
  get roundTrips(): number {
    return this.turns;
  }

  /** Adds a secret to redact from every later transcript line and server echo. */
  addSecret(secret: string): void {
    if (secret.length >= 3) this.secrets = [...this.secrets, secret];
    else if (secret.length > 0) this.shortSecrets = [...this.shortSecrets, secret];
  }

  /** Adds an encoding of the AUTH payload (base64 of the token, of the user, of the password): fragments of it are redacted too. */
  addEncodedSecret(encoded: string): void {
    this.addSecret(encoded);
    if (encoded.length >= MIN_FRAGMENT) this.encodedSecrets = [...this.encodedSecrets, encoded];
  }

  /** True while the session can still carry commands (no failure, not closed or aborted). */
  get usable(): boolean {
    return !this.failure && !this.ended && !this.socket.destroyed;
  }

  /** Ends the session: half-closes politely, then destroys if the peer lingers. */
  close(): void {
    this.ended = true;
    for (const listener of this.closedListeners.splice(0)) listener();
    this.detach(this.socket);
    this.socket.end();
    const socket = this.socket;
    setTimeout(() => socket.destroy(), 2000).unref();
  }

  /** Tears the connection down at once (e.g. to abandon a transaction in the DATA phase). */
  abort(): void {
    this.ended = true;
    for (const listener of this.closedListeners.splice(0)) listener();
    this.detach(this.socket);
    this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    this.bytesReceived += chunk.length;
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
    const parsed = parseReplyLine(raw);
    // Replies to AUTH keep only their code and enhanced status: whatever the server says there is never recorded.
    const secret = this.authWindow || this.secretReplies.has(this.receivedReplies + 1);
    const text = parsed && secret ? withheld(parsed.text) : undefined;
    this.record('server', parsed && text !== undefined ? `${parsed.code}${parsed.last ? ' ' : '-'}${text}` : raw);
    const previous = this.replyLines[0];
    if (this.replyLines.length >= MAX_REPLY_LINES) {
      this.fail(new HoplightError('ECONNECTION', `The server sent a reply of more than ${MAX_REPLY_LINES} lines; no SMTP reply is that long.`));
      this.socket.destroy();
      return;
    }
    if (!parsed || (previous && previous.code !== parsed.code)) {
      this.fail(new HoplightError('ECONNECTION', `The server sent something that is not an SMTP reply: "${secret ? '<withheld: reply to AUTH>' : this.redact(raw).slice(0, 120)}"`));
      this.socket.destroy();
      return;
    }
    // Replies are kept redacted too: a server that echoes credentials must not get them into an error message.
    this.replyLines.push({ ...parsed, text: text ?? this.redact(parsed.text) });
    if (!parsed.last) return;
    const reply = buildReply(this.replyLines);
    this.replyLines = [];
    this.receivedReplies += 1;
    // A reply nobody asked for is queued; a flood of them would grow without bound while we wait (e.g. for drain).
    if (this.receivedReplies > this.expectedReplies + UNSOLICITED_REPLY_SLACK) {
      this.fail(new HoplightError('ECONNECTION', `The server sent ${this.receivedReplies - this.expectedReplies} replies to commands Hoplight never sent; this is not a working SMTP server. The connection was closed.`));
      this.socket.destroy();
      return;
    }
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
    for (const listener of this.closedListeners.splice(0)) listener();
    this.note(error.message);
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  /** Waits until the peer has read what was written, at most `writeTimeoutMs` (a peer that stops reading is a failure). */
  private drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.failWith(new HoplightError('ETIMEDOUT', `The server stopped reading the message: nothing was taken for ${Math.round(this.writeTimeoutMs / 1000)} s.`));
        done();
      }, this.writeTimeoutMs);
      const done = (): void => {
        clearTimeout(timer);
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
    for (const secret of this.shortSecrets) {
      const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'gu'), '<redacted>');
    }
    if (this.encodedSecrets.length === 0) return out;
    // A piece of an encoded credential (an echo split across lines, or cut anywhere) is redacted as well.
    return out.replace(/[A-Za-z0-9+/=]{6,}/g, (run) => (this.encodedSecrets.some((e) => e.includes(run) || e.includes(run.replace(/=+$/, ''))) ? '<redacted>' : run));
  }
}
