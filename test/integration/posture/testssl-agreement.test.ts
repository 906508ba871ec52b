import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkServer } from '../../../electron/core/posture/server-check.js';
import { startLocalSubmissionServer, type LocalServer } from '../../../electron/core/sandbox/local-submission-server.js';
import type { ServerCheckResult, TlsVersionName } from '../../../shared/types/posture.js';
import { commandExists, peerAvailable } from '../../helpers/peers.js';
import { makeTestPki, type TestPki } from '../../helpers/pki.js';
import { postfixInstalled, startPostfix, type PostfixPeer } from '../../helpers/postfix.js';

// The anchor: testssl.sh and Hoplight check the same local servers and must agree on TLS versions, certificate
// trust, host name and expiry. testssl's JSON is read, not its exit code (it exits non-zero when it finds anything).
const available =
  peerAvailable('testssl.sh', commandExists('/usr/bin/testssl'), 'apt-get install testssl.sh, or run scripts/install-test-peers.sh') &&
  peerAvailable('Postfix + Dovecot', postfixInstalled(), 'run scripts/install-test-peers.sh, and the tests, as root');

interface TestsslFinding {
  id: string;
  finding: string;
}

function testssl(port: number, caFile: string): Promise<Map<string, string>> {
  const out = join(mkdtempSync(join(tmpdir(), 'hoplight-testssl-')), 'out.json');
  return new Promise((resolve, reject) => {
    const child = spawn('testssl', ['--quiet', '--warnings', 'off', '--color', '0', '-p', '-S', '--starttls', 'smtp', '--add-ca', caFile, '--jsonfile-pretty', out, `127.0.0.1:${port}`], { stdio: 'ignore', env: { ...process.env, TZ: 'UTC' } });
    child.on('error', reject);
    child.on('close', () => {
      try {
        const json = JSON.parse(readFileSync(out, 'utf8')) as { scanResult: { protocols?: TestsslFinding[]; serverDefaults?: TestsslFinding[] }[] };
        const findings = json.scanResult.flatMap((s) => [...(s.protocols ?? []), ...(s.serverDefaults ?? [])]);
        resolve(new Map(findings.map((f) => [f.id, f.finding])));
      } catch (error) {
        reject(error);
      }
    });
  });
}

const TESTSSL_VERSION_IDS: Record<TlsVersionName, string> = { TLSv1: 'TLS1', 'TLSv1.1': 'TLS1_1', 'TLSv1.2': 'TLS1_2', 'TLSv1.3': 'TLS1_3' };

function expectAgreement(ours: ServerCheckResult, theirs: Map<string, string>): void {
  for (const [version, id] of Object.entries(TESTSSL_VERSION_IDS) as [TlsVersionName, string][]) {
    const attempt = ours.tlsVersions[version];
    expect(attempt.status, version).toBe('completed');
    const accepted = attempt.status === 'completed' && attempt.result.accepted;
    expect(accepted, `${version}: testssl says "${theirs.get(id)}"`).toBe(/^offered/.test(theirs.get(id) ?? ''));
  }
  expect(ours.certificate.status).toBe('completed');
  if (ours.certificate.status !== 'completed') return;
  const cert = ours.certificate.result;
  const chainPassed = /^passed/.test(theirs.get('cert_chain_of_trust') ?? '');
  const expired = /expired/.test(theirs.get('cert_expirationStatus') ?? '');
  // testssl folds expiry into the chain verdict as OpenSSL does; so does Hoplight's chainError.
  expect(cert.chainTrusted, `chain: testssl says "${theirs.get('cert_chain_of_trust')}"`).toBe(chainPassed);
  expect(cert.hostnameMatched, `name: testssl says "${theirs.get('cert_trust')}"`).toBe(/^Ok/.test(theirs.get('cert_trust') ?? ''));
  expect(cert.expired, `expiry: testssl says "${theirs.get('cert_expirationStatus')}"`).toBe(expired);
  expect(cert.leaf.validTo.slice(0, 16).replace('T', ' ')).toBe(theirs.get('cert_notAfter'));
}

describe.skipIf(!available)('Hoplight and testssl.sh agree', () => {
  let pki: TestPki;
  let plain: PostfixPeer;
  let hardened: PostfixPeer;
  const servers: LocalServer[] = [];
  beforeAll(async () => {
    pki = makeTestPki();
    [plain, hardened] = await Promise.all([startPostfix(pki), startPostfix(pki, { hardened: true })]);
    for (const tls of [pki.expired, pki.wrongHost]) {
      servers.push(await startLocalSubmissionServer({ starttlsPort: 0, tls, advertiseRequireTls: true, onMessage: () => undefined }));
    }
  });
  afterAll(async () => {
    await Promise.all([plain?.stop(), hardened?.stop(), ...servers.map((s) => s.close())]);
  });

  const cases: [string, () => number][] = [
    ['Postfix with Debian’s TLS defaults', () => plain.submissionPort],
    ['Postfix hardened', () => hardened.submissionPort],
    ['a server with an expired certificate', () => servers[0]?.starttlsPort ?? 0],
    ['a server with a certificate for another name', () => servers[1]?.starttlsPort ?? 0],
  ];
  it.each(cases)('%s', async (_name, port) => {
    const [ours, theirs] = await Promise.all([checkServer({ host: '127.0.0.1', port: port(), security: 'starttls', extraCaPem: pki.ca.certPem }), testssl(port(), pki.caFile)]);
    expectAgreement(ours, theirs);
  }, 180_000);
});
