import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubmissionServer } from '../../shared/types/message.js';
import type { SubmissionReport } from '../../shared/types/report.js';
import { MemoryEhloCache } from '../../electron/core/smtp/ehlo-cache.js';
import { analyzeDelivered } from '../../electron/core/analyze/delivered-path.js';
import { roundTripsOf, startDelayProxy } from '../helpers/delay-proxy.js';
import { eximInstalled, startExim, type EximPeer } from '../helpers/exim.js';
import { peerAvailable, waitFor } from '../helpers/peers.js';
import { makeTestPki, type TestPki } from '../helpers/pki.js';
import { containsSecret, send, testMessage } from '../helpers/submit.js';

// Debian's Exim 4.96: a second real MTA, with PIPECONNECT and without REQUIRETLS.
const available = peerAvailable('Exim 4.96', eximInstalled(), 'run scripts/install-test-peers.sh, and the tests, as root');

describe.skipIf(!available)('Exim 4.96', () => {
  let pki: TestPki;
  let exim: EximPeer;
  const account = (extra: Partial<SubmissionServer> = {}): SubmissionServer => ({
    host: '127.0.0.1',
    port: exim.submissionPort,
    security: 'starttls',
    user: exim.user,
    caFile: pki.caFile,
    ...extra,
  });

  beforeAll(async () => {
    pki = makeTestPki();
    exim = await startExim(pki);
  });
  afterAll(async () => {
    await exim?.stop();
  });

  it('default over STARTTLS: delivered, Exim’s Received header shows TLS, queue id from "id="', async () => {
    const report = await send(account(), 'default', exim.password, testMessage({ subject: 'default over exim' }));
    expect(report.error).toBeUndefined();
    expect(report.submissionHop.capabilitiesAfterTls).toContain('PIPECONNECT');
    expect(report.submissionHop.queueId).toMatch(/^[0-9A-Za-z]+-[0-9A-Za-z]+-[0-9A-Za-z]+$/);
    const delivered = await waitFor('delivery', () => exim.delivered().find((m) => m.includes('default over exim')));
    expect(delivered).toMatch(/with esmtpsa\s+\(TLS1\.3\) tls /);
    expect(delivered).toContain(`id ${report.submissionHop.queueId}`);
    // The same copy, analyzed: Exim's "with esmtpsa (TLS1.3) tls CIPHER" read as TLS 1.3, authenticated.
    const path = analyzeDelivered(Buffer.from(delivered));
    // (Exim's TLS library names the cipher its own way; the analysis reports what the header states.)
    expect(path.hops.find((h) => h.by === 'exim.hoplight.test')).toMatchObject({ protocol: 'esmtpsa', tls: true, version: '1.3', cipher: expect.stringMatching(/AES_256_GCM_SHA384$/), authenticated: true });
  });

  it('implicit TLS with AUTH LOGIN', async () => {
    const report = await send(account({ port: exim.implicitPort, security: 'implicit', authMethod: 'LOGIN' }), 'default', exim.password, testMessage({ subject: 'implicit over exim' }));
    expect(report.error).toBeUndefined();
    expect(report.submissionHop.authMechanism).toBe('LOGIN');
    expect(containsSecret(report, exim.password, exim.user)).toBe(false);
    await waitFor('delivery', () => exim.delivered().find((m) => m.includes('implicit over exim')));
  });

  it('require-tls is refused: Exim does not advertise REQUIRETLS; nothing is delivered', async () => {
    const report = await send(account(), 'require-tls', exim.password, testMessage({ subject: 'must not arrive at exim' }));
    expect(report.outcome).toBe('not-sent');
    expect(report.error?.code).toBe('EREQUIRETLS');
    await waitFor('Exim to log the session end', () => (exim.log().includes('QUIT') || /SMTP connection from .* closed by QUIT/.test(exim.log()) ? true : undefined));
    expect(exim.delivered().some((m) => m.includes('must not arrive at exim'))).toBe(false);
  });

  it('tls-optional delivers one TLS-Required: No header', async () => {
    const report = await send(account(), 'tls-optional', exim.password, testMessage({ subject: 'optional over exim' }));
    expect(report.error).toBeUndefined();
    const delivered = await waitFor('delivery', () => exim.delivered().find((m) => m.includes('optional over exim')));
    const head = delivered.slice(0, delivered.indexOf('\n\n'));
    expect(head.match(/^TLS-Required:.*$/gim)).toEqual(['TLS-Required: No']);
  });

  it('early pipelining (PIPECONNECT) from the cached EHLO: STARTTLS 8 round trips cold, 5 warm; implicit TLS 6 and 4; delivered each time', async () => {
    const cache = new MemoryEhloCache();
    for (const [security, port, cold, warm] of [['starttls', exim.submissionPort, 8, 5], ['implicit', exim.implicitPort, 6, 4]] as const) {
      const proxy = await startDelayProxy(port, 50);
      try {
        const timed = async (subject: string): Promise<{ report: SubmissionReport; measured: number }> => {
          const started = performance.now();
          const report = await send({ ...account({ port: proxy.port, security }), tlsName: 'localhost' }, 'default', exim.password, testMessage({ subject }), { ehloCache: cache });
          return { report, measured: roundTripsOf(performance.now() - started, proxy) };
        };
        const first = await timed(`cold ${security}`);
        expect(first.report.outcome, JSON.stringify(first.report.error)).toBe('accepted');
        expect(first.report.submissionHop.shortcuts).not.toContain('early-pipelining');
        expect({ measured: first.measured, counted: first.report.submissionHop.roundTrips }).toEqual({ measured: cold, counted: cold });
        const second = await timed(`warm ${security}`);
        expect(second.report.outcome, JSON.stringify(second.report.error)).toBe('accepted');
        expect(second.report.submissionHop.shortcuts).toEqual(['pipelining', 'early-pipelining', 'pipelined-auth', 'chunking']);
        expect({ measured: second.measured, counted: second.report.submissionHop.roundTrips }).toEqual({ measured: warm, counted: warm });
        // The fresh EHLO was still read and recorded, and the certificate verified as on every session.
        expect(second.report.submissionHop.capabilitiesAfterTls).toContain('PIPECONNECT');
        expect(second.report.submissionHop.tls?.trust.chainTrusted).toBe(true);
        await waitFor('delivery', () => exim.delivered().find((m) => m.includes(`warm ${security}`)));
      } finally {
        await proxy.close();
      }
    }
  });

  it('a cached EHLO that no longer matches: the early session is abandoned before any content, the message goes once in the ordinary order, and the cache is refreshed', async () => {
    const cache = new MemoryEhloCache();
    const first = await send(account(), 'default', exim.password, testMessage({ subject: 'prime the cache' }), { ehloCache: cache });
    expect(first.outcome).toBe('accepted');
    // The server "changed": the cache now says a SIZE limit it no longer has.
    const clientName = '[127.0.0.1]';
    const key = { host: '127.0.0.1', port: exim.submissionPort, security: 'starttls' as const, clientName, user: exim.user };
    const entry = cache.get(key);
    expect(entry).toBeDefined();
    cache.put(key, { ...entry!, afterTls: [...entry!.afterTls.filter((l) => !/^SIZE/i.test(l)), 'SIZE 123456789'] });
    const report = await send(account(), 'default', exim.password, testMessage({ subject: 'sent once after a stale cache' }), { ehloCache: cache });
    expect(report.outcome, JSON.stringify(report.error)).toBe('accepted');
    expect(report.submissionHop.transcript[0]?.line).toMatch(/no longer matched what the server does; it was abandoned before any content/);
    expect(report.submissionHop.shortcuts).not.toContain('early-pipelining');
    expect(cache.get(key)?.afterTls.some((l) => l === 'SIZE 123456789')).toBe(false);
    await waitFor('delivery', () => exim.delivered().find((m) => m.includes('sent once after a stale cache')));
    await new Promise((r) => setTimeout(r, 500));
    expect(exim.delivered().filter((m) => m.includes('sent once after a stale cache'))).toHaveLength(1);
  });

  it('wrong password: EAUTH', async () => {
    const before = exim.delivered().length;
    const report = await send(account(), 'default', 'nope-nope-nope', testMessage({ subject: 'must never arrive (exim)' }));
    expect(report.error?.code).toBe('EAUTH');
    expect(report.error?.reply?.code).toBe(535);
    // AUTH went pipelined with the envelope; Exim refused the envelope after the failed login, no content followed.
    expect(report.submissionHop.shortcuts).toContain('pipelined-auth');
    expect(report.submissionHop.transcript.some((l) => l.line.startsWith('[message content'))).toBe(false);
    await new Promise((r) => setTimeout(r, 1000));
    expect(exim.delivered().slice(before).some((m) => m.includes('must never arrive'))).toBe(false);
  });
});
