import { createHash, X509Certificate } from 'node:crypto';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSubmissionServer, type LocalServer, type ReceivedMessage } from '../../electron/core/sandbox/local-submission-server.js';
import type { SubmissionServer } from '../../shared/types/message.js';
import { MemoryEhloCache } from '../../electron/core/smtp/ehlo-cache.js';
import { TlsSessions } from '../../electron/core/tls/session-store.js';
import { roundTripsOf, startDelayProxy } from '../helpers/delay-proxy.js';
import { makeTestPki, type TestPki } from '../helpers/pki.js';
import { containsSecret, send, testMessage } from '../helpers/submit.js';

// smtp-server (npm) as the submission server: the one real peer here that implements REQUIRETLS.
const USER = 'tester';
const PASSWORD = 'correct horse battery staple';

let pki: TestPki;
const servers: LocalServer[] = [];
let received: ReceivedMessage[] = [];

async function server(options: { cert?: keyof Pick<TestPki, 'wrongHost' | 'selfSigned' | 'expired'>; requireTls?: boolean; startTls?: boolean } = {}): Promise<LocalServer> {
  const tls = options.cert ? pki[options.cert] : pki.server;
  const started = await startLocalSubmissionServer({
    starttlsPort: 0,
    implicitPort: 0,
    tls,
    auth: { user: USER, password: PASSWORD },
    advertiseRequireTls: options.requireTls ?? true,
    offerStartTls: options.startTls ?? true,
    onMessage: (m) => {
      received.push(m);
    },
  });
  servers.push(started);
  return started;
}

const account = (port: number, extra: Partial<SubmissionServer> = {}): SubmissionServer => ({
  host: '127.0.0.1',
  port,
  security: 'starttls',
  user: USER,
  caFile: pki.caFile,
  ...extra,
});

beforeAll(() => {
  pki = makeTestPki();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('submission to smtp-server with REQUIRETLS', () => {
  let peer: LocalServer;
  beforeAll(async () => {
    peer = await server();
  });

  it('require-tls over STARTTLS: REQUIRETLS on MAIL FROM, and a report of the carrying session', async () => {
    received = [];
    const report = await send(account(peer.starttlsPort!), 'require-tls', PASSWORD);
    expect(report.error).toBeUndefined();
    expect(report.outcome).toBe('accepted');
    expect(received).toHaveLength(1);
    const [message] = received;
    expect(message?.envelope.requireTls).toBe(true);
    expect(message?.envelope.mailFromParameters.REQUIRETLS).toBe(true);
    expect(message?.session.secure).toBe(true);

    const hop = report.submissionHop;
    expect(hop.transport).toBe('starttls');
    expect(hop.tls?.protocol).toBe(message?.session.tlsProtocol);
    expect(hop.tls?.cipher).toBe(message?.session.tlsCipher);
    expect(hop.tls?.certificate.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(hop.tls?.certificate.subjectAltNames).toContain('IP Address:127.0.0.1');
    expect(hop.tls?.trust).toMatchObject({ chainTrusted: true, hostnameMatched: true, pinned: false, extraCaUsed: true, checkedName: '127.0.0.1' });
    expect(hop.capabilitiesBeforeTls).toContain('STARTTLS');
    expect(hop.capabilitiesBeforeTls).not.toContain('REQUIRETLS');
    expect(hop.capabilitiesAfterTls).toContain('REQUIRETLS');
    expect(hop.requireTls).toEqual({ advertised: true, requested: true, accepted: true });
    expect(hop.authMechanism).toBe('PLAIN');
    expect(hop.finalReply?.code).toBe(250);
    expect(hop.queueId).toBe(message?.id);
    expect(hop.timings.tlsMs).toBeGreaterThanOrEqual(0);
    expect(hop.timings.transferMs).toBeGreaterThanOrEqual(0);
    expect(hop.transcript.some((e) => e.from === 'client' && /^MAIL FROM:<sender@hoplight\.test> .*REQUIRETLS/.test(e.line))).toBe(true);
    expect(report.message.tlsRequiredNoHeader).toBe(false);
    expect(message?.raw.toString()).not.toMatch(/^TLS-Required:/im);
  });

  it('require-tls over implicit TLS', async () => {
    received = [];
    const report = await send(account(peer.implicitPort!, { security: 'implicit' }), 'require-tls', PASSWORD);
    expect(report.outcome).toBe('accepted');
    expect(report.submissionHop.transport).toBe('implicit-tls');
    expect(report.submissionHop.capabilitiesBeforeTls).toBeUndefined();
    expect(received[0]?.envelope.requireTls).toBe(true);
  });

  it('default: TLS on hop 1, no REQUIRETLS, no TLS-Required header', async () => {
    received = [];
    const report = await send(account(peer.starttlsPort!), 'default', PASSWORD);
    expect(report.outcome).toBe('accepted');
    expect(report.submissionHop.requireTls).toEqual({ advertised: true, requested: false, accepted: false });
    expect(received[0]?.envelope.requireTls).toBe(false);
    expect(received[0]?.session.secure).toBe(true);
    expect(received[0]?.raw.toString()).not.toMatch(/^TLS-Required:/im);
    // smtp-server offers no CHUNKING: DATA in the envelope's flight, never BDAT.
    expect(report.submissionHop.capabilitiesAfterTls?.some((c) => c.startsWith('CHUNKING'))).toBe(false);
    const lines = report.submissionHop.transcript.map((l) => l.line);
    expect(lines).toContain('DATA');
    expect(lines.some((l) => l.startsWith('BDAT'))).toBe(false);
    expect(report.submissionHop.shortcuts).not.toContain('chunking');
  });

  it('tls-optional: exactly one well-formed "TLS-Required: No" header, never with REQUIRETLS', async () => {
    received = [];
    const report = await send(account(peer.starttlsPort!), 'tls-optional', PASSWORD);
    expect(report.outcome).toBe('accepted');
    expect(report.message.tlsRequiredNoHeader).toBe(true);
    const raw = received[0]?.raw.toString() ?? '';
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    expect(head.match(/^TLS-Required:.*$/gim)).toEqual(['TLS-Required: No']);
    expect(received[0]?.envelope.requireTls).toBe(false);
    expect(received[0]?.session.secure).toBe(true);
  });

  it('never puts the password in the report or transcript', async () => {
    const report = await send(account(peer.starttlsPort!), 'require-tls', PASSWORD);
    expect(report.outcome).toBe('accepted');
    expect(containsSecret(report, PASSWORD, USER)).toBe(false);
    expect(report.submissionHop.transcript.some((e) => e.line === 'AUTH PLAIN <redacted>')).toBe(true);
  });

  it('AUTH LOGIN also works and is redacted', async () => {
    const report = await send(account(peer.starttlsPort!, { authMethod: 'LOGIN' }), 'default', PASSWORD);
    expect(report.outcome).toBe('accepted');
    expect(report.submissionHop.authMechanism).toBe('LOGIN');
    expect(containsSecret(report, PASSWORD, USER)).toBe(false);
  });

  it('wrong password: EAUTH with the server’s status; AUTH went pipelined with the envelope, no content followed, nothing delivered', async () => {
    received = [];
    const report = await send(account(peer.starttlsPort!), 'default', 'not the password');
    expect(report.outcome).toBe('failed');
    expect(report.error?.code).toBe('EAUTH');
    expect(report.error?.reply?.code).toBe(535);
    expect(report.error?.message).toMatch(/no content was sent and nothing was delivered/);
    // The envelope went in the login's flight (RFC 4954 §4), so the report does not claim nothing left.
    expect(report.error?.messageTransmitted).toBe(true);
    expect(report.submissionHop.shortcuts).toContain('pipelined-auth');
    const lines = report.submissionHop.transcript.map((l) => l.line);
    expect(lines).toContain('AUTH PLAIN <redacted>');
    expect(lines.some((l) => l.startsWith('[message content'))).toBe(false);
    expect(received).toHaveLength(0);
    expect(containsSecret(report, 'not the password', USER)).toBe(false);
  });

  it('UTF-8 in subject, addresses and body travels with SMTPUTF8 and arrives intact', async () => {
    received = [];
    const message = testMessage({
      from: 'José Müller <jösé@exämple.test>',
      to: ['Zoë <zoë@example.test>'],
      subject: 'Grüße aus Köln — ünïcødé ✓',
      text: 'Größe: 10 €\n.\n..a line starting with dots\nEnd.\n',
    });
    const report = await send(account(peer.starttlsPort!), 'require-tls', PASSWORD, message);
    expect(report.error).toBeUndefined();
    const got = received[0];
    expect(got?.envelope.mailFromParameters.SMTPUTF8).toBe(true);
    // Hoplight sends the domain as an A-label; smtp-server hands it back decoded.
    expect(report.submissionHop.transcript.some((e) => e.line.startsWith('MAIL FROM:<jösé@xn--exmple-cua.test> ') && e.line.includes('SMTPUTF8'))).toBe(true);
    expect(got?.envelope.mailFrom).toBe('jösé@exämple.test');
    expect(got?.envelope.rcptTo).toEqual(['zoë@example.test']);
    const parsed = await simpleParser(got?.raw ?? Buffer.alloc(0));
    expect(parsed.subject).toBe('Grüße aus Köln — ünïcødé ✓');
    expect(parsed.text).toBe('Größe: 10 €\n.\n..a line starting with dots\nEnd.\n');
    expect(parsed.from?.value[0]?.name).toBe('José Müller');
  });

  it('ten recipients (To, Cc, Bcc) in one pipelined transaction; Bcc is not in the headers', async () => {
    received = [];
    const to = Array.from({ length: 6 }, (_, i) => `to${i}@example.test`);
    const cc = ['cc1@example.test', 'cc2@example.test'];
    const bcc = ['hidden1@example.test', 'hidden2@example.test'];
    const report = await send(account(peer.starttlsPort!), 'require-tls', PASSWORD, testMessage({ to, cc, bcc }));
    expect(report.outcome).toBe('accepted');
    expect(received[0]?.envelope.rcptTo).toEqual([...to, ...cc, ...bcc]);
    expect(report.message.acceptedRecipients).toHaveLength(10);
    const raw = received[0]?.raw.toString() ?? '';
    expect(raw).not.toMatch(/hidden1/);
    expect(raw).not.toMatch(/^Bcc:/im);
    // One client write carried MAIL, all RCPTs and DATA (RFC 2920).
    const transcript = report.submissionHop.transcript;
    const mailIndex = transcript.findIndex((e) => e.line.startsWith('MAIL FROM:'));
    expect(transcript.slice(mailIndex, mailIndex + 12).map((e) => e.from)).toEqual(Array(12).fill('client'));
  });

  it('an attachment arrives byte for byte', async () => {
    received = [];
    const dir = mkdtempSync(join(tmpdir(), 'hoplight-attach-'));
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
    const path = join(dir, 'evidence.bin');
    writeFileSync(path, bytes);
    const report = await send(account(peer.starttlsPort!), 'default', PASSWORD, testMessage({ attachments: [{ path }] }));
    expect(report.outcome).toBe('accepted');
    const parsed = await simpleParser(received[0]?.raw ?? Buffer.alloc(0));
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]?.filename).toBe('evidence.bin');
    expect(Buffer.compare(parsed.attachments[0]?.content ?? Buffer.alloc(0), bytes)).toBe(0);
  });
});

describe('refusals before anything is sent', () => {
  it('require-tls to a server without REQUIRETLS: EREQUIRETLS naming the server, nothing transmitted, no AUTH', async () => {
    const peer = await server({ requireTls: false });
    received = [];
    const report = await send(account(peer.starttlsPort!), 'require-tls', PASSWORD);
    expect(report.outcome).toBe('not-sent');
    expect(report.error?.code).toBe('EREQUIRETLS');
    expect(report.error?.message).toContain('127.0.0.1 does not support REQUIRETLS');
    expect(report.error?.hint).toMatch(/Default/);
    expect(report.error?.messageTransmitted).toBe(false);
    expect(received).toHaveLength(0);
    const lines = report.submissionHop.transcript.filter((e) => e.from === 'client').map((e) => e.line);
    expect(lines.some((l) => l.startsWith('MAIL') || l.startsWith('AUTH'))).toBe(false);
    expect(report.submissionHop.requireTls).toEqual({ advertised: false, requested: false, accepted: false });
    // The same server takes the message with Default security.
    expect((await send(account(peer.starttlsPort!), 'default', PASSWORD)).outcome).toBe('accepted');
  });

  it('a server that does not offer STARTTLS: ESTARTTLS, no cleartext AUTH or message', async () => {
    const peer = await server({ startTls: false });
    received = [];
    const report = await send(account(peer.starttlsPort!), 'default', PASSWORD);
    expect(report.outcome).toBe('not-sent');
    expect(report.error?.code).toBe('ESTARTTLS');
    expect(received).toHaveLength(0);
    const lines = report.submissionHop.transcript.filter((e) => e.from === 'client').map((e) => e.line);
    expect(lines).toEqual(['EHLO [127.0.0.1]', 'QUIT']);
  });

  it('a certificate for another host name: ETLS, nothing sent', async () => {
    const peer = await server({ cert: 'wrongHost' });
    received = [];
    const report = await send(account(peer.starttlsPort!), 'default', PASSWORD);
    expect(report.error?.code).toBe('ETLS');
    expect(report.error?.message).toMatch(/not valid for the name "127\.0\.0\.1"/);
    expect(received).toHaveLength(0);
    // The report shows what was refused, so the user can see whose certificate it was.
    expect(report.submissionHop.tls).toBeUndefined();
    expect(report.submissionHop.refusedTls?.certificate.subjectAltNames).toEqual(['DNS:mail.other.test']);
    expect(report.submissionHop.refusedTls?.trust).toMatchObject({ chainTrusted: true, hostnameMatched: false, checkedName: '127.0.0.1' });
    expect(report.submissionHop.transcript.some((e) => e.line.startsWith('AUTH'))).toBe(false);
  });

  it('a certificate for another name is accepted when the account names the TLS name it carries', async () => {
    const peer = await server({ cert: 'wrongHost' });
    const report = await send(account(peer.starttlsPort!, { tlsName: 'mail.other.test' }), 'default', PASSWORD);
    expect(report.outcome).toBe('accepted');
    expect(report.submissionHop.tls?.trust.checkedName).toBe('mail.other.test');
  });

  it('an expired certificate: ETLS', async () => {
    const peer = await server({ cert: 'expired' });
    const report = await send(account(peer.implicitPort!, { security: 'implicit' }), 'default', PASSWORD);
    expect(report.error?.code).toBe('ETLS');
    expect(report.error?.message).toMatch(/expired/);
  });

  it('an untrusted self-signed certificate is refused; pinned by its fingerprint it is accepted and the report says so', async () => {
    const peer = await server({ cert: 'selfSigned' });
    received = [];
    const refused = await send(account(peer.starttlsPort!, { caFile: undefined }), 'require-tls', PASSWORD);
    expect(refused.error?.code).toBe('ETLS');
    expect(refused.error?.message).toMatch(/self-signed/);
    expect(received).toHaveLength(0);
    expect(refused.submissionHop.refusedTls?.trust).toMatchObject({ chainTrusted: false, chainError: 'DEPTH_ZERO_SELF_SIGNED_CERT', pinned: false });

    const { X509Certificate } = await import('node:crypto');
    const fingerprint = new X509Certificate(pki.selfSigned.certPem).fingerprint256;
    expect(refused.submissionHop.refusedTls?.certificate.fingerprintSha256).toBe(fingerprint);
    const pinned = await send(account(peer.starttlsPort!, { caFile: undefined, pinSha256: fingerprint.replace(/:/g, '').toLowerCase() }), 'require-tls', PASSWORD);
    expect(pinned.error).toBeUndefined();
    expect(pinned.submissionHop.tls?.trust).toMatchObject({ pinned: true, chainTrusted: false, chainError: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(received).toHaveLength(1);
  });

  it('a pin that does not match is refused even when the chain is trusted', async () => {
    const peer = await server();
    received = [];
    const report = await send(account(peer.starttlsPort!, { pinSha256: 'AA'.repeat(32) }), 'default', PASSWORD);
    expect(report.error?.code).toBe('ETLS');
    expect(report.error?.message).toMatch(/pinned fingerprint/);
    expect(received).toHaveLength(0);
    expect(report.submissionHop.refusedTls?.trust).toMatchObject({ pinned: true, chainTrusted: true });
  });

  it('implicit TLS chosen for a STARTTLS port: ETLS that says which port expects what', async () => {
    const peer = await server();
    const report = await send(account(peer.starttlsPort!, { security: 'implicit' }), 'default', PASSWORD);
    expect(report.error?.code).toBe('ETLS');
    expect(report.error?.message).toMatch(/did not answer with TLS/);
    expect(report.error?.hint).toMatch(/587/);
  });

  it('STARTTLS chosen for an implicit-TLS port: the silent server times out with a hint', async () => {
    const peer = await server();
    const report = await send(account(peer.implicitPort!), 'default', PASSWORD, testMessage(), { timeouts: { greetingMs: 500 } });
    expect(report.error?.code).toBe('ETIMEDOUT');
    expect(report.error?.hint).toMatch(/implicit TLS/);
  });
});

describe('large attachments are streamed from disk', () => {
  it('a 24 MiB attachment arrives intact, and the SIZE declared is exactly the bytes received', async () => {
    const s = await startLocalSubmissionServer({ starttlsPort: 0, tls: pki.server, auth: { user: USER, password: PASSWORD }, advertiseRequireTls: true, sizeLimit: 100 * 1024 * 1024, onMessage: (m) => void received.push(m) });
    servers.push(s);
    const path = join(pki.dir, 'scan-24m.bin');
    const data = Buffer.alloc(24 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4096) data.writeUInt32BE((i * 2654435761) >>> 0, i);
    writeFileSync(path, data);
    received = [];
    const report = await send(account(s.starttlsPort as number), 'require-tls', PASSWORD, testMessage({ attachments: [{ path, filename: 'scan.pdf' }] }));
    expect(report.outcome, JSON.stringify(report.error)).toBe('accepted');
    expect(received).toHaveLength(1);
    const raw = received[0]!.raw;
    expect(raw.length).toBe(report.message.sizeBytes);
    const mail = report.submissionHop.transcript.find((l) => l.line.startsWith('MAIL FROM'));
    expect(mail?.line).toContain(`SIZE=${report.message.sizeBytes}`);
    const parsed = await simpleParser(raw);
    expect(createHash('sha256').update(parsed.attachments[0]!.content).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('a file that changes while it is being sent: the data is never ended, nothing is delivered, and the error names the attachment', async () => {
    const s = await server();
    const path = join(pki.dir, 'changing-4m.bin');
    writeFileSync(path, Buffer.alloc(4 * 1024 * 1024, 7));
    received = [];
    let changed = false;
    const report = await send(account(s.starttlsPort as number), 'default', PASSWORD, testMessage({ attachments: [{ path }] }), {
      copyContent: () => {
        if (changed) return;
        changed = true;
        appendFileSync(path, 'edited while sending');
      },
    });
    expect(report.outcome).not.toBe('accepted');
    expect(report.outcome).not.toBe('uncertain');
    expect(report.error).toMatchObject({ code: 'EINPUT', field: 'attachments[0]' });
    expect(report.error?.message).toMatch(/changed while it was being sent.*nothing was delivered/);
    await new Promise((r) => setTimeout(r, 200));
    expect(received).toEqual([]);
  });
});

describe('round trips, through a proxy that delays each direction by 50 ms', () => {
  it('STARTTLS takes 8 round trips and implicit TLS 6 (AUTH pipelined with the envelope), and the report counts the same', async () => {
    const s = await server();
    for (const [security, port, expected] of [['starttls', s.starttlsPort, 8], ['implicit', s.implicitPort, 6]] as const) {
      const proxy = await startDelayProxy(port as number, 50);
      try {
        const started = performance.now();
        const report = await send({ ...account(proxy.port, { security }), tlsName: 'localhost' }, 'require-tls', PASSWORD);
        // smtp-server holds its greeting back 100 ms to catch early talkers: that is the server's time, not a round trip.
        const measured = roundTripsOf(performance.now() - started - 100, proxy);
        expect(report.outcome, JSON.stringify(report.error)).toBe('accepted');
        expect(report.submissionHop.shortcuts).toEqual(['pipelining', 'pipelined-auth']);
        expect({ security, measured, counted: report.submissionHop.roundTrips }).toEqual({ security, measured: expected, counted: expected });
      } finally {
        await proxy.close();
      }
    }
  });
});

describe('a cache that claims early pipelining for a server that refuses early talkers', () => {
  it('smtp-server answers the early EHLO with 421: the cache entry is dropped and the message goes at once in the ordinary order, once', async () => {
    const s = await server();
    const cache = new MemoryEhloCache();
    const key = { host: '127.0.0.1', port: s.starttlsPort as number, security: 'starttls' as const, clientName: '[127.0.0.1]', user: USER };
    const fingerprint = new X509Certificate(pki.server.certPem).fingerprint256;
    cache.put(key, { beforeTls: ['PIPELINING', 'PIPECONNECT', 'STARTTLS'], afterTls: ['PIPELINING', 'PIPECONNECT', 'AUTH PLAIN LOGIN', 'REQUIRETLS'], fingerprintSha256: fingerprint });
    received = [];
    const report = await send(account(s.starttlsPort as number), 'require-tls', PASSWORD, testMessage({ subject: 'after a lying cache' }), { ehloCache: cache });
    expect(report.outcome, JSON.stringify(report.error)).toBe('accepted');
    expect(report.submissionHop.transcript[0]?.line).toMatch(/abandoned before any content/);
    expect(report.submissionHop.shortcuts).not.toContain('early-pipelining');
    expect(cache.get(key)).toBeUndefined();
    expect(received).toHaveLength(1);
    expect(received[0]?.envelope.requireTls).toBe(true);
  });
});


describe('TLS session resumption', () => {
  it('the second session to the same server resumes the first (kept in memory), says so, and shows the certificate verified then; other trust never resumes it', async () => {
    const s = await server();
    const sessions = new TlsSessions();
    for (const [security, port] of [['starttls', s.starttlsPort], ['implicit', s.implicitPort]] as const) {
      const first = await send(account(port as number, { security }), 'require-tls', PASSWORD, testMessage(), { tlsSessions: sessions });
      expect(first.outcome).toBe('accepted');
      expect(first.submissionHop.tls?.resumed).toBeUndefined();
      await new Promise((r) => setTimeout(r, 100)); // the TLS 1.3 tickets arrive after the handshake
      const second = await send(account(port as number, { security }), 'require-tls', PASSWORD, testMessage(), { tlsSessions: sessions });
      expect(second.outcome, JSON.stringify(second.error)).toBe('accepted');
      expect(second.submissionHop.tls?.resumed, security).toBe(true);
      expect(second.submissionHop.tls?.certificate.fingerprintSha256).toBe(first.submissionHop.tls?.certificate.fingerprintSha256);
      expect(second.submissionHop.tls?.trust).toMatchObject({ chainTrusted: true, hostnameMatched: true });
      expect(second.submissionHop.transcript.some((l) => /session resumed/.test(l.line))).toBe(true);
      // Pinned (different trust), the kept session is not offered: a full handshake, verified against the pin.
      const pinned = await send(account(port as number, { security, pinSha256: first.submissionHop.tls?.certificate.fingerprintSha256 as string }), 'require-tls', PASSWORD, testMessage(), { tlsSessions: sessions });
      expect(pinned.outcome).toBe('accepted');
      expect(pinned.submissionHop.tls?.resumed).toBeUndefined();
    }
    // A self-signed server trusted by its pin resumes too, under that pin only.
    const own = await server({ cert: 'selfSigned' });
    const pin = new X509Certificate(pki.selfSigned.certPem).fingerprint256;
    const viaPin = { host: '127.0.0.1', port: own.starttlsPort as number, security: 'starttls' as const, user: USER, pinSha256: pin };
    expect((await send(viaPin, 'default', PASSWORD, testMessage(), { tlsSessions: sessions })).outcome).toBe('accepted');
    await new Promise((r) => setTimeout(r, 100));
    const again = await send(viaPin, 'default', PASSWORD, testMessage(), { tlsSessions: sessions });
    expect(again.outcome, JSON.stringify(again.error)).toBe('accepted');
    expect(again.submissionHop.tls).toMatchObject({ resumed: true, certificate: { fingerprintSha256: pin }, trust: { pinned: true } });
    // Without the pin, the same server is refused as ever: no kept session stands in for verification.
    const unpinned = await send({ ...viaPin, pinSha256: undefined } as never, 'default', PASSWORD, testMessage(), { tlsSessions: sessions });
    expect(unpinned.error?.code).toBe('ETLS');
  });
});
