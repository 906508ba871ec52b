import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveredPath } from '../../shared/types/delivered.js';
import type { SubmissionServer } from '../../shared/types/message.js';
import { peerAvailable, waitFor } from '../helpers/peers.js';
import { makeTestPki, type TestPki } from '../helpers/pki.js';
import { postfixInstalled, startPostfix, type PostfixPeer } from '../helpers/postfix.js';
import { containsSecret, send, testMessage } from '../helpers/submit.js';
import { MemoryEhloCache } from '../../electron/core/smtp/ehlo-cache.js';

// Debian's Postfix 3.7 + Dovecot SASL: a real submission server that does not offer REQUIRETLS.
const available = peerAvailable('Postfix + Dovecot', postfixInstalled(), 'run scripts/install-test-peers.sh, and the tests, as root');

describe.skipIf(!available)('Postfix 3.7 with Dovecot SASL', () => {
  let pki: TestPki;
  let postfix: PostfixPeer;
  const account = (extra: Partial<SubmissionServer> = {}): SubmissionServer => ({
    host: '127.0.0.1',
    port: postfix.submissionPort,
    security: 'starttls',
    user: postfix.user,
    caFile: pki.caFile,
    ...extra,
  });

  beforeAll(async () => {
    pki = makeTestPki();
    postfix = await startPostfix(pki);
  });
  afterAll(async () => {
    await postfix?.stop();
  });

  it('require-tls is refused before MAIL FROM (Postfix 3.7 lacks REQUIRETLS) and nothing is delivered', async () => {
    const report = await send(account(), 'require-tls', postfix.password, testMessage({ subject: 'must not arrive' }));
    expect(report.outcome).toBe('not-sent');
    expect(report.error?.code).toBe('EREQUIRETLS');
    expect(report.error?.messageTransmitted).toBe(false);
    expect(report.submissionHop.tls?.protocol).toBe('TLSv1.3');
    expect(report.submissionHop.capabilitiesAfterTls).not.toContain('REQUIRETLS');
    // Give Postfix time to have delivered anything it wrongly accepted, then check its log and the maildir.
    await waitFor('Postfix to log the disconnect', () => (/disconnect from .* quit=1/.test(postfix.log()) ? true : undefined));
    expect(postfix.log()).not.toMatch(/mail=1/);
    expect(postfix.delivered().filter((m) => m.includes('must not arrive'))).toHaveLength(0);
  });

  it('default delivers over STARTTLS, and the delivered copy’s Received header shows TLS', async () => {
    const report = await send(account(), 'default', postfix.password, testMessage({ subject: 'default over postfix' }));
    expect(report.error).toBeUndefined();
    expect(report.submissionHop.queueId).toMatch(/^[0-9A-F]+$/);
    const delivered = await waitFor('delivery', () => postfix.delivered().find((m) => m.includes('default over postfix')));
    const received = /^Received: [\s\S]*?(?=^\S)/m.exec(delivered)?.[0] ?? '';
    expect(received).toMatch(/using TLSv1\.3 with cipher/);
    expect(received).toMatch(/with ESMTPSA id/);
    expect(received).toContain(report.submissionHop.queueId ?? 'none');
    expect(received).toContain(report.submissionHop.tls?.cipher ?? 'none');
    // hoplight analyze reads the same copy: the hop that took it from Hoplight, as Postfix recorded it.
    const file = join(pki.dir, 'delivered-postfix.eml');
    writeFileSync(file, delivered);
    const root = resolve(__dirname, '..', '..');
    const run = spawnSync(process.execPath, [join(root, 'bin', 'hoplight.cjs'), 'analyze', file, '--json'], { cwd: root, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const path = JSON.parse(run.stdout) as DeliveredPath;
    const submission = path.hops.find((h) => h.by === 'mx.hoplight.test' && h.protocol === 'ESMTPSA');
    expect(submission).toMatchObject({ tls: true, version: '1.3', cipher: report.submissionHop.tls?.cipher, authenticated: true, local: true });
  });

  it('implicit TLS (wrapper mode) delivers too', async () => {
    const report = await send(account({ port: postfix.implicitPort, security: 'implicit' }), 'default', postfix.password, testMessage({ subject: 'implicit over postfix' }));
    expect(report.error).toBeUndefined();
    expect(report.submissionHop.transport).toBe('implicit-tls');
    await waitFor('delivery', () => postfix.delivered().find((m) => m.includes('implicit over postfix')));
  });

  it('tls-optional delivers exactly one TLS-Required: No header', async () => {
    const report = await send(account(), 'tls-optional', postfix.password, testMessage({ subject: 'optional over postfix' }));
    expect(report.error).toBeUndefined();
    const delivered = await waitFor('delivery', () => postfix.delivered().find((m) => m.includes('optional over postfix')));
    const head = delivered.slice(0, delivered.indexOf('\n\n'));
    expect(head.match(/^TLS-Required:.*$/gim)).toEqual(['TLS-Required: No']);
  });

  it('the pre-TLS EHLO is recorded and does not offer AUTH (smtpd_tls_auth_only)', async () => {
    const report = await send(account(), 'default', postfix.password, testMessage({ subject: 'ehlo facts' }));
    expect(report.submissionHop.capabilitiesBeforeTls).toContain('STARTTLS');
    expect(report.submissionHop.capabilitiesBeforeTls?.some((c) => c.startsWith('AUTH'))).toBe(false);
    expect(report.submissionHop.capabilitiesAfterTls).toContain('AUTH PLAIN LOGIN');
    expect(containsSecret(report, postfix.password, postfix.user)).toBe(false);
  });

  it('never pipelines early: Postfix does not advertise PIPECONNECT, so the second send with a cache is in the ordinary order and Postfix logs no violation', async () => {
    const cache = new MemoryEhloCache();
    for (const subject of ['postfix cache cold', 'postfix cache warm']) {
      const report = await send(account(), 'default', postfix.password, testMessage({ subject }), { ehloCache: cache });
      expect(report.outcome, JSON.stringify(report.error)).toBe('accepted');
      expect(report.submissionHop.shortcuts).toEqual(['pipelining', 'pipelined-auth']);
    }
    await waitFor('delivery', () => postfix.delivered().find((m) => m.includes('postfix cache warm')));
    expect(postfix.log()).not.toMatch(/improper command pipelining/);
  });

  // Last: Dovecot penalises an address after a failed login, which would slow the tests after it.
  it('a wrong password is EAUTH with Postfix’s status explained, its words withheld, and no secret leaks', async () => {
    const before = postfix.delivered().length;
    const report = await send(account(), 'default', 'wrong-password-123', testMessage({ subject: 'must never arrive (postfix)' }));
    expect(report.error?.code).toBe('EAUTH');
    // AUTH went pipelined with the envelope; Postfix refused the envelope after the failed login, no content followed.
    expect(report.submissionHop.shortcuts).toContain('pipelined-auth');
    expect(report.submissionHop.transcript.some((l) => l.line.startsWith('[message content'))).toBe(false);
    const replies = report.submissionHop.transcript.filter((l) => l.from === 'server').map((l) => l.line);
    expect(replies.some((l) => /^5\d\d/.test(l) && !l.startsWith('535'))).toBe(true);
    await new Promise((r) => setTimeout(r, 1000));
    expect(postfix.delivered().slice(before).some((m) => m.includes('must never arrive'))).toBe(false);
    expect(report.error?.reply).toMatchObject({ code: 535, enhancedStatus: '5.7.8' });
    expect(report.error?.message).toMatch(/rejected the user name or password: 535 5\.7\.8 \(authentication credentials invalid\)/);
    expect(containsSecret(report, 'wrong-password-123', postfix.user)).toBe(false);
  });
});
