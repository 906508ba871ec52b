import type { SmtpReplyData } from '../../../shared/types/errors.js';

/** Longest reply line we accept; RFC 5321 §4.5.3.1.5 allows 512 octets, real servers sometimes more. */
export const MAX_REPLY_LINE = 4096;
/** Most lines in one multi-line reply (an EHLO reply has a few dozen at most). */
export const MAX_REPLY_LINES = 512;

/** A parsed reply line: `250-PIPELINING` → { code: 250, last: false, text: 'PIPELINING' }. */
export interface ReplyLine {
  readonly code: number;
  readonly last: boolean;
  readonly text: string;
}

/** Parses one reply line per RFC 5321 §4.2; returns undefined when it is not a reply line. */
export function parseReplyLine(line: string): ReplyLine | undefined {
  const match = /^([2-5][0-9][0-9])([ -]?)(.*)$/s.exec(line);
  if (!match) return undefined;
  const [, code, separator, text] = match;
  if (separator === '' && text !== '') return undefined;
  return { code: Number(code), last: separator !== '-', text: text ?? '' };
}

/** Builds a reply from its lines; the enhanced status code (RFC 3463) is taken from the last line. */
export function buildReply(lines: readonly ReplyLine[]): SmtpReplyData {
  const last = lines[lines.length - 1];
  if (!last) throw new Error('buildReply needs at least one line');
  const texts = lines.map((l) => l.text);
  const enhanced = /^([245]\.\d{1,3}\.\d{1,3})(?:\s|$)/.exec(last.text);
  return enhanced?.[1] === undefined
    ? { code: last.code, lines: texts }
    : { code: last.code, enhancedStatus: enhanced[1], lines: texts };
}

/** The reply as one line of text, for messages and logs. */
export function replyText(reply: SmtpReplyData): string {
  return `${reply.code} ${reply.lines.join(' / ')}`.trim();
}

/** True for a 2xx reply. */
export function isPositive(reply: SmtpReplyData): boolean {
  return reply.code >= 200 && reply.code < 300;
}

/** Extracts a queue id from a final DATA reply (Postfix, Exim, Sendmail, smtp-server styles). */
export function queueIdFrom(reply: SmtpReplyData): string | undefined {
  const text = reply.lines.join(' ');
  const patterns = [
    /queued as ([A-Za-z0-9]+)/i, // Postfix: "2.0.0 Ok: queued as 4Xyz"
    /\bid=([A-Za-z0-9-]+)/i, // Exim: "OK id=1tABCD-000123-ab"
    /Message accepted for delivery/i.test(text) ? /\b([A-Za-z0-9]{10,})\b/ : undefined, // Sendmail
    /\bqueued\s+(?:with id\s+|as\s+)?<?([A-Za-z0-9.@-]{6,})>?/i,
  ];
  for (const pattern of patterns) {
    const match = pattern?.exec(text);
    if (match?.[1]) return match[1];
  }
  return undefined;
}
