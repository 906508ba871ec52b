import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, openSync, readdirSync, readFileSync, statSync, writeSync, writeFileSync } from 'node:fs';
import type { SubmissionReport } from '../../shared/types/report.js';
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
    // Room for the 100 MiB attachment below (Postfix's default limit is 10 MB).
    postfix = await startPostfix(pki, { messageSizeLimit: 200 * 1024 * 1024 });
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
      expect(report.submissionHop.shortcuts).toEqual(['pipelining', 'pipelined-auth', 'chunking']);
    }
    await waitFor('delivery', () => postfix.delivered().find((m) => m.includes('postfix cache warm')));
    expect(postfix.log()).not.toMatch(/improper command pipelining/);
  });

  /** The client's lines and the server's, in order, up to the end of the content. */
  const flightOf = (report: SubmissionReport): string[] => report.submissionHop.transcript.map((l) => `${l.from === 'client' ? 'C' : l.from === 'server' ? 'S' : '-'} ${l.line}`);

  it('with CHUNKING the content goes as one BDAT n LAST once the envelope is accepted: no DATA, n is the SIZE declared, delivered', async () => {
    const report = await send(account(), 'default', postfix.password, testMessage({ subject: 'bdat after the envelope' }));
    expect(report.outcome, JSON.stringify(report.error)).toBe('accepted');
    expect(report.submissionHop.shortcuts).toEqual(['pipelining', 'pipelined-auth', 'chunking']);
    expect(report.submissionHop.roundTrips).toBe(8);
    const lines = flightOf(report);
    const size = report.message.sizeBytes;
    expect(lines.some((l) => l.startsWith('C MAIL FROM') && l.includes(`SIZE=${size}`))).toBe(true);
    expect(lines).not.toContain('C DATA');
    const bdat = lines.indexOf(`C BDAT ${size} LAST`);
    // After AUTH's 235 and the replies to MAIL and RCPT, never before them.
    expect(bdat).toBeGreaterThan(lines.findIndex((l) => l.startsWith('S 250 2.1.5')));
    expect(lines[bdat + 1]).toBe(`C [message content: ${size} bytes, not recorded]`);
    expect(lines[bdat + 2]).toMatch(/^S 250 2\.0\.0 Ok: \d+ bytes queued/);
    await waitFor('delivery', () => postfix.delivered().find((m) => m.includes('bdat after the envelope')));
  });

  it('a 100 MiB attachment arrives byte for byte (BDAT), with the SIZE declared exactly what Postfix counted', async () => {
    const path = join(pki.dir, 'scan-100m.bin');
    const block = Buffer.alloc(1024 * 1024);
    const fd = openSync(path, 'w');
    const hash = createHash('sha256');
    for (let m = 0; m < 100; m++) {
      for (let i = 0; i < block.length; i += 4) block.writeUInt32LE(((m * block.length + i) * 2654435761) >>> 0, i);
      writeSync(fd, block);
      hash.update(block);
    }
    closeSync(fd);
    const report = await send(account(), 'default', postfix.password, testMessage({ subject: 'one hundred mebibytes', attachments: [{ path, filename: 'scan.bin' }] }));
    expect(report.outcome, JSON.stringify(report.error)).toBe('accepted');
    expect(report.submissionHop.shortcuts).toContain('chunking');
    expect(report.submissionHop.finalReply?.lines.join(' ')).toContain(`${report.message.sizeBytes} bytes queued`);
    const file = await waitFor('delivery', () => readdirSync(postfix.maildir).map((f) => join(postfix.maildir, f)).find((f) => statSync(f).size > 100 * 1024 * 1024));
    const delivered = readFileSync(file).toString('latin1');
    const part = delivered.indexOf('filename=scan.bin');
    const bodyStart = delivered.indexOf('\n\n', part) + 2;
    const body = delivered.slice(bodyStart, delivered.indexOf('\n--', bodyStart));
    expect(createHash('sha256').update(Buffer.from(body, 'base64')).digest('hex')).toBe(hash.digest('hex'));
  }, 60_000);

  it('a file that changes during a BDAT send: the chunk is never completed, nothing is delivered, the error names the attachment', async () => {
    const path = join(pki.dir, 'changing-bdat.bin');
    writeFileSync(path, Buffer.alloc(3 * 1024 * 1024, 9));
    let changed = false;
    const report = await send(account(), 'default', postfix.password, testMessage({ subject: 'changed during bdat', attachments: [{ path }] }), {
      copyContent: () => {
        if (changed) return;
        changed = true;
        appendFileSync(path, 'edited while sending');
      },
    });
    expect(report.submissionHop.shortcuts).toContain('chunking');
    expect(report.outcome).not.toBe('accepted');
    expect(report.outcome).not.toBe('uncertain');
    expect(report.error).toMatchObject({ code: 'EINPUT', field: 'attachments[0]' });
    await new Promise((r) => setTimeout(r, 1000));
    expect(postfix.delivered().some((m) => m.includes('changed during bdat'))).toBe(false);
  });

  describe('a listener that takes mail without a login (a trusted network)', () => {
    const trusted = (): SubmissionServer => ({ host: '127.0.0.1', port: postfix.trustedPort, security: 'starttls', caFile: pki.caFile });

    it('one recipient: the BDAT chunk goes in the envelope’s own flight, 7 round trips, delivered', async () => {
      const report = await send(trusted(), 'default', undefined, testMessage({ subject: 'content in the envelope flight' }));
      expect(report.outcome, JSON.stringify(report.error)).toBe('accepted');
      expect(report.submissionHop.shortcuts).toEqual(['pipelining', 'chunking', 'content-in-envelope']);
      expect(report.submissionHop.roundTrips).toBe(7);
      const lines = flightOf(report);
      const mail = lines.findIndex((l) => l.startsWith('C MAIL FROM'));
      // MAIL, RCPT, BDAT and the content written before any reply to them was read.
      expect(lines.slice(mail, mail + 4).map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual(['C MAIL', 'C RCPT', 'C BDAT', 'C [message']);
      expect(lines[mail + 4]).toMatch(/^S 250 2\.1\.0/);
      await waitFor('delivery', () => postfix.delivered().find((m) => m.includes('content in the envelope flight')));
    });

    it('the one recipient refused: the chunk that went with it is discarded, the outcome is "rejected" (never "uncertain"), nothing delivered', async () => {
      const report = await send(trusted(), 'default', undefined, testMessage({ subject: 'refused sole recipient', to: ['refused@example.test'] }));
      expect(report.outcome).toBe('rejected');
      expect(report.error?.code).toBe('EENVELOPE');
      expect(report.message.rejectedRecipients.map((r) => r.address)).toEqual(['refused@example.test']);
      expect(report.submissionHop.finalReply?.code).toBeGreaterThanOrEqual(400);
      await new Promise((r) => setTimeout(r, 1000));
      expect(postfix.delivered().some((m) => m.includes('refused sole recipient'))).toBe(false);
    });

    it('two recipients, one refused: the content waits for every RCPT reply and never leaves, nobody gets it', async () => {
      const report = await send(trusted(), 'default', undefined, testMessage({ subject: 'two recipients one refused', to: ['ok@example.test', 'refused@example.test'] }));
      expect(report.outcome).toBe('rejected');
      expect(report.submissionHop.shortcuts).toEqual(['pipelining', 'chunking']);
      expect(flightOf(report).some((l) => l.startsWith('C BDAT') || l.startsWith('C [message content'))).toBe(false);
      await new Promise((r) => setTimeout(r, 1000));
      expect(postfix.delivered().some((m) => m.includes('two recipients one refused'))).toBe(false);
    });
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
