import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubmissionOutcome } from '../../shared/types/report.js';
import { issueCertificate } from '../../electron/core/tls/local-ca.js';
import { makeTestPki, type TestPki } from '../helpers/pki.js';
import { politeScript, startScriptedServer, type ScriptContext, type ScriptedServer } from '../helpers/scripted-server.js';
import { containsSecret, send, testMessage } from '../helpers/submit.js';

// Hostile peers generated, not listed: every misbehaviour in every phase of a session. For each pair the send must
// end with a typed error (never an internal one), within a bounded time and memory, with no secret in the report,
// and never claim a delivery: what dies after the end of the data is "uncertain", anything before it not sent.
const USER = 'matrix-user';
const PASSWORD = 'Matrix-Secret-77';
const TIMEOUTS = { connectMs: 1000, greetingMs: 700, tlsMs: 2000, commandMs: 700, dataEndMs: 700 };
/** Every send here ends well inside this: the timeouts above, and the send's own deadline. */
const BOUND_MS = 6000;

type Behaviour = 'overlong-line' | 'too-many-lines' | 'endless-continuation' | 'nul-and-8bit' | 'code-out-of-range' | 'silence' | 'slowloris' | 'drop';
const BEHAVIOURS: readonly Behaviour[] = ['overlong-line', 'too-many-lines', 'endless-continuation', 'nul-and-8bit', 'code-out-of-range', 'silence', 'slowloris', 'drop'];
/** The client command whose reply misbehaves ('greeting': the banner itself). */
type Phase = 'greeting' | 'EHLO' | 'STARTTLS' | 'EHLO-after-TLS' | 'AUTH' | 'MAIL' | 'RCPT' | 'DATA' | 'end-of-data';
const PHASES: readonly Phase[] = ['greeting', 'EHLO', 'STARTTLS', 'EHLO-after-TLS', 'AUTH', 'MAIL', 'RCPT', 'DATA', 'end-of-data'];

/** Does the misbehaviour on `socket`; timers stop when it closes. */
function misbehave(behaviour: Behaviour, socket: Socket): void {
  const every = (ms: number, work: () => void): void => {
    const timer = setInterval(() => (socket.destroyed || !socket.writable ? clearInterval(timer) : work()), ms);
    socket.once('close', () => clearInterval(timer));
  };
  switch (behaviour) {
    case 'overlong-line':
      socket.write(`250 ${'x'.repeat(256 * 1024)}`); // no CRLF, far over any reply line
      return;
    case 'too-many-lines':
      socket.write(Array.from({ length: 2000 }, (_, i) => `250-line ${i}\r\n`).join(''));
      return;
    case 'endless-continuation':
      every(2, () => socket.write(`${'250-more and more capabilities\r\n'.repeat(32)}`));
      return;
    case 'nul-and-8bit':
      socket.write(Buffer.from([0x32, 0x35, 0x00, 0x20, 0xff, 0xfe, 0x80, 0x0d, 0x0a]));
      return;
    case 'code-out-of-range':
      socket.write('999 9.9.9 what\r\n');
      return;
    case 'silence':
      return;
    case 'slowloris':
      every(150, () => socket.write('2'));
      return;
    case 'drop':
      socket.destroy();
      return;
  }
}

const TRIGGERS: Record<Exclude<Phase, 'greeting'>, (line: string, context: ScriptContext) => boolean> = {
  EHLO: (line, c) => /^EHLO/i.test(line) && !c.secure,
  STARTTLS: (line) => /^STARTTLS$/i.test(line),
  'EHLO-after-TLS': (line, c) => /^EHLO/i.test(line) && c.secure,
  AUTH: (line) => /^AUTH/i.test(line),
  MAIL: (line) => /^MAIL FROM/i.test(line),
  RCPT: (line) => /^RCPT TO/i.test(line),
  DATA: (line, c) => /^DATA$/i.test(line) && !c.inData,
  'end-of-data': (line) => line === '.',
};

describe('hostile peers: every misbehaviour in every phase', () => {
  let pki: TestPki;
  const servers: ScriptedServer[] = [];
  const raw: Server[] = [];
  beforeAll(() => {
    pki = makeTestPki();
  });
  afterAll(async () => {
    await Promise.all([...servers.map((s) => s.close()), ...raw.map((s) => new Promise((done) => s.close(done)))]);
  });

  async function serverFor(phase: Phase, behaviour: Behaviour): Promise<number> {
    if (phase === 'greeting') {
      const sockets = new Set<Socket>();
      const server = createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => sockets.delete(socket));
        misbehave(behaviour, socket);
      });
      const close = server.close.bind(server);
      server.close = ((done?: () => void) => {
        for (const s of sockets) s.destroy();
        return close(done);
      }) as typeof server.close;
      raw.push(server);
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      return (server.address() as { port: number }).port;
    }
    const trigger = TRIGGERS[phase];
    const server = await startScriptedServer(
      pki,
      '220 matrix.test ESMTP\r\n',
      politeScript((line, context) => {
        if (!trigger(line, context)) return 'default';
        if (phase === 'DATA') context.inData = false;
        misbehave(behaviour, context.socket());
        return undefined;
      }),
    );
    servers.push(server);
    return server.port;
  }

  for (const phase of PHASES) {
    it(`${phase}: ${BEHAVIOURS.join(', ')}`, async () => {
      for (const behaviour of BEHAVIOURS) {
        const port = await serverFor(phase, behaviour);
        const heapBefore = process.memoryUsage().heapUsed;
        const started = performance.now();
        const report = await send({ host: '127.0.0.1', port, security: 'starttls', user: USER, caFile: pki.caFile }, 'require-tls', PASSWORD, testMessage(), { timeouts: TIMEOUTS, deadlineMs: 5000 });
        const elapsed = performance.now() - started;
        const where = `${phase} × ${behaviour}: ${report.error?.code} ${report.error?.message?.slice(0, 160)}`;
        expect(report.error, where).toBeDefined();
        expect(report.error?.code, where).not.toBe('EINTERNAL');
        expect(elapsed, where).toBeLessThan(BOUND_MS);
        expect(process.memoryUsage().heapUsed - heapBefore, where).toBeLessThan(96 * 1024 * 1024);
        expect(containsSecret(report, PASSWORD, USER), where).toBe(false);
        const never: SubmissionOutcome = 'accepted';
        expect(report.outcome, where).not.toBe(never);
        // The whole message had been written only when the end of the data was: then it may have been delivered.
        if (phase === 'end-of-data') expect(report.outcome, where).toBe('uncertain');
        else expect(report.outcome, where).not.toBe('uncertain');
      }
    }, 120_000);
  }
});

describe('hostile TLS peers', () => {
  let pki: TestPki;
  const servers: ScriptedServer[] = [];
  beforeAll(() => {
    pki = makeTestPki();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  /** A STARTTLS server presenting `certificate` (PEM leaf, then any chain), otherwise polite. */
  async function presenting(certificate: { certPem: string; keyPem: string }): Promise<number> {
    const server = await startScriptedServer(
      pki,
      '220 tls-matrix.test ESMTP\r\n',
      politeScript((line, context) => {
        if (!/^STARTTLS$/i.test(line)) return 'default';
        context.write('220 2.0.0 Go ahead\r\n');
        context.startTls({ certificate });
        return undefined;
      }),
    );
    servers.push(server);
    return server.port;
  }

  const cases: { name: string; certificate: () => { certPem: string; keyPem: string }; tlsName?: string; refused: RegExp | null }[] = [
    {
      name: 'a chain of 20 certificates',
      certificate: () => {
        let issuer = pki.ca;
        const chain: string[] = [];
        for (let i = 0; i < 18; i++) {
          issuer = issueCertificate({ commonName: `Intermediate ${i}`, isCa: true }, issuer);
          chain.unshift(issuer.certPem);
        }
        const leaf = issueCertificate({ commonName: 'localhost', names: ['localhost', '127.0.0.1'] }, issuer);
        return { certPem: [leaf.certPem, ...chain].join(''), keyPem: leaf.keyPem };
      },
      refused: null, // a long but valid chain may be accepted; what matters is a bounded, honest answer
    },
    { name: 'a wildcard two labels deep', certificate: () => issueCertificate({ commonName: '*.*.example.test', names: ['*.*.example.test'] }, pki.ca), tlsName: 'a.b.example.test', refused: /a\.b\.example\.test|name|altnames/i },
    { name: 'a NUL inside the name', certificate: () => issueCertificate({ commonName: 'mx.example.test\0.evil.test', names: ['mx.example.test\0.evil.test'] }, pki.ca), tlsName: 'mx.example.test', refused: /mx\.example\.test|name|altnames/i },
    { name: 'an IP SAN for another address', certificate: () => issueCertificate({ commonName: '127.0.0.2', names: ['127.0.0.2'] }, pki.ca), refused: /127\.0\.0\.1|IP|altnames/i },
    { name: 'a certificate valid only in the future', certificate: () => issueCertificate({ commonName: 'localhost', names: ['localhost', '127.0.0.1'], notBefore: new Date(Date.now() + 2 * 86_400_000), notAfter: new Date(Date.now() + 30 * 86_400_000) }, pki.ca), refused: /not yet valid|CERT_NOT_YET_VALID/i },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.refused ? 'refused with ETLS naming why, nothing sent after the handshake' : 'a bounded, honest answer'}`, async () => {
      const port = await presenting(c.certificate());
      const started = performance.now();
      const report = await send({ host: '127.0.0.1', port, security: 'starttls', user: USER, caFile: pki.caFile, ...(c.tlsName ? { tlsName: c.tlsName } : {}) }, 'require-tls', PASSWORD, testMessage(), { timeouts: TIMEOUTS, deadlineMs: 5000 });
      expect(performance.now() - started).toBeLessThan(BOUND_MS);
      expect(containsSecret(report, PASSWORD, USER)).toBe(false);
      if (c.refused) {
        expect(report.error?.code, report.error?.message).toBe('ETLS');
        expect(report.error?.message).toMatch(c.refused);
        expect(report.outcome).not.toBe('accepted');
        expect(servers.at(-1)?.sessions.flat().filter((l) => /^(AUTH|MAIL|RCPT|DATA)/i.test(l))).toEqual([]);
      } else if (report.outcome === 'accepted') {
        expect(report.submissionHop.tls?.trust.chainTrusted).toBe(true);
      } else expect(report.error?.code).not.toBe('EINTERNAL');
    });
  }
});
