import { domainToASCII } from 'node:url';
import type { Attempt, CheckStep, DomainCheckResult, Finding, MtaStsPolicy, MxHostCheck, ServerCheckResult, TlsaMatchResult } from '../../../shared/types/posture.js';
import { recordData, txtStrings, type Resolver } from '../dns/dns-client.js';
import { inputError } from '../errors.js';
import type { Timeouts } from '../smtp/session-steps.js';
import { matchTlsa } from './dane.js';
import { addressDisagreement } from './host-addresses.js';
import { finding } from './findings.js';
import { forecastDomain, requireTlsForHost } from './forecast.js';
import { lookupMtaSts, mxAllowed, type MtaStsLookup } from './mta-sts.js';
import type { MtaStsCache } from './mta-sts-cache.js';
import { DEFAULT_CHECK_DEADLINE_MS, allowListeners, cancelledCheck, checkServer, report } from './server-check.js';

/** What to check, and through what: the resolver and the extra trusted CA are parameters, so tests stay local. */
export interface DomainCheckOptions {
  readonly domain: string;
  readonly resolver: Resolver;
  /** Trusted besides the system roots, for MX certificates and the MTA-STS policy host. */
  readonly extraCaPem?: string;
  /** Port 25 unless a test says otherwise. */
  readonly smtpPort?: number;
  readonly httpsPort?: number;
  /** MTA-STS policies kept as a sender keeps them (RFC 8461 §5.1); without one, every check fetches. */
  readonly mtaStsCache?: MtaStsCache;
  /** At most this many MX hosts are checked (in preference order, in parallel). */
  readonly maxMx?: number;
  readonly timeouts?: Partial<Timeouts>;
  /** The whole domain check ends after this long (default DEFAULT_DOMAIN_DEADLINE_MS). */
  readonly deadlineMs?: number;
  /** Cancels the check: probes stop at once and checkDomain rejects with ECANCELLED. */
  readonly signal?: AbortSignal;
  /** Called as each lookup and each MX host's check starts and ends. */
  readonly onProgress?: (step: CheckStep) => void;
}

/** At most this many addresses of one MX are checked (A first, then AAAA), in parallel. */
export const MAX_MX_ADDRESSES = 4;

/** How long a domain check may take in all: DNS, MTA-STS and every MX checked in parallel. */
export const DEFAULT_DOMAIN_DEADLINE_MS = 90_000;

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
  if (!domain || domain.length > 253 || !domain.split('.').every((l) => LABEL.test(l))) throw inputError('domain', `"${options.domain}" is not a domain name${domain.length > 253 ? ' (longer than 253 characters)' : ''}.`);
  const { resolver } = options;
  const startedAt = new Date();
  const t0 = performance.now();
  const findings: Finding[] = [];

  if (options.signal?.aborted) throw cancelledCheck();
  const tracked = async <T>(id: string, label: string, run: () => Promise<Attempt<T>>): Promise<Attempt<T>> => {
    report(options.onProgress, { id, label, state: 'running' });
    const result = await run();
    report(options.onProgress, { id, label, state: result.status === 'completed' ? 'done' : 'stopped', ...(result.status !== 'completed' ? { detail: result.reason } : {}) });
    return result;
  };

  const [mx, mtaSts, tlsRpt] = await Promise.all([
    tracked('mx', 'MX records and their DNSSEC status', () => attempt(() => lookupMx(domain, resolver))),
    tracked('mta-sts', 'MTA-STS record and policy', () => attempt(() => lookupMtaSts(domain, resolver, { ...(options.extraCaPem ? { extraCaPem: options.extraCaPem } : {}), ...(options.httpsPort ? { httpsPort: options.httpsPort } : {}), ...(options.mtaStsCache ? { cache: options.mtaStsCache } : {}) }))),
    tracked('tls-rpt', 'TLS-RPT record', () =>
      attempt(async () => {
        const record = txtStrings(await resolver.query(`_smtp._tls.${domain}`, 'TXT')).find((t) => /^v=TLSRPTv1\b/i.test(t));
        return record ? { record } : {};
      }),
    ),
  ]);
  if (options.signal?.aborted) throw cancelledCheck();

  const policy = mtaSts.status === 'completed' ? mtaSts.result.policy : undefined;
  const hosts = mx.status === 'completed' ? mx.result.hosts.slice(0, options.maxMx ?? 5) : [];
  const mxAuthenticated = mx.status === 'completed' && mx.result.authenticated;
  const deadlineAt = t0 + (options.deadlineMs ?? DEFAULT_DOMAIN_DEADLINE_MS);
  if (options.signal) allowListeners(options.signal, 16 * Math.max(1, hosts.length));
  const mxHosts = await Promise.all(
    hosts.map(async (host) => {
      const label = `${host.name}: addresses, TLSA records and the server on port ${options.smtpPort ?? 25}`;
      report(options.onProgress, { id: `mx:${host.name}`, label, state: 'running' });
      const checked = await checkMxHost(host, { ...options, policy, mxAuthenticated, mtaSts, deadlineAt });
      const server = checked.server;
      report(options.onProgress, { id: `mx:${host.name}`, label, state: server.status === 'completed' && checked.reachability === 'reachable' ? 'done' : 'stopped', ...(server.status !== 'completed' ? { detail: server.reason } : checked.reachability !== 'reachable' ? { detail: 'not reachable' } : {}) });
      return checked;
    }),
  );
  if (options.signal?.aborted) throw cancelledCheck();

  // Findings about the domain.
  if (mx.status === 'completed') {
    if (mx.result.nullMx || mx.result.hosts.length === 0) findings.push(finding('mx.none', domain));
    if (mx.result.implicit) findings.push(finding('mx.implicit', domain));
    findings.push(finding(mx.result.authenticated ? 'dnssec.signed' : 'dnssec.unsigned', domain));
  }
  if (mtaSts.status === 'completed') {
    const m = mtaSts.result;
    if (!m.policy && !m.record) findings.push(finding('mta-sts.missing', domain));
    else if (!m.policy) findings.push(finding('mta-sts.invalid', domain, m.problem));
    else findings.push(finding(m.policy.mode === 'enforce' ? 'mta-sts.enforce' : m.policy.mode === 'testing' ? 'mta-sts.testing' : 'mta-sts.none', domain, `max_age ${m.policy.maxAge}; mx ${m.policy.mx.join(', ')}${m.source === 'cache' ? `; from the cache (fetched ${m.cachedAt}; the record's id is unchanged)` : ''}`));
    if (m.source === 'cache-fallback') findings.push(finding('mta-sts.cached-fallback', domain, m.problem));
  }
  if (tlsRpt.status === 'completed') findings.push(tlsRpt.result.record ? finding('tlsrpt.present', domain, tlsRpt.result.record) : finding('tlsrpt.missing', domain));
  for (const host of mxHosts) {
    if (host.reachability === 'unreachable') findings.push(finding('mx.unreachable', host.name, host.server.status === 'completed' && host.server.result.connection.status === 'error' ? host.server.result.connection.reason : undefined));
    const disagreement = addressDisagreement(host.addressChecks ?? []);
    if (disagreement) findings.push(finding('mx.addresses-disagree', host.name, disagreement));
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
    // Each address of an MX stands for itself in the forecast: a relay may reach any of them.
    forecast: forecastDomain({ domain, mxSecure: mxAuthenticated, mtaSts, mx, hosts: mxHosts.flatMap((h) => (h.addressChecks ?? [{ server: h.server }]).map((a) => ({ ...h, server: a.server }))) }),
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
  readonly deadlineAt: number;
  readonly policy?: MtaStsPolicy;
  readonly mxAuthenticated: boolean;
  readonly mtaSts: Attempt<MtaStsLookup>;
}

async function checkMxHost(host: { name: string; preference: number }, context: HostContext): Promise<MxHostCheck> {
  const { resolver } = context;
  const [addresses, tlsa] = await Promise.all([
    attempt(async () => {
      // IPv4 and IPv6 alike: a relay may reach either, so each is checked.
      const [a, aaaa] = await Promise.all([resolver.query(host.name, 'A'), resolver.query(host.name, 'AAAA')]);
      const found = [...a.answers, ...aaaa.answers].filter((r) => r.type === 'A' || r.type === 'AAAA').map((r) => String(recordData(r)));
      return { addresses: found, authenticated: a.authenticated && aaaa.authenticated };
    }),
    attempt(() => resolver.query(`_25._tcp.${host.name}`, 'TLSA')),
  ]);
  const all = addresses.status === 'completed' ? addresses.result.addresses.slice(0, MAX_MX_ADDRESSES) : [];
  const address = all[0];
  // RFC 7672 §2.2: TLSA records count only when the MX, its addresses and the records themselves are validated.
  // The checker then authenticates the certificate as a DANE-aware relay would, so a DANE-only MX (say, a
  // self-signed certificate under a DANE-EE record) is checked to the end instead of stopping at "untrusted".
  const daneRecords =
    context.mxAuthenticated && addresses.status === 'completed' && addresses.result.authenticated && tlsa.status === 'completed' && tlsa.result.authenticated
      ? tlsa.result.answers
          .map((a) => recordData(a) as { usage: number; selector: number; matchingType: number; certificate: Buffer })
          .filter((r) => (r.usage === 2 || r.usage === 3) && r.selector <= 1 && r.matchingType <= 2)
          .map((r) => ({ usage: r.usage, selector: r.selector, matchingType: r.matchingType, data: Buffer.from(r.certificate).toString('hex') }))
      : [];
  const checkAddress = (address: string): Promise<Attempt<ServerCheckResult>> =>
    attempt(() =>
        checkServer({
          host: address,
          port: context.smtpPort ?? 25,
          security: 'starttls',
          tlsName: host.name,
          ...(context.extraCaPem ? { extraCaPem: context.extraCaPem } : {}),
          ...(context.timeouts ? { timeouts: context.timeouts } : {}),
          ...(daneRecords.length ? { daneRecords } : {}),
          ...(context.signal ? { signal: context.signal } : {}),
          deadlineMs: Math.max(1, Math.min(DEFAULT_CHECK_DEADLINE_MS, context.deadlineAt - performance.now())),
        }),
      );
  const perAddress = await Promise.all(all.map(async (a) => ({ address: a, server: await checkAddress(a) })));
  const server: Attempt<ServerCheckResult> = perAddress[0]?.server ?? skipped(addresses.status === 'completed' ? `${host.name} has no address` : `its address could not be resolved: ${addresses.status === 'error' ? addresses.reason : ''}`);
  const reachability: MxHostCheck['reachability'] = server.status !== 'completed' ? 'not-checked' : server.result.connection.status === 'completed' ? 'reachable' : 'unreachable';

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
    // RFC 7672 §3.2.2: a DANE-TA(2) match also needs the MX name in the certificate; DANE-EE(3) does not.
    const nameOk = certificate?.hostnameMatched === true;
    dane = done({ authenticated: tlsa.result.authenticated, records: matches, valid: tlsa.result.authenticated && matches.some((m) => m.matched && m.usable && (m.usage === 3 || nameOk)) });
  }

  const checked = { name: host.name, preference: host.preference, addresses, reachability, server, ...(perAddress.length > 1 ? { addressChecks: perAddress } : {}), mtaStsMatch, dane };
  // A relay may reach any address: the host can take a REQUIRETLS message only if every address can.
  const facts = { domain: context.domain, mxSecure: context.mxAuthenticated, mtaSts: context.mtaSts };
  const perAddressTls = (perAddress.length > 1 ? perAddress : [{ address: address ?? '', server }]).map((p) => requireTlsForHost({ ...checked, server: p.server, requireTls: { deliverable: 'unknown', reasons: [] } }, facts));
  const deliverable = perAddressTls.some((r) => r.deliverable === false) ? false : perAddressTls.every((r) => r.deliverable === true) ? true : 'unknown';
  return { ...checked, requireTls: { deliverable, reasons: [...new Set(perAddressTls.flatMap((r) => r.reasons))] } };
}
