import { constants as fsConstants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { OutgoingMessage } from '../../../shared/types/message.js';
import type { SecurityChoice } from '../../../shared/types/security.js';
import { inputError } from '../errors.js';
import { assertSingleLine, parseMailbox, type Mailbox } from './address.js';
import { messageBytes, planWire } from './message-stream.js';

/** A message ready for the wire: its MIME bytes and the envelope that goes with it. */
export interface ComposedMessage {
  readonly content: Buffer;
  readonly messageId: string;
  readonly from: Mailbox;
  /** To, Cc and Bcc, deduplicated, in that order. */
  readonly recipients: readonly Mailbox[];
  /** The envelope needs SMTPUTF8 (RFC 6531). */
  readonly needsSmtpUtf8: boolean;
  /** The content has bytes above 127 (needs 8BITMIME or SMTPUTF8). */
  readonly has8BitContent: boolean;
  /** The message carries `TLS-Required: No` (RFC 8689 §5). */
  readonly tlsRequiredNoHeader: boolean;
}

/** Attachments may total at most this much (they are streamed from disk, so this bounds time, not memory). */
export const MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024 * 1024;
/** RFC 5322 §2.1.1: a line must not exceed 998 characters; words this long cannot be folded, so they are refused. */
const MAX_HEADER_WORD = 900;

/** A message whose every field was checked, ready to be built; `minimumBytes` is a lower bound on its size. */
export interface CheckedMessage {
  readonly input: OutgoingMessage;
  readonly security: SecurityChoice;
  readonly messageId: string;
  readonly from: Mailbox;
  readonly to: readonly Mailbox[];
  readonly cc: readonly Mailbox[];
  readonly bcc: readonly Mailbox[];
  readonly recipients: readonly Mailbox[];
  readonly attachments: readonly { path: string; filename: string; size: number }[];
  /** The size the message has at least: attachments base64-encoded (76-character lines), text and html as given. */
  readonly minimumBytes: number;
  readonly needsSmtpUtf8: boolean;
  readonly tlsRequiredNoHeader: boolean;
}

/** Checks every field and every attachment (a regular, readable file, within the size cap). Throws EINPUT naming the field. */
export async function checkMessage(message: OutgoingMessage, security: SecurityChoice): Promise<CheckedMessage> {
  const from = parseMailbox('from', message.from);
  const to = (message.to ?? []).map((v, i) => parseMailbox(`to[${i}]`, v));
  const cc = (message.cc ?? []).map((v, i) => parseMailbox(`cc[${i}]`, v));
  const bcc = (message.bcc ?? []).map((v, i) => parseMailbox(`bcc[${i}]`, v));
  const all = [...to, ...cc, ...bcc];
  if (all.length === 0) throw inputError('to', 'at least one recipient (To, Cc or Bcc) is required.');
  assertSingleLine('subject', message.subject ?? '');
  assertFoldable('subject', message.subject ?? '');
  for (const [field, boxes] of [['from', [from]], ['to', to], ['cc', cc]] as const) boxes.forEach((m, i) => assertFoldable(field === 'from' ? field : `${field}[${i}]`, m.name));
  if (typeof message.text !== 'string') throw inputError('text', 'the message needs a text body (it may be empty).');
  if (message.text.includes('\0')) throw inputError('text', 'must not contain NUL characters.');
  if (message.html?.includes('\0')) throw inputError('html', 'must not contain NUL characters.');
  const attachments = await checkAttachments(message);
  const attachmentBytes = attachments.reduce((sum, a) => sum + a.size, 0);
  if (attachmentBytes > MAX_ATTACHMENT_BYTES) {
    throw inputError('attachments', `the attachments total ${formatSize(attachmentBytes)}; Hoplight sends at most ${formatSize(MAX_ATTACHMENT_BYTES)} in one message.`);
  }

  // RFC 5321 §2.4: the local part is case-sensitive; only the domain is compared without case.
  const seen = new Set<string>();
  const recipients = all.filter((m) => {
    const at = m.envelope.lastIndexOf('@');
    const key = `${m.envelope.slice(0, at)}@${m.envelope.slice(at + 1).toLowerCase()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const base64 = (n: number): number => Math.ceil(n / 3) * 4 + Math.ceil(n / 57) * 2;
  const minimumBytes = attachments.reduce((sum, a) => sum + base64(a.size), 0) + Buffer.byteLength(message.text) + (message.html ? Buffer.byteLength(message.html) : 0);
  return {
    input: message,
    security,
    // A Message-ID with the A-label domain keeps the header 7-bit even for IDN senders.
    messageId: `<${randomUUID()}@${from.envelope.slice(from.envelope.lastIndexOf('@') + 1)}>`,
    from,
    to,
    cc,
    bcc,
    recipients,
    attachments,
    minimumBytes,
    needsSmtpUtf8: from.needsSmtpUtf8 || recipients.some((r) => r.needsSmtpUtf8),
    tlsRequiredNoHeader: security === 'tls-optional',
  };
}

/**
 * Builds the whole MIME message in memory (tests and small tools; a send streams it, see message-stream.ts).
 * A file that fails to read is EINPUT naming it.
 */
export async function buildMessage(checked: CheckedMessage): Promise<ComposedMessage> {
  const plan = planWire(checked);
  const content = await messageBytes(plan);
  return {
    content,
    messageId: checked.messageId,
    from: checked.from,
    recipients: checked.recipients,
    needsSmtpUtf8: checked.needsSmtpUtf8,
    has8BitContent: content.some((byte) => byte > 0x7f),
    tlsRequiredNoHeader: checked.tlsRequiredNoHeader,
  };
}

/** Checks every field, then builds the MIME message. Throws EINPUT before any I/O with a server. */
export async function composeMessage(message: OutgoingMessage, security: SecurityChoice): Promise<ComposedMessage> {
  return buildMessage(await checkMessage(message, security));
}

/** A header word longer than a line can hold cannot be folded (RFC 5322 §2.2.3). */
function assertFoldable(field: string, value: string): void {
  // Non-ASCII text is sent as RFC 2047 encoded words, which MailComposer splits; plain ASCII words are not split.
  // eslint-disable-next-line no-control-regex
  const longest = value.split(/\s+/).filter((w) => /^[\x00-\x7f]*$/.test(w)).reduce((max, w) => Math.max(max, w.length), 0);
  if (longest > MAX_HEADER_WORD) throw inputError(field, `has a word of ${longest} characters; a header line holds at most 998 (RFC 5322), so words longer than ${MAX_HEADER_WORD} cannot be sent.`);
}


function formatSize(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function checkAttachments(message: OutgoingMessage): Promise<{ path: string; filename: string; size: number }[]> {
  const checked: { path: string; filename: string; size: number }[] = [];
  for (const [index, attachment] of (message.attachments ?? []).entries()) {
    const field = `attachments[${index}]`;
    const filename = attachment.filename ?? basename(attachment.path);
    assertSingleLine(`${field}.filename`, filename);
    assertFoldable(`${field}.filename`, filename);
    let size: number;
    try {
      const info = await stat(attachment.path);
      if (!info.isFile()) throw inputError(field, `"${attachment.path}" is not a regular file.`);
      // Open without blocking (a FIFO swapped in after stat must not hang) and read a first byte: a file that
      // stat calls regular but that cannot be read (EIO, /proc) is refused here, before any connection.
      const handle = await open(attachment.path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
      try {
        const opened = await handle.stat();
        if (!opened.isFile()) throw inputError(field, `"${attachment.path}" is not a regular file.`);
        await handle.read(Buffer.alloc(1), 0, 1, 0);
        size = opened.size;
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (error instanceof Error && error.name === 'HoplightError') throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw inputError(field, code === 'ENOENT' ? `file "${attachment.path}" does not exist.` : `file "${attachment.path}" cannot be read (${code ?? 'error'}).`);
    }
    checked.push({ path: attachment.path, filename, size });
  }
  return checked;
}

