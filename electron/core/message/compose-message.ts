import { constants as fsConstants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { OutgoingMessage } from '../../../shared/types/message.js';
import type { SecurityChoice } from '../../../shared/types/security.js';
import { inputError } from '../errors.js';
import { assertSingleLine, parseMailbox, type Mailbox } from './address.js';

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

/** Checks every field, then builds the MIME message with nodemailer's MailComposer. Throws EINPUT before any I/O with a server. */
export async function composeMessage(message: OutgoingMessage, security: SecurityChoice): Promise<ComposedMessage> {
  const from = parseMailbox('from', message.from);
  const to = (message.to ?? []).map((v, i) => parseMailbox(`to[${i}]`, v));
  const cc = (message.cc ?? []).map((v, i) => parseMailbox(`cc[${i}]`, v));
  const bcc = (message.bcc ?? []).map((v, i) => parseMailbox(`bcc[${i}]`, v));
  const all = [...to, ...cc, ...bcc];
  if (all.length === 0) throw inputError('to', 'at least one recipient (To, Cc or Bcc) is required.');
  assertSingleLine('subject', message.subject ?? '');
  if (typeof message.text !== 'string') throw inputError('text', 'the message needs a text body (it may be empty).');
  if (message.text.includes('\0')) throw inputError('text', 'must not contain NUL characters.');
  if (message.html?.includes('\0')) throw inputError('html', 'must not contain NUL characters.');
  const attachments = await checkAttachments(message);

  const seen = new Set<string>();
  const recipients = all.filter((m) => {
    const key = m.envelope.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });

  const tlsRequiredNoHeader = security === 'tls-optional';
  const composer = new MailComposer({
    from: { name: from.name, address: from.address },
    ...(to.length ? { to: to.map((m) => ({ name: m.name, address: m.address })) } : {}),
    ...(cc.length ? { cc: cc.map((m) => ({ name: m.name, address: m.address })) } : {}),
    // Bcc recipients go into the envelope only; MailComposer leaves the Bcc header out (keepBcc is false).
    ...(bcc.length ? { bcc: bcc.map((m) => ({ name: m.name, address: m.address })) } : {}),
    subject: message.subject,
    text: message.text,
    ...(message.html !== undefined ? { html: message.html } : {}),
    attachments,
    // RFC 8689 §5: exactly one "TLS-Required: No" for tls-optional, and never with REQUIRETLS.
    ...(tlsRequiredNoHeader ? { headers: { 'TLS-Required': 'No' } } : {}),
    // A Message-ID with the A-label domain keeps the header 7-bit even for IDN senders.
    messageId: `<${randomUUID()}@${from.envelope.slice(from.envelope.lastIndexOf('@') + 1)}>`,
    disableUrlAccess: true,
  });
  const node = composer.compile();
  const built = await node.build();
  const content = tlsRequiredNoHeader ? spellTlsRequiredHeader(built) : built;
  return {
    content,
    messageId: node.messageId(),
    from,
    recipients,
    needsSmtpUtf8: from.needsSmtpUtf8 || recipients.some((r) => r.needsSmtpUtf8),
    has8BitContent: content.some((byte) => byte > 0x7f),
    tlsRequiredNoHeader,
  };
}

async function checkAttachments(message: OutgoingMessage): Promise<{ path: string; filename: string }[]> {
  const checked: { path: string; filename: string }[] = [];
  for (const [index, attachment] of (message.attachments ?? []).entries()) {
    const field = `attachments[${index}]`;
    const filename = attachment.filename ?? basename(attachment.path);
    assertSingleLine(`${field}.filename`, filename);
    try {
      const info = await stat(attachment.path);
      if (!info.isFile()) throw inputError(field, `"${attachment.path}" is not a regular file.`);
      await access(attachment.path, fsConstants.R_OK);
    } catch (error) {
      if (error instanceof Error && error.name === 'HoplightError') throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw inputError(field, code === 'ENOENT' ? `file "${attachment.path}" does not exist.` : `file "${attachment.path}" cannot be read (${code ?? 'error'}).`);
    }
    checked.push({ path: attachment.path, filename });
  }
  return checked;
}

/**
 * MailComposer normalises header names to "Tls-Required". Field names are case-insensitive (RFC 5322 §1.2.2),
 * but RFC 8689 spells it "TLS-Required" and some filters match it literally, so the name is restored in the
 * header block only.
 */
function spellTlsRequiredHeader(content: Buffer): Buffer {
  const headerEnd = content.indexOf('\r\n\r\n');
  const head = content.subarray(0, headerEnd === -1 ? content.length : headerEnd).toString('latin1');
  const fixed = head.replace(/^Tls-Required: No$/m, 'TLS-Required: No');
  return Buffer.concat([Buffer.from(fixed, 'latin1'), content.subarray(head.length)]);
}
