import { describe, expect, it } from 'vitest';
import { forecastDomain, type ForecastInput } from '../../../../electron/core/posture/forecast.js';
import type { Attempt, CertificateCheck, DomainCheckResult, MtaStsPolicy, MxHostCheck, RelayBehaviour, ServerCheckResult } from '../../../../shared/types/posture.js';

// Synthetic MX checks: each case states the facts a relay decides on, and the forecast is asserted for every choice
// and every relay behaviour. The same cases run against real servers in the local DNSSEC world
// (test/integration/posture/forecast-world.test.ts).

interface HostSpec {
  readonly name: string;
  readonly reachable?: boolean;
  readonly starttls?: boolean;
  readonly pkixValid?: boolean;
  readonly requireTls?: boolean;
  /** TLSA: undefined none; 'match' / 'mismatch' / 'pkix-only' (usage 1, unusable for SMTP). */
  readonly tlsa?: 'match' | 'mismatch' | 'pkix-only';
  readonly stsListed?: boolean;
}

const done = <T>(result: T): Attempt<T> => ({ status: 'completed', result });
const skipped = <T>(reason: string): Attempt<T> => ({ status: 'not-run', reason });

function certificate(name: string, valid: boolean): CertificateCheck {
  const facts = { subject: `CN=${name}`, issuer: 'CN=Test CA', subjectAltNames: [name], validFrom: '', validTo: '', serialNumber: '1', fingerprintSha256: 'AA', publicKey: 'ec 256' };
  return { leaf: facts as never, chain: [], signatureAlgorithm: 'ecdsa-with-SHA256', chainTrusted: valid, ...(valid ? {} : { chainError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }), checkedName: name, hostnameMatched: true, daysUntilExpiry: 300, expired: false, notYetValid: false, derBase64: [] };
}

function server(spec: HostSpec): ServerCheckResult {
  const starttls = spec.starttls ?? true;
  const valid = spec.pkixValid ?? true;
  const tlsUp = starttls;
  // Like the real checker: an untrusted certificate stops the probe, so EHLO over TLS (and REQUIRETLS) is unknown.
  const ehloAfter = tlsUp && valid;
  return {
    host: spec.name,
    port: 25,
    security: 'starttls',
    checkedName: spec.name,
    startedAt: '',
    durationMs: 1,
    connection: done({ greeting: '220 ok' }),
    ehloBeforeTls: done({ capabilities: starttls ? ['STARTTLS'] : [] }),
    starttls: done({ offered: starttls, accepted: starttls }),
    tls: tlsUp ? done({ protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' }) : skipped('TLS was not established'),
    ehloAfterTls: ehloAfter ? done({ capabilities: [], added: [], removed: [] }) : skipped('not reached'),
    tlsVersions: {} as never,
    certificate: tlsUp ? done(certificate(spec.name, valid)) : skipped('TLS was not established'),
    ocsp: skipped('n/a'),
    extensions: ehloAfter ? done({ requireTlsAfterTls: spec.requireTls ?? true, requireTlsBeforeTls: false, authBeforeTls: [], authAfterTls: [], pipelining: true, pipeconnect: false, chunking: false, smtputf8: true, eightBitMime: true, dsn: true, enhancedStatusCodes: true }) : skipped('not reached'),
    starttlsInjection: skipped('n/a'),
    findings: [],
  };
}

function host(spec: HostSpec, signed: boolean, index: number): MxHostCheck {
  const reachable = spec.reachable ?? true;
  const records =
    spec.tlsa === undefined
      ? []
      : [{ usage: spec.tlsa === 'pkix-only' ? 1 : 3, selector: 1, matchingType: 1, data: 'ab'.repeat(32), matched: spec.tlsa === 'match', usable: spec.tlsa !== 'pkix-only', detail: spec.tlsa === 'match' ? 'matches the server certificate (DANE-EE)' : 'does not match the server certificate (DANE-EE)' }];
  return {
    name: spec.name,
    preference: 10 * (index + 1),
    addresses: done({ addresses: ['127.0.0.2'], authenticated: signed }),
    reachability: reachable ? 'reachable' : 'unreachable',
    server: reachable ? done(server(spec)) : done({ ...server(spec), connection: { status: 'error', reason: 'ECONNREFUSED' } }),
    mtaStsMatch: spec.stsListed === undefined ? skipped('no MTA-STS policy') : done({ matched: spec.stsListed }),
    dane: done({ authenticated: signed, records, valid: signed && spec.tlsa === 'match' }),
    requireTls: { deliverable: 'unknown', reasons: [] },
  };
}

function forecast(domain: { signed: boolean; sts?: MtaStsPolicy['mode']; hosts: HostSpec[]; nullMx?: boolean }): DomainCheckResult['forecast'] {
  const hosts = domain.hosts.map((h, i) => host(h, domain.signed, i));
  const input: ForecastInput = {
    domain: 'd.test',
    mxSecure: domain.signed,
    mtaSts: done(domain.sts ? { record: true, policy: { id: '1', mode: domain.sts, maxAge: 86400, mx: ['mx1.d.test'] } } : { record: false }),
    mx: done({ hosts: domain.nullMx ? [] : hosts.map((h) => ({ name: h.name, preference: h.preference })), authenticated: domain.signed, implicit: false, nullMx: domain.nullMx ?? false }),
    hosts,
  };
  return forecastDomain(input);
}

const verdicts = (f: DomainCheckResult['forecast'][keyof DomainCheckResult['forecast']]): Record<RelayBehaviour, string> =>
  Object.fromEntries(f.relays.map((r) => [r.relay, r.verdict === 'deliverable' || r.verdict === 'unknown' ? r.verdict : `${r.verdict} ${(r.statusCodes ?? []).join('|')}`])) as Record<RelayBehaviour, string>;

describe('forecast per relay behaviour', () => {
  it('a perfect domain: DNSSEC, matching TLSA, valid certificate, REQUIRETLS', () => {
    const f = forecast({ signed: true, hosts: [{ name: 'mx1.d.test', tlsa: 'match' }] });
    expect(f['require-tls'].verdict).toBe('deliverable');
    expect(verdicts(f['require-tls'])).toEqual({ rfc8689: 'deliverable', dane: 'deliverable', 'dane-mta-sts': 'deliverable', verify: 'deliverable', opportunistic: 'will-bounce 5.7.10', relaxed: 'deliverable' });
    expect(f['require-tls'].relays.find((r) => r.relay === 'relaxed')).toMatchObject({ protection: 'encrypted', requireTlsPassedOn: true });
    expect(f.default.verdict).toBe('policy-protected');
    expect(f['tls-optional'].verdict).toBe('policy-ignored');
    expect(f['tls-optional'].summary).toMatch(/own TLS requirements/);
  });

  it('a validated TLSA record that does not match a PKIX-valid certificate: DANE wins, never "deliverable"', () => {
    const f = forecast({ signed: true, hosts: [{ name: 'mx1.d.test', tlsa: 'mismatch' }] });
    const rt = f['require-tls'];
    expect(rt.verdict).toBe('depends-on-relay');
    expect(verdicts(rt)).toEqual({ rfc8689: 'will-bounce 5.7.10', dane: 'will-bounce 5.7.10', 'dane-mta-sts': 'will-bounce 5.7.10', verify: 'deliverable', opportunistic: 'will-bounce 5.7.10', relaxed: 'deliverable' });
    expect(rt.bounceCodes?.map((c) => c.code)).toEqual(['5.7.10']);
    const evidence = rt.relays.find((r) => r.relay === 'dane')!.evidence;
    expect(evidence).toContainEqual(expect.objectContaining({ kind: 'tlsa', bearing: 'blocks', subject: 'mx1.d.test' }));
    // Default: DANE-aware senders defer (Postfix tls=!dane, 4.7.5); others deliver opportunistically.
    expect(f.default.verdict).toBe('held-by-policy');
    expect(f.default.summary).toMatch(/hold it/);
    expect(f.default.summary).toMatch(/do not match/);
    expect(verdicts(f.default)).toMatchObject({ rfc8689: 'will-defer 4.7.5', dane: 'will-defer 4.7.5', verify: 'deliverable', opportunistic: 'deliverable' });
  });

  it('an MTA-STS-only unsigned domain: delivered by relays that use MTA-STS or check certificates, returned by DANE-only relays', () => {
    const f = forecast({ signed: false, sts: 'enforce', hosts: [{ name: 'mx1.d.test', stsListed: true }] });
    expect(f['require-tls'].verdict).toBe('depends-on-relay');
    expect(verdicts(f['require-tls'])).toMatchObject({ rfc8689: 'deliverable', dane: 'will-bounce 5.7.10', 'dane-mta-sts': 'deliverable', verify: 'deliverable', opportunistic: 'will-bounce 5.7.10' });
    expect(f.default.verdict).toBe('policy-protected');
  });

  it('an unsigned domain without policy: only a certificate-checking relay delivers REQUIRETLS mail', () => {
    const f = forecast({ signed: false, hosts: [{ name: 'mx1.d.test' }] });
    expect(f['require-tls'].verdict).toBe('depends-on-relay');
    expect(verdicts(f['require-tls'])).toMatchObject({ rfc8689: 'will-bounce 5.7.10', dane: 'will-bounce 5.7.10', 'dane-mta-sts': 'will-bounce 5.7.10', verify: 'deliverable' });
    expect(f['require-tls'].relays.find((r) => r.relay === 'verify')?.protection).toBe('certificate-verified');
    expect(f.default.verdict).toBe('opportunistic');
    expect(f['tls-optional'].verdict).toBe('no-policy-to-ignore');
    expect(f['tls-optional'].summary).not.toMatch(/changes little/);
  });

  it('an MX without REQUIRETLS: every enforcing relay returns it with 5.7.30; a relaxed one delivers without passing it on', () => {
    const f = forecast({ signed: true, hosts: [{ name: 'mx1.d.test', tlsa: 'match', requireTls: false }] });
    expect(f['require-tls'].verdict).toBe('will-bounce');
    expect(verdicts(f['require-tls'])).toMatchObject({ rfc8689: 'will-bounce 5.7.30', dane: 'will-bounce 5.7.30', 'dane-mta-sts': 'will-bounce 5.7.30', verify: 'will-bounce 5.7.30', relaxed: 'deliverable' });
    expect(f['require-tls'].relays.find((r) => r.relay === 'relaxed')?.requireTlsPassedOn).toBe(false);
    expect(f['require-tls'].summary).toMatch(/5\.7\.30/);
    expect(f['require-tls'].summary).toMatch(/relaxes REQUIRETLS would deliver it anyway/);
  });

  it('an MX without STARTTLS: REQUIRETLS returned, the default can travel in cleartext, a verify relay holds it', () => {
    const f = forecast({ signed: true, hosts: [{ name: 'mx1.d.test', starttls: false }] });
    expect(f['require-tls'].verdict).toBe('will-bounce');
    expect(verdicts(f['require-tls'])).toMatchObject({ rfc8689: 'will-bounce 5.7.30', dane: 'will-bounce 5.7.30|5.7.10', verify: 'will-bounce 5.7.30', relaxed: 'will-bounce 5.7.30|5.7.10' });
    expect(f.default.verdict).toBe('cleartext-possible');
    expect(verdicts(f.default)).toMatchObject({ verify: 'will-defer 4.7.4', opportunistic: 'deliverable' });
    expect(f['tls-optional'].relays.every((r) => r.protection === 'cleartext')).toBe(true);
  });

  it('two MX of which only the second offers REQUIRETLS: delivered to the second', () => {
    const f = forecast({ signed: true, hosts: [{ name: 'mx1.d.test', tlsa: 'match', requireTls: false }, { name: 'mx2.d.test', tlsa: 'match' }] });
    expect(f['require-tls'].verdict).toBe('deliverable');
    expect(f['require-tls'].relays.filter((r) => r.relay !== 'opportunistic' && r.relay !== 'relaxed').every((r) => r.via === 'mx2.d.test')).toBe(true);
    // A relaxed relay takes the first MX that offers STARTTLS and drops REQUIRETLS there.
    expect(f['require-tls'].relays.find((r) => r.relay === 'relaxed')).toMatchObject({ via: 'mx1.d.test', requireTlsPassedOn: false });
  });

  it('an untrusted certificate with no DANE: every authenticating relay returns REQUIRETLS mail with 5.7.10', () => {
    const f = forecast({ signed: true, hosts: [{ name: 'mx1.d.test', pkixValid: false }] });
    expect(f['require-tls'].verdict).toBe('will-bounce');
    expect(verdicts(f['require-tls'])).toMatchObject({ rfc8689: 'will-bounce 5.7.10', dane: 'will-bounce 5.7.10', verify: 'will-bounce 5.7.10' });
  });

  it('only unusable TLSA records (PKIX-EE): DANE relays require TLS but cannot authenticate', () => {
    const f = forecast({ signed: true, hosts: [{ name: 'mx1.d.test', tlsa: 'pkix-only' }] });
    expect(verdicts(f['require-tls'])).toMatchObject({ rfc8689: 'deliverable', dane: 'will-bounce 5.7.10', verify: 'deliverable' });
    expect(f.default.relays.find((r) => r.relay === 'dane')).toMatchObject({ verdict: 'deliverable', protection: 'encrypted' });
  });

  it('an MX that cannot be reached from here makes the forecast "unknown", never a guess', () => {
    const f = forecast({ signed: true, hosts: [{ name: 'mx1.d.test', tlsa: 'match', reachable: false }] });
    expect(f['require-tls'].verdict).toBe('unknown');
    expect(f.default.verdict).toBe('unknown');
    // A relay that cannot authenticate any next hop returns REQUIRETLS mail whatever the MX would say.
    expect(verdicts(f['require-tls'])).toEqual({ rfc8689: 'unknown', dane: 'unknown', 'dane-mta-sts': 'unknown', verify: 'unknown', opportunistic: 'will-bounce 5.7.10', relaxed: 'unknown' });
    expect(f.default.relays.every((r) => r.verdict === 'unknown')).toBe(true);
  });

  it('an unreachable MX of an unsigned domain without policy: what needs no connection is still said', () => {
    const f = forecast({ signed: false, hosts: [{ name: 'mx1.d.test', reachable: false }] });
    expect(verdicts(f['require-tls'])).toMatchObject({ rfc8689: 'will-bounce 5.7.10', dane: 'will-bounce 5.7.10', 'dane-mta-sts': 'will-bounce 5.7.10', verify: 'unknown' });
    expect(f['require-tls'].verdict).toBe('unknown');
    expect(f['require-tls'].summary).toMatch(/known: .*return it/);
  });

  it('a reachable MX and an unreachable one: the default protection is "unknown", REQUIRETLS still deliverable', () => {
    const f = forecast({ signed: true, hosts: [{ name: 'mx1.d.test', tlsa: 'match' }, { name: 'mx2.d.test', reachable: false }] });
    expect(f['require-tls'].verdict).toBe('deliverable');
    expect(f.default.relays.find((r) => r.relay === 'rfc8689')?.protection).toBe('unknown');
    expect(f.default.verdict).not.toBe('policy-protected');
  });

  it('MTA-STS in testing mode does not authenticate the MX', () => {
    const f = forecast({ signed: false, sts: 'testing', hosts: [{ name: 'mx1.d.test', stsListed: true }] });
    expect(verdicts(f['require-tls'])).toMatchObject({ rfc8689: 'will-bounce 5.7.10', 'dane-mta-sts': 'will-bounce 5.7.10', verify: 'deliverable' });
    expect(f.default.verdict).toBe('opportunistic');
  });

  it('a null MX: every choice bounces with 5.1.10', () => {
    const f = forecast({ signed: true, nullMx: true, hosts: [] });
    for (const choice of ['require-tls', 'default', 'tls-optional'] as const) {
      expect(f[choice].verdict).toBe('will-bounce');
      expect(f[choice].relays.every((r) => r.statusCodes?.includes('5.1.10'))).toBe(true);
    }
  });
});
