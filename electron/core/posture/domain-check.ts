import { domainToASCII } from 'node:url';
import type { Attempt, DomainCheckResult, Finding, Forecast, MtaStsPolicy, MxHostCheck, ServerCheckResult, TlsaMatchResult } from '../../../shared/types/posture.js';
import { recordData, txtStrings, type Resolver } from '../dns/dns-client.js';
import { inputError } from '../errors.js';
import type { Timeouts } from '../smtp/session-steps.js';
import { matchTlsa } from './dane.js';
import { finding } from './findings.js';
import { lookupMtaSts, mxAllowed, type MtaStsLookup } from './mta-sts.js';
import { checkServer } from './server-check.js';

/** What to check, and through what: the resolver and the extra trusted CA are parameters, so tests stay local. */
export interface DomainCheckOptions {
  readonly domain: string;
  readonly resolver: Resolver;
  /** Trusted besides the system roots, for MX certificates and the MTA-STS policy host. */
  readonly extraCaPem?: string;
  /** Port 25 unless a test says otherwise. */
  readonly smtpPort?: number;
  readonly httpsPort?: number;
  /** At most this many MX hosts are checked (in preference order, in parallel). */
  readonly maxMx?: number;
  readonly timeouts?: Partial<Timeouts>;
}

const done = <T>(result: T): Attempt<T> => ({ status: 'completed', result });
const failed = <T>(reason: string): Attempt<T> => ({ status: 'error', reason });
const skipped = <T>(reason: string): Attempt<T> => ({ status: 'not-run', reason });
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

async function attempt<T>(run: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return done(await run());
  } catch (error) {
    return failed((error as Error).message);
  }
}

/**
 * Checks a recipient domain's delivery security: MX (with DNSSEC), each MX's server posture on port 25,
 * MTA-STS (RFC 8461), DANE (RFC 7672), TLS-RPT (RFC 8460), and a forecast of the last hop for each security choice.
 */
export async function checkDomain(options: DomainCheckOptions): Promise<DomainCheckResult> {
  const domain = domainToASCII(options.domain.trim().replace(/\.$/, '')).toLowerCase();
  if (!domain || !domain.split('.').every((l) => LABEL.test(l))) throw inputError('domain', `"${options.domain}" is not a domain name.`);
  const { resolver } = options;
  const startedAt = new Date();
  const t0 = performance.now();
  const findings: Finding[] = [];

  const [mx, mtaSts, tlsRpt] = await Promise.all([
    attempt(() => lookupMx(domain, resolver)),
    attempt(() => lookupMtaSts(domain, resolver, { ...(options.extraCaPem ? { extraCaPem: options.extraCaPem } : {}), ...(options.httpsPort ? { httpsPort: options.httpsPort } : {}) })),
    attempt(async () => {
      const record = txtStrings(await resolver.query(`_smtp._tls.${domain}`, 'TXT')).find((t) => /^v=TLSRPTv1\b/i.test(t));
      return record ? { record } : {};
    }),
  ]);

  const policy = mtaSts.status === 'completed' ? mtaSts.result.policy : undefined;
  const hosts = mx.status === 'completed' ? mx.result.hosts.slice(0, options.maxMx ?? 5) : [];
  const mxAuthenticated = mx.status === 'completed' && mx.result.authenticated;
  const mxHosts = await Promise.all(hosts.map((host) => checkMxHost(host, { ...options, policy, mxAuthenticated, mtaSts })));

  // Findings about the domain.
  if (mx.status === 'completed') {
    if (mx.result.nullMx || mx.result.hosts.length === 0) findings.push(finding('mx.none', domain));
    if (mx.result.implicit) findings.push(finding('mx.implicit', domain));
    findings.push(finding(mx.result.authenticated ? 'dnssec.signed' : 'dnssec.unsigned', domain));
  }
  if (mtaSts.status === 'completed') {
    const m = mtaSts.result;
    if (!m.record) findings.push(finding('mta-sts.missing', domain));
    else if (!m.policy) findings.push(finding('mta-sts.invalid', domain, m.problem));
    else findings.push(finding(m.policy.mode === 'enforce' ? 'mta-sts.enforce' : m.policy.mode === 'testing' ? 'mta-sts.testing' : 'mta-sts.none', domain, `max_age ${m.policy.maxAge}; mx ${m.policy.mx.join(', ')}`));
  }
  if (tlsRpt.status === 'completed') findings.push(tlsRpt.result.record ? finding('tlsrpt.present', domain, tlsRpt.result.record) : finding('tlsrpt.missing', domain));
  for (const host of mxHosts) {
    if (host.reachability === 'unreachable') findings.push(finding('mx.unreachable', host.name, host.server.status === 'completed' && host.server.result.connection.status === 'error' ? host.server.result.connection.reason : undefined));
    if (host.mtaStsMatch.status === 'completed' && !host.mtaStsMatch.result.matched && policy && policy.mode !== 'none') findings.push(finding('mta-sts.mx-mismatch', host.name, `policy lists ${policy.mx.join(', ')}`));
    if (host.dane.status === 'completed') {
      const d = host.dane.result;
      if (d.records.length === 0) findings.push(finding('dane.missing', host.name));
      else if (!d.authenticated) findings.push(finding('dane.unvalidated', host.name));
      else if (d.valid) findings.push(finding('dane.valid', host.name, d.records.filter((r) => r.matched).map((r) => `${r.usage} ${r.selector} ${r.matchingType}`).join('; ')));
      else if (host.reachability === 'reachable') findings.push(finding('dane.mismatch', host.name, d.records.map((r) => r.detail).join('; ')));
    }
  }

  return {
    domain,
    resolver: `${resolver.address.host}:${resolver.address.port}`,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    mx,
    mxHosts,
    mtaSts,
    tlsRpt,
    forecast: forecast(domain, mx, mxHosts, mtaSts),
    findings,
  };
}

async function lookupMx(domain: string, resolver: Resolver): Promise<{ hosts: { name: string; preference: number }[]; authenticated: boolean; implicit: boolean; nullMx: boolean }> {
  const answer = await resolver.query(domain, 'MX');
  if (answer.rcode === 'NXDOMAIN') throw new Error(`${domain} does not exist (NXDOMAIN)`);
  if (answer.rcode !== 'NOERROR') throw new Error(`the resolver answered ${answer.rcode}`);
  const records = answer.answers
    .map((a) => recordData(a) as { preference: number; exchange: string })
    .map((r) => ({ name: r.exchange.replace(/\.$/, '').toLowerCase(), preference: r.preference }))
    .sort((a, b) => a.preference - b.preference);
  // RFC 7505: a single MX of "." says the domain accepts no mail.
  if (records.length === 1 && records[0]?.name === '') return { hosts: [], authenticated: answer.authenticated, implicit: false, nullMx: true };
  if (records.length > 0) return { hosts: records, authenticated: answer.authenticated, implicit: false, nullMx: false };
  // RFC 5321 §5.1: no MX, so the domain itself is the mail host.
  const address = await resolver.query(domain, 'A');
  return { hosts: address.answers.length ? [{ name: domain, preference: 0 }] : [], authenticated: answer.authenticated, implicit: true, nullMx: false };
}

interface HostContext extends DomainCheckOptions {
  readonly policy?: MtaStsPolicy;
  readonly mxAuthenticated: boolean;
  readonly mtaSts: Attempt<MtaStsLookup>;
}

async function checkMxHost(host: { name: string; preference: number }, context: HostContext): Promise<MxHostCheck> {
  const { resolver } = context;
  const [addresses, tlsa] = await Promise.all([
    attempt(async () => {
      const answer = await resolver.query(host.name, 'A');
      return { addresses: answer.answers.map((a) => String(recordData(a))), authenticated: answer.authenticated };
    }),
    attempt(() => resolver.query(`_25._tcp.${host.name}`, 'TLSA')),
  ]);
  const address = addresses.status === 'completed' ? addresses.result.addresses[0] : undefined;
  const server: Attempt<ServerCheckResult> = address
    ? await attempt(() =>
        checkServer({
          host: address,
          port: context.smtpPort ?? 25,
          security: 'starttls',
          tlsName: host.name,
          ...(context.extraCaPem ? { extraCaPem: context.extraCaPem } : {}),
          ...(context.timeouts ? { timeouts: context.timeouts } : {}),
        }),
      )
    : skipped(addresses.status === 'completed' ? `${host.name} has no IPv4 address` : `its address could not be resolved: ${addresses.status === 'error' ? addresses.reason : ''}`);
  const reachability = server.status !== 'completed' ? 'not-checked' : server.result.connection.status === 'completed' ? 'reachable' : 'unreachable';

  const mtaStsMatch: MxHostCheck['mtaStsMatch'] = context.policy
    ? done(mxAllowed(host.name, context.policy))
    : context.mtaSts.status === 'completed'
      ? skipped('no MTA-STS policy')
      : skipped('the MTA-STS lookup failed');

  const certificate = server.status === 'completed' && server.result.certificate.status === 'completed' ? server.result.certificate.result : undefined;
  let dane: MxHostCheck['dane'];
  if (tlsa.status !== 'completed') dane = failed(tlsa.reason);
  else {
    const records = tlsa.result.answers.map((a) => recordData(a) as { usage: number; selector: number; matchingType: number; certificate: Buffer });
    const normalised = records.map((r) => ({ usage: r.usage, selector: r.selector, matchingType: r.matchingType, data: Buffer.from(r.certificate).toString('hex') }));
    const matches: TlsaMatchResult[] = certificate
      ? matchTlsa(normalised, certificate.derBase64.map((b) => Buffer.from(b, 'base64'))).map((m) => ({ ...m.record, matched: m.matched, usable: m.usable, detail: m.detail }))
      : normalised.map((r) => ({ ...r, matched: false, usable: r.usage === 2 || r.usage === 3, detail: 'not compared: no certificate was seen' }));
    dane = done({ authenticated: tlsa.result.authenticated, records: matches, valid: tlsa.result.authenticated && matches.some((m) => m.matched && m.usable) });
  }

  return { name: host.name, preference: host.preference, addresses, reachability, server, mtaStsMatch, dane, requireTls: requireTlsForHost(host.name, context, server, mtaStsMatch, dane) };
}

/** RFC 8689 §4.2.1 for one MX: found securely, TLS with an authenticated certificate, REQUIRETLS after TLS. */
function requireTlsForHost(name: string, context: HostContext, server: Attempt<ServerCheckResult>, mtaStsMatch: MxHostCheck['mtaStsMatch'], dane: MxHostCheck['dane']): MxHostCheck['requireTls'] {
  const reasons: string[] = [];
  let blocked = false;
  const fail = (reason: string): void => {
    reasons.push(reason);
    blocked = true;
  };
  const stsMatched = mtaStsMatch.status === 'completed' && mtaStsMatch.result.matched;
  if (context.mxAuthenticated) reasons.push('MX record DNSSEC-validated');
  else if (stsMatched) reasons.push('MX listed in the MTA-STS policy');
  else fail('the MX was not found securely (no DNSSEC, not listed in an MTA-STS policy)');

  if (server.status !== 'completed' || server.result.connection.status !== 'completed') {
    reasons.push(`${name} could not be checked from here`);
    return { deliverable: blocked ? false : 'unknown', reasons };
  }
  const s = server.result;
  if (s.tls.status !== 'completed') fail('no TLS session could be established');
  const cert = s.certificate.status === 'completed' ? s.certificate.result : undefined;
  const pkixOk = cert !== undefined && cert.chainTrusted && cert.hostnameMatched && !cert.expired;
  const daneOk = dane.status === 'completed' && dane.result.valid;
  if (daneOk) reasons.push('certificate authenticated by DANE');
  else if (pkixOk) reasons.push(`certificate valid for ${name}`);
  else if (cert) fail(`the certificate is not valid for ${name} (${cert.chainError ?? (cert.hostnameMatched ? 'expired' : 'name mismatch')})`);
  if (s.extensions.status === 'completed') {
    if (s.extensions.result.requireTlsAfterTls) reasons.push('REQUIRETLS advertised after TLS');
    else fail('REQUIRETLS is not advertised');
  }
  return { deliverable: !blocked, reasons };
}

function forecast(domain: string, mx: DomainCheckResult['mx'], hosts: readonly MxHostCheck[], mtaSts: Attempt<MtaStsLookup>): DomainCheckResult['forecast'] {
  const policy = mtaSts.status === 'completed' ? mtaSts.result.policy : undefined;
  const reachable = hosts.filter((h) => h.reachability === 'reachable');
  const hasDane = hosts.some((h) => h.dane.status === 'completed' && h.dane.result.authenticated && h.dane.result.records.length > 0);
  const noMx = mx.status !== 'completed' || hosts.length === 0;
  const unknown = (summary: string): Forecast => ({ verdict: 'unknown', summary, reasons: [] });
  const noMxSummary = mx.status === 'completed' ? `${domain} publishes no mail server.` : `The MX records of ${domain} could not be looked up (${mx.reason}), so nothing can be forecast.`;

  let requireTls: Forecast;
  if (noMx) requireTls = unknown(noMxSummary);
  else if (hosts.some((h) => h.requireTls.deliverable === true)) {
    const host = hosts.find((h) => h.requireTls.deliverable === true)!;
    requireTls = { verdict: 'deliverable', summary: `A compliant relay can deliver a REQUIRETLS message to ${host.name}.`, reasons: host.requireTls.reasons };
  } else if (hosts.every((h) => h.requireTls.deliverable === false)) {
    requireTls = { verdict: 'will-bounce', summary: `No MX of ${domain} meets RFC 8689's requirements: a message sent with "Require TLS on every hop" will bounce with 5.7.30.`, reasons: hosts.flatMap((h) => h.requireTls.reasons.map((r) => `${h.name}: ${r}`)) };
  } else requireTls = { verdict: 'unknown', summary: 'Some MX hosts could not be checked from here, so delivery with REQUIRETLS cannot be forecast.', reasons: hosts.flatMap((h) => h.requireTls.reasons.map((r) => `${h.name}: ${r}`)) };

  let normal: Forecast;
  const allDane = hosts.length > 0 && hosts.every((h) => h.dane.status === 'completed' && h.dane.result.valid);
  const stsEnforced = policy?.mode === 'enforce' && hosts.every((h) => h.mtaStsMatch.status === 'completed' && h.mtaStsMatch.result.matched);
  if (noMx) normal = unknown(noMxSummary);
  else if (allDane || stsEnforced) normal = { verdict: 'policy-protected', summary: `Delivery is protected by policy: senders that honour ${allDane ? 'DANE' : 'MTA-STS'} deliver only over verified TLS.`, reasons: [allDane ? 'every MX has a validated, matching TLSA record' : 'MTA-STS in enforce mode lists every MX'] };
  else if (reachable.length === 0) normal = unknown('No MX could be reached from here, so the last hop could not be checked.');
  else if (reachable.some((h) => h.server.status === 'completed' && h.server.result.starttls.status === 'completed' && !h.server.result.starttls.result.offered)) normal = { verdict: 'cleartext-possible', summary: 'At least one MX does not offer STARTTLS: mail to it travels in cleartext.', reasons: reachable.filter((h) => h.server.status === 'completed' && h.server.result.starttls.status === 'completed' && !h.server.result.starttls.result.offered).map((h) => `${h.name}: no STARTTLS`) };
  else normal = { verdict: 'opportunistic', summary: 'The MX hosts offer TLS, but nothing tells senders to insist on it: an active attacker can strip it.', reasons: [policy ? `MTA-STS is in ${policy.mode} mode` : 'no MTA-STS policy', hasDane ? 'DANE records do not cover every MX' : 'no DANE'] };

  const ignored: string[] = [];
  if (policy?.mode === 'enforce') ignored.push('its MTA-STS policy (enforce)');
  if (hasDane) ignored.push('its DANE TLSA records');
  const policiesUnknown = mtaSts.status !== 'completed' || noMx || hosts.some((h) => h.dane.status !== 'completed');
  const optional: Forecast = !ignored.length && policiesUnknown
    ? unknown(`${domain}'s MTA-STS and DANE policies could not all be checked, so what "TLS-Required: No" would override is unknown.`)
    : ignored.length
    ? { verdict: 'policy-ignored', summary: `${domain} asks senders to require TLS through ${ignored.join(' and ')}; "TLS-Required: No" tells relays to ignore that and deliver even without TLS.`, reasons: ignored }
    : { verdict: 'no-policy-to-ignore', summary: `${domain} publishes no policy requiring TLS, so "TLS-Required: No" changes little: relays already fall back to cleartext when TLS fails.`, reasons: [] };

  return { 'require-tls': requireTls, default: normal, 'tls-optional': optional };
}
