import { describe, expect, it } from 'vitest';
import { relayGuarantee } from '../../../../electron/core/relay-guarantee.js';
import { buildHopModel } from '../../../../electron/core/report/hop-model.js';
import type { DomainCheckResult } from '../../../../shared/types/posture.js';
import type { SubmissionReport, TlsFacts } from '../../../../shared/types/report.js';

const tls: TlsFacts = {
  protocol: 'TLSv1.3',
  cipher: 'TLS_AES_256_GCM_SHA384',
  certificate: { subject: 'CN=smtp.example.org', subjectAltNames: ['DNS:smtp.example.org'], issuer: 'CN=CA', serialNumber: '01', validFrom: '2026-01-01T00:00:00.000Z', validTo: '2027-01-01T00:00:00.000Z', fingerprintSha256: 'AA', publicKey: 'ec prime256v1' },
  chain: [],
  trust: { chainTrusted: true, checkedName: 'smtp.example.org', hostnameMatched: true, pinned: false, extraCaUsed: false },
};

function report(outcome: SubmissionReport['outcome'], withTls = true): SubmissionReport {
  return {
    reportVersion: 2,
    outcome,
    securityChoice: 'require-tls',
    connectionSecurity: 'starttls',
    startedAt: '2026-12-02T00:00:00.000Z',
    message: { recipients: ['a@one.test', 'b@two.test', 'c@ONE.test'], acceptedRecipients: [], rejectedRecipients: [], tlsRequiredNoHeader: false },
    submissionHop: { host: 'smtp.example.org', port: 587, transport: 'starttls', ...(withTls ? { tls } : {}), requireTls: { advertised: true, requested: true, accepted: outcome === 'accepted' }, timings: { totalMs: 10 }, transcript: [] },
    relays: relayGuarantee('require-tls'),
  };
}

const forecastOf = (verdict: 'deliverable' | 'will-bounce'): DomainCheckResult =>
  ({ forecast: { 'require-tls': { verdict, summary: `it is ${verdict}`, reasons: [], relays: [{ relay: 'dane', verdict, summary: 'x', evidence: [] }] } } }) as unknown as DomainCheckResult;

describe('the hop model', () => {
  it('an accepted send: hop 1 verified, relays promised (never green), each recipient domain once, forecast or unknown', () => {
    const model = buildHopModel(report('accepted'), { 'one.test': { status: 'completed', result: forecastOf('deliverable') } });
    expect(model.hops.map((h) => [h.hop, h.domain ?? '', h.state, h.tone])).toEqual([
      ['submission', '', 'verified', 'good'],
      ['relays', '', 'promised', 'neutral'],
      ['recipient', 'one.test', 'forecast', 'good'],
      ['recipient', 'two.test', 'unknown', 'neutral'],
    ]);
    expect(model.hops[0]?.facts.find((f) => f.label === 'TLS')?.value).toBe('TLSv1.3, TLS_AES_256_GCM_SHA384');
  });

  it('no TLS session: hop 1 failed, relays not reached', () => {
    const model = buildHopModel(report('failed', false));
    expect(model.hops[0]).toMatchObject({ state: 'failed', tone: 'bad' });
    expect(model.hops[1]).toMatchObject({ state: 'unknown', headline: expect.stringMatching(/did not leave/) });
  });

  it('uncertain is its own outcome: never "not delivered", and the recipient forecast says "if it was delivered"', () => {
    const model = buildHopModel(report('uncertain'), { 'two.test': { status: 'completed', result: forecastOf('will-bounce') } });
    expect(model).toMatchObject({ outcome: 'uncertain', tone: 'neutral' });
    expect(model.headline).toMatch(/may have been delivered/);
    expect(model.hops[1]?.headline).toMatch(/could not be confirmed/);
    expect(model.hops.find((h) => h.domain === 'two.test')).toMatchObject({ state: 'forecast', tone: 'bad', headline: 'If it was delivered: it is will-bounce' });
  });

  it('a failed domain check is "could not check", its own state', () => {
    const model = buildHopModel(report('accepted'), { 'one.test': { status: 'error', reason: 'SERVFAIL' } });
    expect(model.hops.find((h) => h.domain === 'one.test')).toMatchObject({ state: 'unknown', headline: 'Could not check one.test: SERVFAIL' });
  });
});
