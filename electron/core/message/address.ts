import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import addressparser from 'nodemailer/lib/addressparser';
import { inputError } from '../errors.js';

/** One mailbox, checked: the display name, the address as typed, and its envelope form. */
export interface Mailbox {
  readonly name: string;
  readonly address: string;
  /** The address for MAIL FROM / RCPT TO: domain as an A-label (IDNA), local part as typed. */
  readonly envelope: string;
  /** The local part has non-ASCII characters: the envelope needs SMTPUTF8 (RFC 6531). */
  readonly needsSmtpUtf8: boolean;
}

const NON_ASCII = '[\\u0080-\\u{10FFFF}]';
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]|" + NON_ASCII;
const DOT_ATOM = new RegExp(`^(?:${ATEXT})+(?:\\.(?:${ATEXT})+)*$`, 'u');
const QUOTED = new RegExp(`^"(?:[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]|\\\\[\\x20-\\x7E]|${NON_ASCII})*"$`, 'u');
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** Rejects CR, LF and other control characters that could end or forge a header line. */
export function assertSingleLine(field: string, value: string): void {
  if (/[\r\n]/.test(value)) throw inputError(field, 'must not contain a line break (CR or LF).');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/.test(value)) throw inputError(field, 'must not contain control characters.');
}

/** Parses exactly one mailbox (`ann@example.org` or `Ann <ann@example.org>`) or throws EINPUT naming the field. */
export function parseMailbox(field: string, value: string): Mailbox {
  assertSingleLine(field, value);
  const trimmed = value.trim();
  if (trimmed === '') throw inputError(field, 'is empty.');
  const parsed = addressparser(trimmed);
  const first = parsed[0];
  if (parsed.length !== 1 || !first || first.group !== undefined || !first.address) {
    throw inputError(field, `"${trimmed}" is not a single e-mail address.`);
  }
  const address = first.address;
  // Without angle brackets the whole input must be the address: "a b@x.test" must not quietly become "b@x.test".
  if (!trimmed.includes('<') && trimmed !== address) {
    throw inputError(field, `"${trimmed}" is not a valid e-mail address (write a name as "Name <address>").`);
  }
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) throw inputError(field, `"${address}" is not a valid e-mail address (it needs a local part, "@" and a domain).`);
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64 || !(DOT_ATOM.test(local) || QUOTED.test(local))) {
    throw inputError(field, `"${address}" has an invalid local part "${local}".`);
  }
  const asciiDomain = envelopeDomain(field, address, domain);
  return {
    name: first.name,
    address,
    envelope: `${local}@${asciiDomain}`,
    needsSmtpUtf8: new RegExp(NON_ASCII, 'u').test(local),
  };
}

function envelopeDomain(field: string, address: string, domain: string): string {
  // RFC 5321 §4.1.3 address literals: a real IPv4 or IPv6 address, checked, not just its characters.
  if (domain.startsWith('[')) {
    const inner = /^\[(?:IPv6:(.+)|(\d{1,3}(?:\.\d{1,3}){3}))\]$/.exec(domain);
    if ((inner?.[1] !== undefined && isIPv6(inner[1])) || (inner?.[2] !== undefined && isIPv4(inner[2]))) return domain;
    throw inputError(field, `"${address}" has an invalid address literal "${domain}".`);
  }
  const ascii = domainToASCII(domain);
  const labels = ascii.split('.');
  if (ascii === '' || ascii.length > 253 || !labels.every((l) => LABEL.test(l))) {
    throw inputError(field, `"${address}" has an invalid domain "${domain}".`);
  }
  return ascii.toLowerCase();
}
