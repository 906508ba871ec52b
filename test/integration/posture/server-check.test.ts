import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkServer } from '../../../electron/core/posture/server-check.js';
import { startLocalSubmissionServer, type LocalServer } from '../../../electron/core/sandbox/local-submission-server.js';
import type { Finding, ServerCheckResult } from '../../../shared/types/posture.js';
import { eximInstalled, startExim, type EximPeer } from '../../helpers/exim.js';
import { makeOcspResponse } from '../../helpers/ocsp-responder.js';
import { freePort, peerAvailable } from '../../helpers/peers.js';
import { makeTestPki, type TestPki } from '../../helpers/pki.js';
import { postfixInstalled, startPostfix, type PostfixPeer } from '../../helpers/postfix.js';
import { politeScript, startScriptedServer, type ScriptedServer, type StartTlsOptions } from '../../helpers/scripted-server.js';

let pki: TestPki;
const closers: (() => Promise<void>)[] = [];
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

const ids = (result: ServerCheckResult): string[] => result.findings.map((f: Finding) => f.id);
const check = (port: number, extra: Partial<Parameters<typeof checkServer>[0]> = {}): Promise<ServerCheckResult> =>
  checkServer({ host: '127.0.0.1', port, security: 'starttls', extraCaPem: pki.ca.certPem, ...extra });

async function localServer(options: { cert?: 'expired' | 'wrongHost' | 'selfSigned'; requireTls?: boolean; startTls?: boolean }): Promise<LocalServer> {
  const server = await startLocalSubmissionServer({
    starttlsPort: 0,
    implicitPort: 0,
    tls: options.cert ? pki[options.cert] : pki.server,
    auth: { user: 'u', password: 'p4ssw0rd-x' },
    advertiseRequireTls: options.requireTls ?? true,
    offerStartTls: options.startTls ?? true,
    onMessage: () => undefined,
  });
  closers.push(() => server.close());
  return server;
}

async function scripted(ehloBefore: string[], ehloAfter: string[], tls: StartTlsOptions = {}, vulnerable = false): Promise<ScriptedServer> {
  const server = await startScriptedServer(
    pki,
    '220 scripted.test ESMTP\r\n',
    politeScript((line, context) => {
      const upper = line.toUpperCase();
      if (upper === 'STARTTLS') {
        context.write('220 2.0.0 Ready\r\n');
        context.keepBufferAcrossTls = vulnerable;
        context.startTls(tls);
        return undefined;
      }
      if (upper.startsWith('EHLO')) return ['250-scripted.test', ...(context.secure ? ehloAfter : ehloBefore).map((l, i, all) => `250${i === all.length - 1 ? ' ' : '-'}${l}`)];
      return 'default';
    }),
  );
  closers.push(() => server.close());
  return server;
}

describe('server check against smtp-server and scripted servers', () => {
  it('REQUIRETLS after TLS, trusted certificate, extensions, no injection', async () => {
    const server = await localServer({});
    const result = await check(server.starttlsPort!);
    expect(result.connection.status).toBe('completed');
    expect(result.starttls).toMatchObject({ status: 'completed', result: { offered: true, accepted: true } });
    expect(result.extensions).toMatchObject({ status: 'completed', result: { requireTlsAfterTls: true, requireTlsBeforeTls: false, authBeforeTls: [], authAfterTls: ['PLAIN', 'LOGIN'], pipelining: true, smtputf8: true } });
    expect(result.ehloAfterTls.status === 'completed' && result.ehloAfterTls.result.added).toContain('REQUIRETLS');
    expect(ids(result)).toEqual(expect.arrayContaining(['requiretls.supported', 'cert.valid', 'starttls.no-injection', 'pipelining.supported', 'ocsp.not-stapled']));
    expect(ids(result)).not.toContain('requiretls.missing');
    expect(result.certificate.status === 'completed' && result.certificate.result.signatureAlgorithm).toBe('sha256WithRSAEncryption');
  });

  it('implicit TLS: the cleartext checks are "not-run", never good or bad', async () => {
    const server = await localServer({});
    const result = await check(server.implicitPort!, { security: 'implicit' });
    expect(result.ehloBeforeTls.status).toBe('not-run');
    expect(result.starttls.status).toBe('not-run');
    expect(result.starttlsInjection.status).toBe('not-run');
    expect(result.tls.status).toBe('completed');
    expect(ids(result)).not.toContain('starttls.missing');
  });

  it('no REQUIRETLS: requiretls.missing', async () => {
    const server = await localServer({ requireTls: false });
    expect(ids(await check(server.starttlsPort!))).toContain('requiretls.missing');
  });

  it('no STARTTLS: starttls.missing, and TLS is "not-run"', async () => {
    const server = await localServer({ startTls: false });
    const result = await check(server.starttlsPort!);
    expect(ids(result)).toContain('starttls.missing');
    expect(result.tls.status).toBe('not-run');
    expect(result.certificate.status).toBe('not-run');
  });

  it('an expired certificate: cert.expired with negative days', async () => {
    const server = await localServer({ cert: 'expired' });
    const result = await check(server.starttlsPort!);
    expect(ids(result)).toContain('cert.expired');
    expect(result.certificate.status === 'completed' && result.certificate.result.daysUntilExpiry).toBeLessThan(0);
    expect(ids(result)).not.toContain('cert.valid');
  });

  it('a certificate for another name: cert.hostname-mismatch, chain still trusted', async () => {
    const server = await localServer({ cert: 'wrongHost' });
    const result = await check(server.starttlsPort!);
    expect(ids(result)).toContain('cert.hostname-mismatch');
    expect(result.certificate).toMatchObject({ status: 'completed', result: { chainTrusted: true, hostnameMatched: false } });
    expect(ids(await check(server.starttlsPort!, { tlsName: 'mail.other.test' }))).toContain('cert.valid');
  });

  it('an untrusted self-signed certificate: cert.untrusted', async () => {
    const server = await localServer({ cert: 'selfSigned' });
    const result = await check(server.starttlsPort!, { extraCaPem: undefined });
    expect(ids(result)).toContain('cert.untrusted');
    expect(result.certificate).toMatchObject({ status: 'completed', result: { chainTrusted: false, chainError: 'DEPTH_ZERO_SELF_SIGNED_CERT' } });
    // Verification stays on: what needs a session over the refused certificate is "not checked", with the reason.
    expect(result.tls.status).toBe('completed');
    expect(result.extensions).toMatchObject({ status: 'not-run', reason: expect.stringMatching(/certificate is not trusted/) });
    expect(result.starttlsInjection.status).toBe('not-run');
    expect(ids(result)).not.toContain('tls.failed');
    expect(ids(result)).not.toContain('requiretls.missing');
  });

  it('REQUIRETLS and AUTH advertised before TLS are flagged', async () => {
    const server = await scripted(['PIPELINING', 'AUTH PLAIN LOGIN', 'REQUIRETLS', 'STARTTLS'], ['PIPELINING', 'AUTH PLAIN LOGIN', 'REQUIRETLS']);
    const result = await check(server.port);
    expect(ids(result)).toEqual(expect.arrayContaining(['requiretls.before-tls', 'auth.before-tls', 'requiretls.supported']));
    expect(result.extensions).toMatchObject({ status: 'completed', result: { authBeforeTls: ['PLAIN', 'LOGIN'], requireTlsBeforeTls: true } });
  });

  it('PIPECONNECT, the old X_PIPE_CONNECT and CHUNKING are recognised', async () => {
    const server = await scripted(['STARTTLS'], ['X_PIPE_CONNECT', 'CHUNKING', 'SIZE 1000']);
    const result = await check(server.port);
    expect(result.extensions).toMatchObject({ status: 'completed', result: { pipeconnect: true, chunking: true, size: 1000, smtputf8: false } });
    expect(ids(result)).toEqual(expect.arrayContaining(['pipeconnect.supported', 'chunking.supported', 'smtputf8.missing']));
  });

  it('AUTH before TLS, told apart without sending a credential: a server that would take one is critical, one that refuses stays medium with its refusal quoted', async () => {
    for (const [answer, expected, advertised] of [
      ['334 VXNlcm5hbWU6', 'accepted', true],
      ['538 5.7.11 Encryption required for requested authentication mechanism', 'refused', true],
      // Not advertised, yet taken: what a client would do after an attacker added AUTH to a stripped EHLO.
      ['334 VXNlcm5hbWU6', 'accepted', false],
    ] as const) {
      const server = await startScriptedServer(
        pki,
        '220 scripted.test ESMTP\r\n',
        politeScript((line, context) => {
          const upper = line.toUpperCase();
          if (upper.startsWith('EHLO') && !context.secure) return ['250-scripted.test', '250-PIPELINING', ...(advertised ? ['250-AUTH PLAIN LOGIN'] : []), '250 STARTTLS'];
          if (upper.startsWith('AUTH') && !context.secure) return answer;
          if (line === '*') return '501 5.7.0 Authentication cancelled';
          return 'default';
        }),
      );
      closers.push(() => server.close());
      const result = await check(server.port);
      const auth = result.findings.filter((f) => f.id.startsWith('auth.'));
      if (expected === 'accepted' && advertised) {
        expect(auth.find((f) => f.id === 'auth.cleartext-accepted')).toMatchObject({ severity: 'critical', detail: 'AUTH LOGIN before TLS was answered 334' });
        expect(auth.find((f) => f.id === 'auth.before-tls')?.severity).toBe('high');
      } else if (expected === 'accepted') {
        expect(auth.find((f) => f.id === 'auth.cleartext-accepted')).toMatchObject({ severity: 'critical', detail: expect.stringMatching(/although AUTH is not advertised before TLS/) });
        expect(auth.find((f) => f.id === 'auth.before-tls')).toBeUndefined();
      } else {
        expect(auth.find((f) => f.id === 'auth.cleartext-accepted')).toBeUndefined();
        expect(auth.find((f) => f.id === 'auth.before-tls')).toMatchObject({ severity: 'medium', detail: expect.stringMatching(/refused: 538 5\.7\.11/) });
      }
      // What the probes sent before TLS about AUTH: the bare command, and "*" to cancel a challenge; never a credential.
      const command = /^(EHLO|HELO|STARTTLS|QUIT|NOOP|RSET|MAIL|RCPT|DATA)\b/i;
      const authLines = server.sessions.flatMap((lines) => lines.filter((l) => /^AUTH|^\*$/i.test(l) || (/^[A-Za-z0-9+/]{4,}=*$/.test(l) && !command.test(l))));
      expect(authLines).toEqual(expected === 'accepted' ? ['AUTH LOGIN', '*'] : ['AUTH LOGIN']);
    }
  });

  it('smtp-server with allowInsecureAuth offers and takes AUTH before TLS: found taking credentials in cleartext, critical', async () => {
    const server = await startLocalSubmissionServer({ starttlsPort: 0, tls: pki.server, auth: { user: 'u', password: 'p4ssw0rd-x' }, advertiseRequireTls: true, allowInsecureAuth: true, onMessage: () => undefined });
    closers.push(() => server.close());
    const result = await check(server.starttlsPort as number);
    expect(result.findings.find((f) => f.id === 'auth.cleartext-accepted')?.severity).toBe('critical');
    expect(result.findings.find((f) => f.id === 'auth.before-tls')?.severity).toBe('high');
    expect(result.extensions).toMatchObject({ status: 'completed', result: { authBeforeTlsProbe: { accepted: true, mechanism: 'LOGIN', reply: '334' } } });
  });

  it('STARTTLS command injection is detected on a server that runs pre-TLS commands inside TLS', async () => {
    const vulnerable = await scripted(['STARTTLS'], ['PIPELINING'], {}, true);
    const result = await check(vulnerable.port);
    expect(result.starttlsInjection).toMatchObject({ status: 'completed', result: { vulnerable: true } });
    expect(result.findings.find((f) => f.id === 'starttls.injection')?.severity).toBe('critical');
  });

  it('a stapled OCSP response made by the test CA is decoded and its signature verified', async () => {
    const good = await scripted(['STARTTLS'], ['PIPELINING'], { ocspResponse: makeOcspResponse(pki.server, pki.ca, 'good'), sendChain: true });
    const result = await check(good.port);
    expect(result.ocsp).toMatchObject({ status: 'completed', result: { stapled: true, status: 'good', signatureValid: true } });
    expect(ids(result)).toContain('ocsp.stapled');

    const revoked = await scripted(['STARTTLS'], ['PIPELINING'], { ocspResponse: makeOcspResponse(pki.server, pki.ca, 'revoked'), sendChain: true });
    const revokedResult = await check(revoked.port);
    expect(revokedResult.ocsp).toMatchObject({ status: 'completed', result: { status: 'revoked', signatureValid: true } });
    expect(ids(revokedResult)).toContain('ocsp.revoked');

    const forged = await scripted(['STARTTLS'], ['PIPELINING'], { ocspResponse: makeOcspResponse(pki.server, pki.ca, 'good', pki.selfSigned), sendChain: true });
    const forgedResult = await check(forged.port);
    expect(forgedResult.ocsp).toMatchObject({ status: 'completed', result: { status: 'good', signatureValid: false } });
    expect(ids(forgedResult)).toContain('ocsp.bad-signature');
  });

  it('TLS 1.0/1.1 accepted by an old server are reported; a version the server refuses is "refused", not "not tested"', async () => {
    const old = await scripted(['STARTTLS'], ['PIPELINING'], { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' });
    const result = await check(old.port);
    expect(result.tlsVersions.TLSv1).toMatchObject({ status: 'completed', result: { accepted: true } });
    expect(result.tlsVersions['TLSv1.1']).toMatchObject({ status: 'completed', result: { accepted: true } });
    expect(result.tlsVersions['TLSv1.3']).toMatchObject({ status: 'completed', result: { accepted: false } });
    expect(ids(result)).toEqual(expect.arrayContaining(['tls.version.tls1_0', 'tls.version.tls1_1', 'tls.version.tls1_3-missing']));
  });

  it('an unreachable server: connection failed, and every other check is "could not check"', async () => {
    const result = await check(await freePort());
    expect(result.connection.status).toBe('error');
    expect(ids(result)).toEqual(['connection.failed']);
    for (const attempt of [result.tls, result.certificate, result.extensions, result.ocsp, ...Object.values(result.tlsVersions)]) expect(attempt.status).not.toBe('completed');
  });
});

const postfixHere = peerAvailable('Postfix + Dovecot', postfixInstalled(), 'run scripts/install-test-peers.sh, and the tests, as root');
describe.skipIf(!postfixHere)('server check against Postfix, Debian defaults and hardened', () => {
  let plain: PostfixPeer;
  let hardened: PostfixPeer;
  beforeAll(async () => {
    [plain, hardened] = await Promise.all([startPostfix(pki), startPostfix(pki, { hardened: true })]);
  });
  afterAll(async () => {
    await Promise.all([plain?.stop(), hardened?.stop()]);
  });

  it('Debian defaults: TLS 1.0 and 1.1 accepted; no REQUIRETLS; AUTH only after TLS', async () => {
    const result = await check(plain.submissionPort);
    expect(ids(result)).toEqual(expect.arrayContaining(['tls.version.tls1_0', 'tls.version.tls1_1', 'requiretls.missing', 'cert.valid', 'starttls.no-injection']));
    expect(ids(result)).not.toContain('auth.before-tls');
    expect(result.ehloAfterTls).toMatchObject({ status: 'completed', result: { removed: ['STARTTLS'], added: ['AUTH PLAIN LOGIN'] } });
  });

  it('hardened: only TLS 1.2 and 1.3', async () => {
    const result = await check(hardened.submissionPort);
    expect(result.tlsVersions.TLSv1).toMatchObject({ status: 'completed', result: { accepted: false } });
    expect(result.tlsVersions['TLSv1.1']).toMatchObject({ status: 'completed', result: { accepted: false } });
    expect(ids(result)).toContain('tls.version.tls1_2-only-or-newer');
  });

  it('hoplight check HOST --ports: the submission and implicit-TLS ports checked in parallel, each reported', async () => {
    const root = resolve(__dirname, '..', '..', '..');
    const run = spawnSync(process.execPath, [join(root, 'bin', 'hoplight.cjs'), 'check', '127.0.0.1', '--ports', `${plain.submissionPort},${plain.implicitPort}/implicit`, '--ca', pki.caFile, '--json'], { cwd: root, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(run.stdout) as ServerCheckResult[];
    expect(results.map((r) => [r.port, r.security, r.tls.status])).toEqual([
      [plain.submissionPort, 'starttls', 'completed'],
      [plain.implicitPort, 'implicit', 'completed'],
    ]);
    const text = spawnSync(process.execPath, [join(root, 'bin', 'hoplight.cjs'), 'check', '127.0.0.1', '--ports', `${plain.submissionPort},${plain.implicitPort}/implicit`, '--ca', pki.caFile], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(text.stdout.match(/^Server 127\.0\.0\.1:\d+/gm)).toHaveLength(2);
    const bad = spawnSync(process.execPath, [join(root, 'bin', 'hoplight.cjs'), 'check', '127.0.0.1', '--ports', '587/tls'], { cwd: root, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/ports/);
  });

  it('implicit TLS port, with --security auto on a non-465 port needing an explicit choice', async () => {
    const result = await check(plain.implicitPort, { security: 'implicit' });
    expect(result.tls).toMatchObject({ status: 'completed', result: { protocol: 'TLSv1.3' } });
  });
});

const eximHere = peerAvailable('Exim 4.96', eximInstalled(), 'run scripts/install-test-peers.sh, and the tests, as root');
describe.skipIf(!eximHere)('server check against Exim', () => {
  let exim: EximPeer;
  beforeAll(async () => {
    exim = await startExim(pki);
  });
  afterAll(async () => {
    await exim?.stop();
  });

  it('reports early pipelining (PIPECONNECT) and CHUNKING', async () => {
    const result = await check(exim.submissionPort);
    expect(ids(result)).toEqual(expect.arrayContaining(['pipeconnect.supported', 'chunking.supported', 'requiretls.missing', 'cert.valid']));
  });
});
