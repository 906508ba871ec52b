import { isIP } from 'node:net';
import { parseReceived } from 'mailauth/lib/parse-received.js';
import { getDomain } from 'tldts';
import type { DeliveredHop, DeliveredPath, HopTrust, KnownProvider, StatedAuthentication } from '../../../shared/types/delivered.js';
import type { Resolver } from '../dns/dns-client.js';
import { inputError } from '../errors.js';
import { parseAuthenticationResults } from './authentication-results.js';
import { verifyAuthentication } from './verify-authentication.js';

/** At most this many Received fields are read (a path of 200 is already absurd); the rest are counted. */
const MAX_HOPS = 500;
/** The header block is read up to this size. */
const MAX_HEADER_BYTES = 2 * 1024 * 1024;

/** `with` types of RFC 3848 and RFC 6531 that state TLS, authentication, or neither. */
const WITH_TLS = /^(ESMTPS|ESMTPSA|UTF8SMTPS|UTF8SMTPSA|LMTPS|LMTPSA|UTF8LMTPS|UTF8LMTPSA)$/i;
const WITH_PLAIN = /^(SMTP|ESMTP|ESMTPA|UTF8SMTP|UTF8SMTPA|LMTP|LMTPA|UTF8LMTP|UTF8LMTPA)$/i;
const WITH_AUTH = /^(ESMTPA|ESMTPSA|UTF8SMTPA|UTF8SMTPSA|LMTPA|LMTPSA)$/i;
const WITH_LOCAL = /^(LMTP|LMTPS|LMTPA|LMTPSA|UTF8LMTP|UTF8LMTPS|local|mapi|HTTP|HTTPS)$/i;

/** The TLS clauses MTAs write, each with its own regular expression (no library reads them). */
const TLS_CLAUSES: readonly { name: string; pattern: RegExp; read: (m: RegExpMatchArray) => { version?: string; cipher?: string; certVerified?: boolean | null } }[] = [
  // Postfix and Stalwart: "(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) …)"
  { name: 'postfix', pattern: /\(using (TLSv1(?:\.\d)?|SSLv3) with cipher ([A-Za-z0-9_-]+)/, read: (m) => ({ version: versionOf(m[1]), cipher: m[2] as string }) },
  // OpenSMTPD: "(TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO)", the last field says whether the peer was verified.
  { name: 'opensmtpd', pattern: /\((TLSv1(?:\.\d)?):([A-Za-z0-9_-]+):(\d+):(YES|NO)\)/, read: (m) => ({ version: versionOf(m[1]), cipher: m[2] as string, certVerified: m[4] === 'YES' }) },
  // Older Exim: "(TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256)"
  { name: 'exim-old', pattern: /\((TLS1(?:\.\d)?):([A-Za-z0-9_-]+):(\d+)\)/, read: (m) => ({ version: versionOf(m[1]), cipher: m[2] as string }) },
  // Exim: "with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384"
  { name: 'exim', pattern: /\((TLS1(?:\.\d)?)\)\s+tls\s+([A-Za-z0-9_-]+)/, read: (m) => ({ version: versionOf(m[1]), cipher: m[2] as string }) },
  // sendmail: "(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=OK)"
  { name: 'sendmail', pattern: /\(version=(TLSv1(?:\.\d)?)\s+cipher=([A-Za-z0-9_-]+)\s+bits=\d+(?:\/\d+)?\s+verify=(OK|NOT|NO|FAIL)\)/, read: (m) => ({ version: versionOf(m[1]), cipher: m[2] as string, certVerified: m[3] === 'OK' }) },
  // Gmail, Yahoo: "(version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128)"
  { name: 'google', pattern: /\(version=(TLS1_\d)\s+cipher=([A-Za-z0-9_-]+)/, read: (m) => ({ version: versionOf(m[1]), cipher: m[2] as string }) },
  // Microsoft 365: "with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)"
  { name: 'microsoft', pattern: /\(version=(TLS1_\d),\s*cipher=([A-Za-z0-9_-]+)\)/, read: (m) => ({ version: versionOf(m[1]), cipher: m[2] as string }) },
  // mox: "(TLS1.3 TLS_AES_128_GCM_SHA256)"
  { name: 'mox', pattern: /\((TLS1\.\d) ([A-Z][A-Za-z0-9_-]+)\)/, read: (m) => ({ version: versionOf(m[1]), cipher: m[2] as string }) },
  // Haraka and the RFC 8314 clause: "tls TLS_AES_256_GCM_SHA384" on its own.
  { name: 'tls-clause', pattern: /(?:^|[\s;])tls\s+([A-Z][A-Za-z0-9_-]+)/, read: (m) => ({ cipher: m[1] as string }) },
];

function versionOf(raw: string | undefined): string | undefined {
  const m = /(\d)[._](\d)/.exec(raw ?? '') ?? /TLSv?(1)$/.exec(raw ?? '');
  if (!m) return raw;
  return m[2] !== undefined ? `${m[1]}.${m[2]}` : '1.0';
}

/** The header block of a message, unfolded into fields (name, value); bounded. */
function headerFields(raw: Buffer): { name: string; value: string }[] {
  const head = raw.subarray(0, MAX_HEADER_BYTES).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const block = end === -1 ? head : head.slice(0, end);
  const fields: { name: string; value: string }[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && fields.length > 0) {
      const last = fields[fields.length - 1] as { name: string; value: string };
      last.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || !/^[!-9;-~]+$/.test(line.slice(0, colon))) continue;
    fields.push({ name: line.slice(0, colon), value: line.slice(colon + 1).trim() });
  }
  return fields;
}

const clause = (parsed: ReturnType<typeof parseReceived>, key: string): string | undefined => {
  if (!parsed) return undefined;
  const value = parsed[key];
  return typeof value === 'object' && value ? value.value || undefined : undefined;
};
const comment = (parsed: ReturnType<typeof parseReceived>, key: string): string | undefined => {
  if (!parsed) return undefined;
  const value = parsed[key];
  return typeof value === 'object' && value ? value.comment : undefined;
};

const bare = (name: string): string => name.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');

/** Microsoft 365's internal hosts span several domains. */
const MICROSOFT = /(?:^|\.)(?:outlook\.com|office365\.com|exchangelabs\.com|microsoft\.com)$/i;

function organisation(name: string): string | undefined {
  const host = bare(name);
  if (isIP(host) || !host.includes('.')) return undefined;
  if (MICROSOFT.test(host)) return 'microsoft';
  return getDomain(host, { allowPrivateDomains: true }) ?? undefined;
}

function sameOrganisation(a: string, b: string): boolean {
  const org = organisation(a);
  return org !== undefined && org === organisation(b);
}

function readHop(value: string, index: number): Omit<DeliveredHop, 'delaySeconds'> {
  const raw = `Received: ${value}`;
  const parsed = parseReceived(raw);
  const problems: string[] = [];
  if (!parsed) problems.push('the header could not be read');
  const full = value.replace(/\s+/g, ' ');
  const from = clause(parsed, 'from');
  const fromComment = comment(parsed, 'from') ?? '';
  const fromAddress = /\[(?:IPv6:)?([0-9a-fA-F:.]+)\]/.exec(fromComment)?.[1] ?? (from && isIP(from.replace(/^\[|\]$/g, '')) ? from.replace(/^\[|\]$/g, '') : undefined);
  const by = clause(parsed, 'by');
  // The protocol: the `with` clause, or Microsoft's "with Microsoft SMTP Server (…)".
  const protocolRaw = clause(parsed, 'with') ?? /\bwith\s+([A-Za-z0-9_-]+)/i.exec(full)?.[1];
  // Only the protocol's own word: mailauth keeps what follows it (Exim's "tls CIPHER") in the same clause.
  const protocol = protocolRaw?.trim().split(/\s+/)[0];
  let tls: boolean | null = null;
  let version: string | undefined;
  let cipher: string | undefined;
  let certVerified: boolean | null = null;
  for (const c of TLS_CLAUSES) {
    const m = full.match(c.pattern);
    if (!m) continue;
    const read = c.read(m);
    tls = true;
    version = read.version;
    cipher = read.cipher;
    if (read.certVerified !== undefined) certVerified = read.certVerified;
    break;
  }
  if (tls === null && protocol && WITH_TLS.test(protocol)) tls = true;
  else if (tls === null && protocol && WITH_PLAIN.test(protocol)) tls = false;
  const authenticated = (protocol !== undefined && WITH_AUTH.test(protocol)) || /\(Authenticated sender:/i.test(full) || /\bauthenticated\b/i.test(fromComment);
  const loopback = fromAddress !== undefined && (/^127\./.test(fromAddress) || fromAddress === '::1');
  // The sending side's name: the reverse-DNS name the receiver wrote in the comment ("helo (rdns [ip])"), which
  // the sender does not choose; the HELO name only when the receiver recorded no address at all (an internal
  // hand-over). A HELO name beside a bare address is the sender's own claim and makes nothing local.
  const rdns = /^([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)\.?\s+\[/.exec(fromComment)?.[1];
  const sender = rdns ?? (fromAddress === undefined ? from : undefined);
  const local =
    (protocol !== undefined && WITH_LOCAL.test(protocol)) ||
    /via Frontend Transport|with mapi\b/i.test(full) ||
    loopback ||
    /^localhost$/i.test(from ?? '') ||
    // No `from` clause: handed over inside one host (Gmail's "by 2002:a05:… with SMTP id", Postfix's pickup).
    (parsed !== false && from === undefined && by !== undefined) ||
    // Both ends in one organisation (its internal hops), Microsoft's several domains counted as one.
    (sender !== undefined && by !== undefined && sameOrganisation(sender, by));
  // Exim 4.92 writes "esmtpS"/"esmtpSA" (capital S) for a message received with REQUIRETLS; mox "(requiretls)".
  const requiretls = /^esmtpSA?$/.test(protocol ?? '') || /\(requiretls\)/i.test(full);
  const timestamp = parsed ? parsed.timestamp : undefined;
  const time = timestamp ? Date.parse(timestamp.replace(/\s*\([^)]*\)\s*$/, '')) : Number.NaN;
  if (!timestamp) problems.push('no date');
  else if (Number.isNaN(time)) problems.push(`an unreadable date ("${timestamp.slice(0, 60)}")`);
  return {
    index,
    ...(from ? { from } : {}),
    ...(fromAddress ? { fromAddress } : {}),
    ...(by ? { by } : {}),
    ...(protocol ? { protocol } : {}),
    tls: local && tls === false ? null : tls,
    ...(version ? { version } : {}),
    ...(cipher ? { cipher } : {}),
    authenticated,
    local,
    requiretls,
    certVerified,
    ...(Number.isNaN(time) ? {} : { date: new Date(time).toISOString() }),
    problems,
    raw: raw.slice(0, 2000),
  };
}

/** The account a message was sent with, when known: its submission server decides whose headers can be trusted. */
export interface ProviderHint {
  /** The account's name or address, for the words. */
  readonly account: string;
  /** The submission server's host name (or IP), as the account names it. */
  readonly host: string;
  /** The names the server gave itself on the session that sent the message (its greeting), which it writes in `by`. */
  readonly serverNames?: readonly string[];
}

/** Each name and its organisational domain (the public suffix and one label), which the provider's hops share. */
function providerNames(hint: ProviderHint): string[] {
  const names = [hint.host, ...(hint.serverNames ?? [])].map(bare).filter((n) => n !== '');
  const orgs = names.map((n) => (isIP(n) ? undefined : getDomain(n, { allowPrivateDomains: true }))).filter((n): n is string => Boolean(n));
  return [...new Set([...names, ...orgs])];
}

function byProvider(hop: { by?: string }, names: readonly string[]): boolean {
  if (!hop.by) return false;
  const by = bare(hop.by);
  // Microsoft 365 submits at smtp.office365.com and records its hops under outlook.com: one organisation.
  return names.some((n) => by === n || by.endsWith(`.${n}`) || (organisation(by) === 'microsoft' && organisation(n) === 'microsoft'));
}

/**
 * The path a delivered copy records: its Received fields oldest first (the bottom one is the first hop), what
 * each states about its transport, the REQUIRETLS and TLS-Required markers, and the Authentication-Results as
 * stated. With the sender's provider, each hop says whose word it is. Throws EINPUT for something that is not
 * a message.
 */
export function analyzeDelivered(raw: Buffer, options: { readonly provider?: ProviderHint } = {}): DeliveredPath {
  const fields = headerFields(raw);
  if (fields.length === 0 || !fields.some((f) => /^(received|from|date|message-id|subject|to)$/i.test(f.name))) throw inputError('file', 'is not an e-mail message (no header fields).');
  const received = fields.filter((f) => /^received$/i.test(f.name));
  const kept = received.slice(0, MAX_HOPS).reverse();
  const hops: DeliveredHop[] = [];
  let previous: number | undefined;
  for (const [i, field] of kept.entries()) {
    const hop = readHop(field.value, i);
    const time = hop.date ? Date.parse(hop.date) : undefined;
    const problems = [...hop.problems];
    let delaySeconds: number | undefined;
    if (time !== undefined && previous !== undefined) {
      delaySeconds = Math.round((time - previous) / 1000);
      // A few minutes of clock skew happen; more than that backwards is what a forged or misplaced header looks like.
      if (delaySeconds < -300) problems.push(`its time is ${Math.round(-delaySeconds / 60)} minutes before the hop below it: forged, misplaced or a wrong clock`);
    }
    if (time !== undefined) previous = time;
    const prior = hops[hops.length - 1];
    if (prior?.by && hop.from && hop.by && prior.by.toLowerCase() === hop.by.toLowerCase() && !hop.local && !prior.local && hop.from.toLowerCase() !== prior.by.toLowerCase()) {
      problems.push(`it claims to be received by ${hop.by} from ${hop.from}, after ${prior.by} had already received it`);
    }
    hops.push({ ...hop, ...(delaySeconds !== undefined ? { delaySeconds } : {}), problems });
  }

  // Whose word each header is: the provider's oldest hop and everything after it, or what came before.
  let provider: KnownProvider | undefined;
  let trustOf: ((index: number) => HopTrust) | undefined;
  if (options.provider) {
    const names = providerNames(options.provider);
    const firstHop = hops.findIndex((h) => byProvider(h, names));
    provider = { account: options.provider.account, names, ...(firstHop >= 0 ? { firstHop } : {}) };
    if (firstHop >= 0) trustOf = (index) => (index < firstHop ? 'sender-side' : byProvider(hops[index] as DeliveredHop, names) ? 'provider' : 'after-provider');
  }
  const trusted = trustOf ? hops.map((h) => ({ ...h, trust: (trustOf as (i: number) => HopTrust)(h.index) })) : hops;

  // A field sits above the Received fields that existed when it was added: the nearest one below it names the hop.
  const positioned: { name: string; value: string; above: number }[] = [];
  let receivedAbove = 0;
  for (const f of fields) {
    if (/^received$/i.test(f.name)) {
      receivedAbove++;
      continue;
    }
    positioned.push({ ...f, above: receivedAbove < kept.length ? kept.length - 1 - receivedAbove : -1 });
  }
  const authentication: StatedAuthentication[] = positioned
    .filter((f) => /^(arc-)?authentication-results$/i.test(f.name))
    .slice(0, 100)
    .map((f) => {
      const arc = /^arc-/i.test(f.name);
      const parsed = parseAuthenticationResults(f.value, arc);
      return {
        field: arc ? 'ARC-Authentication-Results' : 'Authentication-Results',
        authservId: parsed.authservId,
        ...(parsed.instance !== undefined ? { instance: parsed.instance } : {}),
        results: parsed.results,
        above: f.above,
        ...(trustOf ? { trust: f.above < 0 ? 'sender-side' : trustOf(f.above) } : {}),
        ...(parsed.problem ? { problem: parsed.problem } : {}),
        raw: `${f.name}: ${f.value}`.slice(0, 2000),
      };
    });
  const header = (name: string): string | undefined => fields.find((f) => f.name.toLowerCase() === name)?.value;
  const requireTls = positioned.find((f) => /^require-tls-esmtp$/i.test(f.name) && /^yes$/i.test(f.value.trim()));
  return {
    ...(header('message-id') ? { messageId: header('message-id') as string } : {}),
    ...(header('subject') ? { subject: header('subject') as string } : {}),
    hops: trusted,
    requireTlsEsmtp: requireTls !== undefined,
    ...(requireTls && requireTls.above >= 0 ? { requireTlsEsmtpAbove: requireTls.above } : {}),
    tlsRequiredNo: fields.some((f) => /^tls-required$/i.test(f.name) && /^no$/i.test(f.value.trim())),
    authentication,
    ...(provider ? { provider } : {}),
    truncated: Math.max(0, received.length - MAX_HOPS),
  };
}

/** The Message-ID of a message, for finding it in Sent (the header block only). */
export function messageIdOf(raw: Buffer): string | undefined {
  return headerFields(raw).find((f) => /^message-id$/i.test(f.name))?.value;
}

/** The From address of a message (the first one), for finding which account sent it. */
export function fromAddressOf(raw: Buffer): string | undefined {
  const from = headerFields(raw).find((f) => /^from$/i.test(f.name))?.value;
  return from ? (/<([^<>\s]+@[^<>\s]+)>/.exec(from)?.[1] ?? /([^\s<>,;:"]+@[^\s<>,;:"]+)/.exec(from)?.[1])?.toLowerCase() : undefined;
}

/**
 * The path, and the DKIM signatures and ARC chain verified now when a resolver is given (`null`: not verified,
 * said so). A verification that cannot run is recorded as `verifyProblem`, never as a pass.
 */
export async function analyzeDeliveredCopy(raw: Buffer, options: { readonly provider?: ProviderHint; readonly resolver: Resolver | null; readonly now?: Date }): Promise<DeliveredPath> {
  const path = analyzeDelivered(raw, options.provider ? { provider: options.provider } : {});
  if (!options.resolver) return path;
  try {
    return { ...path, verified: await verifyAuthentication(raw, options.resolver, options.now) };
  } catch (error) {
    return { ...path, verifyProblem: `DKIM and ARC could not be verified: ${(error as Error).message}` };
  }
}
