import type { Attempt, ForecastEvidence, MtaStsPolicy, MxHostCheck } from '../../../shared/types/posture.js';

/**
 * The facts about one MX host that decide what a sending relay does with a message, read once from the host's
 * checks. Each fact is either established or `unknown`: a fact that could not be checked never counts for or
 * against delivery.
 */
export interface MxFacts {
  readonly name: string;
  readonly preference: number;
  /** The server answered on port 25 from here and its checks ran. */
  readonly checked: boolean;
  readonly notChecked?: string;
  /** The domain's MX answer was DNSSEC-validated. */
  readonly mxSecure: boolean;
  readonly starttls: 'offered' | 'absent' | 'refused' | 'unknown';
  /** A TLS handshake completed (the certificate was seen, trusted or not). */
  readonly tls: 'established' | 'failed' | 'unknown';
  /** The certificate chains to a trusted root, matches the MX name and is in its validity period. */
  readonly pkix: 'valid' | 'invalid' | 'unknown';
  /**
   * DANE as RFC 7672 §2.2 applies it: only with a validated MX, validated addresses and validated TLSA records.
   * `none`: DANE does not apply; `unusable`: only unusable records (TLS required, certificate not authenticated).
   */
  readonly dane: 'match' | 'mismatch' | 'unusable' | 'none' | 'unknown';
  /** An MTA-STS policy in enforce mode lists this MX (`listed`) or not; `none`: no enforced policy. */
  readonly sts: 'listed' | 'not-listed' | 'none' | 'unknown';
  readonly requireTls: 'advertised' | 'absent' | 'unknown';
  /** One line of evidence per fact above, keyed by the fact. */
  readonly evidence: Readonly<Record<'reachability' | 'mx' | 'starttls' | 'tls' | 'certificate' | 'tlsa' | 'mta-sts' | 'requiretls', string>>;
}

/** What the forecast needs about the domain as a whole. */
export interface DomainFacts {
  readonly domain: string;
  readonly mxSecure: boolean;
  readonly mtaSts: Attempt<{ readonly record: boolean; readonly policy?: MtaStsPolicy; readonly problem?: string }>;
}

/** Reads the decisive facts from one MX host's checks. */
export function mxFacts(host: MxHostCheck, domain: DomainFacts): MxFacts {
  const result = host.server.status === 'completed' ? host.server.result : undefined;
  const checked = host.reachability === 'reachable' && result !== undefined;
  const notChecked = checked ? undefined : host.server.status !== 'completed' ? host.server.reason : result?.connection.status === 'error' ? `could not connect from here: ${result.connection.reason}` : 'not checked';
  // Facts that need the connection are read only from a host that was reached.
  const server = checked ? result : undefined;

  let starttls: MxFacts['starttls'] = 'unknown';
  let starttlsText = 'STARTTLS could not be checked';
  if (server?.starttls.status === 'completed') {
    const s = server.starttls.result;
    starttls = !s.offered ? 'absent' : s.accepted ? 'offered' : 'refused';
    starttlsText = !s.offered ? 'STARTTLS is not offered' : s.accepted ? 'STARTTLS offered and accepted' : `STARTTLS refused (${s.reply ?? 'no reply'})`;
  }

  let tls: MxFacts['tls'] = 'unknown';
  let tlsText = 'TLS could not be checked';
  if (server?.tls.status === 'completed') {
    tls = 'established';
    tlsText = `TLS established (${server.tls.result.protocol}, ${server.tls.result.cipher})`;
  } else if (server?.tls.status === 'error' && server.tls.reason.startsWith('TLS handshake refused by the server')) {
    tls = 'failed';
    tlsText = `the TLS handshake failed (${server.tls.reason})`;
  } else if (starttls === 'absent' || starttls === 'refused') tlsText = 'no TLS: STARTTLS unavailable';

  const cert = server?.certificate.status === 'completed' ? server.certificate.result : undefined;
  const pkix: MxFacts['pkix'] = !cert ? 'unknown' : cert.chainTrusted && cert.hostnameMatched && !cert.expired && !cert.notYetValid ? 'valid' : 'invalid';
  const certText = !cert
    ? 'the certificate was not seen'
    : pkix === 'valid'
      ? `certificate valid for ${host.name} (issuer ${cert.leaf.issuer})`
      : `certificate not valid for ${host.name}: ${[!cert.chainTrusted ? `chain not trusted (${cert.chainError ?? 'unknown issuer'})` : '', !cert.hostnameMatched ? 'name mismatch' : '', cert.expired ? 'expired' : '', cert.notYetValid ? 'not yet valid' : ''].filter(Boolean).join(', ')}`;

  const { dane, daneText } = daneFact(host, domain.mxSecure, cert?.hostnameMatched);
  const { sts, stsText } = stsFact(host, domain);

  let requireTls: MxFacts['requireTls'] = 'unknown';
  let requireTlsText = 'REQUIRETLS could not be checked (EHLO over TLS was not reached)';
  if (server?.extensions.status === 'completed') {
    requireTls = server.extensions.result.requireTlsAfterTls ? 'advertised' : 'absent';
    requireTlsText = requireTls === 'advertised' ? 'REQUIRETLS advertised after TLS' : 'REQUIRETLS not advertised after TLS';
  }

  return {
    name: host.name,
    preference: host.preference,
    checked,
    ...(notChecked ? { notChecked } : {}),
    mxSecure: domain.mxSecure,
    starttls,
    tls,
    pkix,
    dane,
    sts,
    requireTls,
    evidence: {
      reachability: checked ? 'reachable on port 25 from here' : `not checked: ${notChecked}`,
      mx: domain.mxSecure ? `the MX answer for ${domain.domain} is DNSSEC-validated` : `the MX answer for ${domain.domain} is not DNSSEC-validated`,
      starttls: starttlsText,
      tls: tlsText,
      certificate: certText,
      tlsa: daneText,
      'mta-sts': stsText,
      requiretls: requireTlsText,
    },
  };
}

function daneFact(host: MxHostCheck, mxSecure: boolean, hostnameMatched: boolean | undefined): { dane: MxFacts['dane']; daneText: string } {
  // RFC 7672 §2.2.1: an MX found without DNSSEC gets no DANE, whatever its TLSA records say.
  if (!mxSecure) return { dane: 'none', daneText: 'DANE does not apply: the MX answer is not DNSSEC-validated' };
  if (host.dane.status !== 'completed') return { dane: 'unknown', daneText: `the TLSA lookup failed (${host.dane.reason})` };
  const d = host.dane.result;
  if (d.records.length === 0) return { dane: 'none', daneText: `no TLSA records at _25._tcp.${host.name}` };
  if (!d.authenticated) return { dane: 'none', daneText: `the TLSA records of ${host.name} are not DNSSEC-validated, so DANE does not apply` };
  // RFC 7672 §2.2.2: the address records must be secure too before TLSA records are used.
  if (host.addresses.status !== 'completed') return { dane: 'unknown', daneText: `the addresses of ${host.name} could not be looked up` };
  if (!host.addresses.result.authenticated) return { dane: 'none', daneText: `the address records of ${host.name} are not DNSSEC-validated, so DANE does not apply` };
  const usable = d.records.filter((r) => r.usable);
  const list = (records: typeof d.records): string => records.map((r) => `${r.usage} ${r.selector} ${r.matchingType} ${r.data.slice(0, 16)}…: ${r.detail}`).join('; ');
  if (usable.length === 0) return { dane: 'unusable', daneText: `TLSA records exist but none is usable for SMTP (RFC 7672 §3.1.3): ${list(d.records)}` };
  if (hostnameMatched === undefined || usable.some((r) => r.detail.startsWith('not compared'))) return { dane: 'unknown', daneText: `validated TLSA records, not compared: no certificate was seen (${list(usable)})` };
  // RFC 7672 §3.2.2: a DANE-TA(2) match also needs the MX name in the certificate; DANE-EE(3) does not.
  const matched = usable.filter((r) => r.matched && (r.usage === 3 || hostnameMatched === true));
  if (matched.length > 0) return { dane: 'match', daneText: `validated TLSA record matches: ${list(matched)}` };
  return { dane: 'mismatch', daneText: `validated TLSA records do not match the certificate: ${list(usable)}${usable.some((r) => r.matched && r.usage === 2) ? ' (a DANE-TA record matched, but the certificate does not carry the MX name)' : ''}` };
}

function stsFact(host: MxHostCheck, domain: DomainFacts): { sts: MxFacts['sts']; stsText: string } {
  if (domain.mtaSts.status !== 'completed') return { sts: 'unknown', stsText: `the MTA-STS lookup failed (${domain.mtaSts.reason})` };
  const m = domain.mtaSts.result;
  if (!m.record) return { sts: 'none', stsText: `${domain.domain} publishes no MTA-STS record` };
  if (!m.policy) return { sts: 'none', stsText: `no usable MTA-STS policy (${m.problem ?? 'invalid'}); senders without a cached copy treat the domain as having none` };
  const p = m.policy;
  if (p.mode !== 'enforce') return { sts: 'none', stsText: `MTA-STS policy id ${p.id} is in ${p.mode} mode: senders do not enforce it (RFC 8461 §5)` };
  const matched = host.mtaStsMatch.status === 'completed' && host.mtaStsMatch.result.matched;
  return matched
    ? { sts: 'listed', stsText: `MTA-STS policy id ${p.id} (enforce) lists ${host.name}` }
    : { sts: 'not-listed', stsText: `MTA-STS policy id ${p.id} (enforce) does not list ${host.name} (mx: ${p.mx.join(', ')})` };
}

/** Evidence lines for the facts named, with how each bears on the verdict. */
export function evidenceOf(facts: MxFacts, items: readonly (readonly [keyof MxFacts['evidence'], ForecastEvidence['bearing']])[]): ForecastEvidence[] {
  const kind = (key: keyof MxFacts['evidence']): ForecastEvidence['kind'] => (key === 'mx' ? 'dnssec' : key);
  return items.map(([key, bearing]) => ({ kind: kind(key), subject: facts.name, bearing, detail: facts.evidence[key] }));
}
