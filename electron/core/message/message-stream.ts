import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
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
 * The message as it goes on the wire: MailComposer's output with a unique stand-in for each attachment's content,
 * split around the stand-ins. Small (headers, text, html, the parts' headers); the attachments are encoded from
 * disk at send time into reused buffers, so a large file costs no memory and no garbage.
 */
export interface WireSkeleton {
  /** The composed bytes between attachments: `between[i]` comes before attachment i, the last one after all. */
  readonly between: readonly Buffer[];
  /** Every line ends in CRLF, with no bare CR or LF (as MailComposer writes): it may go by BDAT unchanged. */
  readonly crlfOnly: boolean;
}

/** Each stand-in: this many random bytes, 60 base64 characters on one line, found exactly once in the output. */
const STAND_IN_BYTES = 45;

/**
 * Composes a planned message with stand-ins for the attachments, its header block checked (no line over 998
 * characters, RFC 5322 §2.1.1) and "TLS-Required" spelt as RFC 8689 does (MailComposer writes "Tls-Required").
 */
export async function composeSkeleton(plan: WirePlan): Promise<WireSkeleton> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const standIns = plan.checked.attachments.map(() => randomBytes(STAND_IN_BYTES));
    const chunks: Buffer[] = [];
    const source = composer(
      plan,
      standIns.map((b) => Readable.from([b])),
    )
      .compile()
      .createReadStream();
    for await (const chunk of source as AsyncIterable<Buffer>) chunks.push(chunk);
    const composed = withFixedHead(Buffer.concat(chunks), plan.checked.tlsRequiredNoHeader);
    const between: Buffer[] = [];
    let from = 0;
    let unique = true;
    for (const standIn of standIns) {
      const encoded = standIn.toString('base64');
      const at = composed.indexOf(encoded, from, 'latin1');
      if (at === -1 || composed.indexOf(encoded, at + 1, 'latin1') !== -1) {
        unique = false;
        break;
      }
      between.push(composed.subarray(from, at));
      from = at + encoded.length;
    }
    if (!unique) continue; // a stand-in's characters appeared elsewhere too (practically never): new ones
    between.push(composed.subarray(from));
    return { between, crlfOnly: crlfOnly(composed) };
  }
  throw new HoplightError('EINTERNAL', 'Internal error in Hoplight: the message could not be laid out.');
}

/** True when every CR is followed by LF and every LF follows a CR. */
function crlfOnly(bytes: Buffer): boolean {
  let pairs = 0;
  for (let cr = bytes.indexOf(0x0d); cr !== -1; cr = bytes.indexOf(0x0d, cr + 1)) {
    if (bytes[cr + 1] !== 0x0a) return false;
    pairs += 1;
  }
  let lfs = 0;
  for (let lf = bytes.indexOf(0x0a); lf !== -1; lf = bytes.indexOf(0x0a, lf + 1)) lfs += 1;
  return lfs === pairs;
}

/** The header block of a composed message checked and fixed (see fixHead); the rest untouched. */
function withFixedHead(composed: Buffer, tlsRequiredNo: boolean): Buffer {
  const end = composed.indexOf('\r\n\r\n');
  const headEnd = end === -1 ? composed.length : end;
  if (headEnd > MAX_HEADER_BLOCK) throw inputError('headers', 'the header block is longer than Hoplight sends.');
  return Buffer.concat([fixHead(composed.subarray(0, headEnd), tlsRequiredNo), composed.subarray(headEnd)]);
}

/** Measures a planned message without reading any attachment (and checks its header block): EINPUT on a bad header. */
export async function measureMessage(plan: WirePlan): Promise<MessageShape & { skeleton: WireSkeleton }> {
  const skeleton = await composeSkeleton(plan);
  const composed = skeleton.between.reduce((sum, b) => sum + b.length, 0);
  const length = composed + plan.checked.attachments.reduce((sum, a) => sum + base64Length(a.size), 0);
  // Attachments are base64: only the composed parts can carry 8-bit bytes.
  const has8BitContent = skeleton.between.some((b) => b.some((byte) => byte > 0x7f));
  return { length, has8BitContent, skeleton };
}

/**
 * MailComposer's own output for the plan with the real files, header fixed as on the wire: the oracle the wire
 * bytes are tested against (the stand-ins and Hoplight's encoder must change nothing). Reads the files whole.
 */
export async function referenceMessage(plan: WirePlan): Promise<Buffer> {
  const contents = await Promise.all(plan.checked.attachments.map(async (a) => Readable.from([await readFile(a.path)])));
  const chunks: Buffer[] = [];
  for await (const chunk of composer(plan, contents).compile().createReadStream() as AsyncIterable<Buffer>) chunks.push(chunk);
  return withFixedHead(Buffer.concat(chunks), plan.checked.tlsRequiredNoHeader);
}

/** The whole message in memory, for tests and small tools; a send streams it instead. */
export async function messageBytes(plan: WirePlan): Promise<Buffer> {
  const { skeleton } = await measureMessage(plan);
  const files = await AttachmentFiles.open(plan.checked);
  try {
    const chunks: Buffer[] = [];
    // Copied: the encoder's buffers are reused once handed back.
    for await (const chunk of wireChunks(skeleton, files)) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  } finally {
    await files.close();
  }
}

/** Input bytes per encoded block: whole 57-byte groups, so each block is whole 76-character lines. */
const BLOCK_LINES = 768;
const BLOCK_INPUT = 57 * BLOCK_LINES;
const BLOCK_OUTPUT = 78 * BLOCK_LINES;

/**
 * Buffers for the encoded attachment blocks, reused: a consumer hands each one back (`release`) once it is done
 * with it (for a socket: in the write's callback), so a send allocates a handful whatever the file's size.
 */
export class BlockPool {
  private readonly free: Buffer[] = [];
  private readonly ours = new WeakSet<ArrayBufferLike>();

  take(): Buffer {
    const block = this.free.pop();
    if (block) return block;
    const fresh = Buffer.allocUnsafeSlow(BLOCK_OUTPUT);
    this.ours.add(fresh.buffer);
    return fresh;
  }

  /** Takes back a buffer handed out by `wireChunks` (anything else is ignored). */
  release(chunk: Buffer): void {
    if (!this.ours.has(chunk.buffer) || this.free.length >= 8) return;
    this.free.push(Buffer.from(chunk.buffer, 0, BLOCK_OUTPUT));
  }
}

/**
 * The message's bytes in order: the composed parts as they are, each attachment base64-encoded from its file in
 * 76-character lines (byte for byte what MailComposer writes) into buffers from `pool`. A buffer yielded from an
 * attachment must not be kept after it is released to the pool (without a pool, none is reused).
 */
export async function* wireChunks(skeleton: WireSkeleton, files: AttachmentFiles, pool?: BlockPool): AsyncGenerator<Buffer> {
  const input = Buffer.allocUnsafeSlow(BLOCK_INPUT);
  for (const [index, before] of skeleton.between.entries()) {
    if (before.length > 0) yield before;
    if (index < skeleton.between.length - 1) yield* files.encoded(index, input, () => (pool ? pool.take() : Buffer.allocUnsafe(BLOCK_OUTPUT)));
  }
}

/**
 * Encodes `bytes` of `input` (a multiple of 57 unless it is the file's end) as base64 lines into `out`: CRLF after
 * every line except the file's very last. Returns the length written.
 */
export function encodeBlock(input: Buffer, bytes: number, out: Buffer, last: boolean): number {
  if (bytes === 0) return 0;
  const encoded = input.toString('base64', 0, bytes);
  out.write(encoded, 0, 'latin1');
  const lines = Math.ceil(encoded.length / 76);
  // Spread the lines apart from the last one down (each moves right, over nothing not yet moved).
  for (let line = lines - 1; line >= 0; line--) {
    const from = line * 76;
    const to = line * 78;
    const length = Math.min(76, encoded.length - from);
    if (line > 0) out.copyWithin(to, from, from + length);
    if (line < lines - 1 || !last) {
      out[to + length] = 0x0d;
      out[to + length + 1] = 0x0a;
    }
  }
  return encoded.length + 2 * (lines - (last ? 1 : 0));
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

  /**
   * Attachment `index` base64-encoded, block by block, read from the file as the consumer asks for more (into
   * `input`, reused) and checked at its end against the size and time the file had when opened: a file that
   * changes while it is read fails, so the transaction is abandoned before its end and nothing is delivered.
   */
  async *encoded(index: number, input: Buffer, output: () => Buffer): AsyncGenerator<Buffer> {
    const { handle, mtimeMs } = this.handles[index] as { handle: FileHandle; mtimeMs: number };
    const attachment = this.checked.attachments[index] as CheckedMessage['attachments'][number];
    const field = `attachments[${index}]`;
    const changed = (): HoplightError =>
      new HoplightError('EINPUT', `${field}: file "${attachment.path}" changed while it was being sent, so the message was abandoned before its end and nothing was delivered; attach it again.`, { field });
    let position = 0;
    while (position < attachment.size) {
      const want = Math.min(input.length, attachment.size - position);
      let filled = 0;
      while (filled < want) {
        const { bytesRead } = await handle.read(input, filled, want - filled, position + filled);
        if (bytesRead === 0) throw changed(); // shorter than when it was attached
        filled += bytesRead;
      }
      position += filled;
      const last = position === attachment.size;
      if (last) {
        const info = await handle.stat().catch(() => undefined);
        if (!info || info.size !== attachment.size || info.mtimeMs !== mtimeMs) throw changed();
      }
      const out = output();
      yield out.subarray(0, encodeBlock(input, filled, out, last));
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.handle.close().catch(() => undefined)));
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
