import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import MailComposer from 'nodemailer/lib/mail-composer';
import { HoplightError, inputError } from '../errors.js';
import type { CheckedMessage } from './compose-message.js';

/**
 * How a message is laid out on the wire, fixed once (date, MIME boundary, Message-ID): the pass that measures it
 * and the pass that sends it compose exactly the same bytes, and nothing of it is held in memory.
 */
export interface WirePlan {
  readonly checked: CheckedMessage;
  readonly date: Date;
  readonly baseBoundary: string;
}

/** What is known of a planned message before any attachment is read. */
export interface MessageShape {
  /** Its exact size in octets, as SIZE (RFC 1870) counts it: before dot-stuffing or chunking. */
  readonly length: number;
  /** Bytes above 127 anywhere (needs 8BITMIME or SMTPUTF8). Attachments are base64, so this is exact. */
  readonly has8BitContent: boolean;
}

/** Fixes the composition of a checked message. */
export function planWire(checked: CheckedMessage): WirePlan {
  return { checked, date: new Date(), baseBoundary: randomBytes(12).toString('hex') };
}

/** The length of n bytes in base64 as nodemailer's Encoder writes it: 76-character lines, CRLF between them. */
export function base64Length(n: number): number {
  if (n === 0) return 0;
  const chars = 4 * Math.ceil(n / 3);
  return chars + 2 * (Math.ceil(chars / 76) - 1);
}

const crlf = (text: string): string => text.replace(/\r\n|\r|\n/g, '\r\n');

/** Each attachment's content stands in for by this many zero bytes when the message is measured. */
const PLACEHOLDER_BYTES = 3;
/** A header block longer than this is refused (no message needs it; it bounds the memory the header check uses). */
const MAX_HEADER_BLOCK = 1024 * 1024;

function composer(plan: WirePlan, contents: readonly Readable[]): MailComposer {
  const { checked } = plan;
  const { from, to, cc, bcc, input: message, tlsRequiredNoHeader } = checked;
  return new MailComposer({
    from: { name: from.name, address: from.address },
    ...(to.length ? { to: to.map((m) => ({ name: m.name, address: m.address })) } : {}),
    ...(cc.length ? { cc: cc.map((m) => ({ name: m.name, address: m.address })) } : {}),
    // Bcc recipients go into the envelope only; MailComposer leaves the Bcc header out (keepBcc is false).
    ...(bcc.length ? { bcc: bcc.map((m) => ({ name: m.name, address: m.address })) } : {}),
    subject: message.subject,
    // Lines end in CRLF on the wire (RFC 5321 §2.3.8): normalised here, so the size measured is the size sent.
    text: crlf(message.text),
    ...(message.html !== undefined ? { html: crlf(message.html) } : {}),
    // Always base64, so an attachment's encoded length follows from its size alone (quoted-printable would not).
    attachments: checked.attachments.map(({ filename }, index) => ({ filename, content: contents[index] as Readable, contentTransferEncoding: 'base64' })),
    // RFC 8689 §5: exactly one "TLS-Required: No" for tls-optional, and never with REQUIRETLS.
    ...(tlsRequiredNoHeader ? { headers: { 'TLS-Required': 'No' } } : {}),
    messageId: checked.messageId,
    date: plan.date,
    baseBoundary: plan.baseBoundary,
    disableUrlAccess: true,
    disableFileAccess: true,
  } as ConstructorParameters<typeof MailComposer>[0]);
}

/**
 * The message bytes as a stream over the given attachment contents, with its header block checked (no line over
 * 998 characters, RFC 5322 §2.1.1) and "TLS-Required" spelt as RFC 8689 does (MailComposer writes "Tls-Required").
 */
export function messageStream(plan: WirePlan, contents: readonly Readable[]): Readable {
  const source = composer(plan, contents).compile().createReadStream();
  const head = new HeaderBlock(plan.checked.tlsRequiredNoHeader);
  source.on('error', (error: Error) => head.destroy(error));
  return source.pipe(head);
}

/** Measures a planned message without reading any attachment (and checks its header block): EINPUT on a bad header. */
export async function measureMessage(plan: WirePlan): Promise<MessageShape> {
  const placeholders = plan.checked.attachments.map(() => Readable.from([Buffer.alloc(PLACEHOLDER_BYTES)]));
  let counted = 0;
  let has8BitContent = false;
  for await (const chunk of messageStream(plan, placeholders) as AsyncIterable<Buffer>) {
    counted += chunk.length;
    if (!has8BitContent && chunk.some((byte) => byte > 0x7f)) has8BitContent = true;
  }
  const delta = plan.checked.attachments.reduce((sum, a) => sum + base64Length(a.size) - base64Length(PLACEHOLDER_BYTES), 0);
  return { length: counted + delta, has8BitContent };
}

/** The whole message in memory, for tests and small tools; a send streams it instead. */
export async function messageBytes(plan: WirePlan): Promise<Buffer> {
  const files = await AttachmentFiles.open(plan.checked);
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of messageStream(plan, files.streams()) as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks);
  } finally {
    await files.close();
  }
}

/**
 * The attachments of one send, opened before the envelope goes out (a file that vanished or changed since it was
 * checked is refused then, naming it) and read once, as the socket drains. A file that changes while it is read
 * fails the stream, so the transaction is abandoned before its end and nothing is delivered.
 */
export class AttachmentFiles {
  private constructor(
    private readonly checked: CheckedMessage,
    private readonly handles: readonly { handle: FileHandle; mtimeMs: number }[],
  ) {}

  static async open(checked: CheckedMessage): Promise<AttachmentFiles> {
    const handles: { handle: FileHandle; mtimeMs: number }[] = [];
    try {
      for (const [index, attachment] of checked.attachments.entries()) {
        const field = `attachments[${index}]`;
        let handle: FileHandle;
        try {
          // Without blocking: a FIFO swapped in since the check must not hang the send (it fails the isFile test below).
          handle = await open(attachment.path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          throw inputError(field, code === 'ENOENT' ? `file "${attachment.path}" no longer exists.` : `file "${attachment.path}" cannot be read (${code ?? 'error'}).`);
        }
        handles.push({ handle, mtimeMs: 0 });
        const info = await handle.stat();
        if (!info.isFile() || info.size !== attachment.size) throw inputError(field, `file "${attachment.path}" changed after it was attached (it was ${attachment.size} bytes, it is ${info.size}); attach it again.`);
        (handles[handles.length - 1] as { mtimeMs: number }).mtimeMs = info.mtimeMs;
      }
    } catch (error) {
      await Promise.all(handles.map((h) => h.handle.close().catch(() => undefined)));
      throw error;
    }
    return new AttachmentFiles(checked, handles);
  }

  /** One stream per attachment, each checked at its end against the size and time the file had when opened. */
  streams(): Readable[] {
    return this.handles.map(({ handle, mtimeMs }, index) => {
      const attachment = this.checked.attachments[index] as CheckedMessage['attachments'][number];
      const field = `attachments[${index}]`;
      const changed = (): HoplightError =>
        new HoplightError('EINPUT', `${field}: file "${attachment.path}" changed while it was being sent, so the message was abandoned before its end and nothing was delivered; attach it again.`, { field });
      let read = 0;
      const raw = attachment.size === 0 ? Readable.from([]) : handle.createReadStream({ start: 0, end: attachment.size - 1, autoClose: false, highWaterMark: 256 * 1024 });
      const checkedStream = new Transform({
        transform(chunk: Buffer, _encoding, done: TransformCallback) {
          read += chunk.length;
          done(null, chunk);
        },
        flush(done: TransformCallback) {
          handle.stat().then(
            (info) => done(read !== attachment.size || info.size !== attachment.size || info.mtimeMs !== mtimeMs ? changed() : null),
            () => done(changed()),
          );
        },
      });
      raw.on('error', (error: Error) => checkedStream.destroy(error));
      return raw.pipe(checkedStream);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.handle.close().catch(() => undefined)));
  }
}

/** Holds back the header block until its end, checks and fixes it, then lets the body through untouched. */
class HeaderBlock extends Transform {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private passing = false;

  constructor(private readonly tlsRequiredNo: boolean) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.passing) return done(null, chunk);
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    const joined = Buffer.concat(this.held);
    const end = joined.indexOf('\r\n\r\n');
    if (end === -1) {
      this.held = [joined];
      return done(this.heldBytes > MAX_HEADER_BLOCK ? inputError('headers', 'the header block is longer than Hoplight sends.') : null);
    }
    this.passing = true;
    this.held = [];
    try {
      done(null, Buffer.concat([fixHead(joined.subarray(0, end), this.tlsRequiredNo), joined.subarray(end)]));
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.passing || this.held.length === 0) return done();
    try {
      done(null, fixHead(Buffer.concat(this.held), this.tlsRequiredNo));
    } catch (error) {
      done(error as Error);
    }
  }
}

/**
 * The header block as it goes out. MailComposer normalises header names to "Tls-Required"; field names are
 * case-insensitive (RFC 5322 §1.2.2), but RFC 8689 spells it "TLS-Required" and some filters match it literally.
 * No header line may exceed 998 characters (the belt to checkMessage's braces).
 */
function fixHead(head: Buffer, tlsRequiredNo: boolean): Buffer {
  const text = head.toString('latin1');
  const long = text.split('\r\n').find((line) => line.length > 998);
  if (long !== undefined) throw inputError(long.slice(0, long.indexOf(':')).toLowerCase() || 'headers', 'would make a header line longer than 998 characters (RFC 5322 §2.1.1); shorten it.');
  return tlsRequiredNo ? Buffer.from(text.replace(/^Tls-Required: No$/m, 'TLS-Required: No'), 'latin1') : head;
}
