import { createHash, X509Certificate } from 'node:crypto';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolver } from '../../../electron/core/dns/dns-client.js';
import { checkDomain } from '../../../electron/core/posture/domain-check.js';
import { MemoryMtaStsCache } from '../../../electron/core/posture/mta-sts-cache.js';
import { startLocalSubmissionServer, type LocalServer } from '../../../electron/core/sandbox/local-submission-server.js';
import { issueCertificate } from '../../../electron/core/tls/local-ca.js';
import type { DomainCheckResult, ServerCheckResult } from '../../../shared/types/posture.js';
import { dnsToolsInstalled, randomLoopbackNet, startDnsWorld, type DnsWorld } from '../../helpers/dns-world.js';
import { peerAvailable } from '../../helpers/peers.js';
import { makeTestPki, type TestPki } from '../../helpers/pki.js';

// A test world on loopback: a validating unbound serving a DNSSEC-signed example.test and an unsigned plain.test,
// MX hosts on port 25 of a random 127.x.y.0/24, and the MTA-STS policy over HTTPS on port 443 of the same net.
// MX hosts listen on port 25 and HTTPS on 443 of a loopback address: that needs root (or CAP_NET_BIND_SERVICE).
const available =
  peerAvailable('unbound + dnssec-signzone', dnsToolsInstalled(), 'apt-get install unbound bind9-utils, or run scripts/install-test-peers.sh') &&
  peerAvailable('ports 25 and 443 on loopback', process.getuid?.() === 0, 'run the tests as root, as CI does');

describe.skipIf(!available)('domain check in a local DNSSEC world', () => {
  const net = randomLoopbackNet();
  let pki: TestPki;
  let world: DnsWorld;
  let mx1: LocalServer;
  let mx2: LocalServer;
  // The same MX name on an IPv6 address, without REQUIRETLS: the dual-stack host of dual.test.
  let mx6: LocalServer;
  let dualV4: LocalServer;
  let https: Server;
  let signed: DomainCheckResult;
  let plain: DomainCheckResult;
  const ids = (r: DomainCheckResult): string[] => r.findings.map((f) => `${f.id}@${f.subject}`);

  beforeAll(async () => {
    pki = makeTestPki();
    const mx1Cert = issueCertificate({ commonName: 'mx1.example.test', names: ['mx1.example.test'] }, pki.ca);
    const mx2Cert = issueCertificate({ commonName: 'mx2.example.test', names: ['mx2.example.test', 'mx.plain.test'] }, pki.ca);
    const stsCert = issueCertificate({ commonName: 'mta-sts.example.test', names: ['mta-sts.example.test', 'mta-sts.broken.test', 'mta-sts.testing.test'] }, pki.ca);
    const spkiHash = createHash('sha256').update(new X509Certificate(mx1Cert.certPem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
    const onMessage = (): void => undefined;
    [mx1, mx2] = await Promise.all([
      startLocalSubmissionServer({ host: `${net}.2`, starttlsPort: 25, tls: mx1Cert, advertiseRequireTls: true, onMessage }),
      startLocalSubmissionServer({ host: `${net}.3`, starttlsPort: 25, tls: mx2Cert, advertiseRequireTls: false, onMessage }),
    ]);
    const dualCert = issueCertificate({ commonName: 'mx.dual.test', names: ['mx.dual.test'] }, pki.ca);
    mx6 = await startLocalSubmissionServer({ host: '::1', starttlsPort: 25, tls: dualCert, advertiseRequireTls: false, onMessage });
    dualV4 = await startLocalSubmissionServer({ host: `${net}.5`, starttlsPort: 25, tls: dualCert, advertiseRequireTls: true, onMessage });
    https = createServer({ key: stsCert.keyPem, cert: stsCert.certPem }, (request, response) => {
      if (request.url === '/.well-known/mta-sts.txt' && request.headers.host === 'mta-sts.example.test') {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmax_age: 86400\r\n');
      } else if (request.url === '/.well-known/mta-sts.txt' && request.headers.host === 'mta-sts.testing.test') {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('version: STSv1\nmode: testing\nmx: *.plain.test\nmax_age: 604800\n');
      } else response.writeHead(404).end();
    });
    await new Promise<void>((done) => https.listen(443, `${net}.4`, done));
    world = await startDnsWorld([
      {
        name: 'example.test',
        signed: true,
        records: [
          '@ MX 10 mx1',
          '@ MX 20 mx2',
          `mx1 A ${net}.2`,
          `mx2 A ${net}.3`,
          `_25._tcp.mx1 TLSA 3 1 1 ${spkiHash}`,
          `_25._tcp.mx2 TLSA 3 1 1 ${'00'.repeat(32)}`,
          '_mta-sts TXT "v=STSv1; id=20261122"',
          `mta-sts A ${net}.4`,
          '_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tlsrpt@example.test"',
        ],
      },
      { name: 'plain.test', signed: false, records: ['@ MX 10 mx', '@ MX 20 dead', `mx A ${net}.3`, `dead A ${net}.9`] },
      { name: 'broken.test', signed: false, records: ['@ MX 10 mx.plain.test.', '_mta-sts TXT "v=STSv1; id=1"', `mta-sts A ${net}.8`] },
      { name: 'bogus.test', signed: true, bogus: true, records: ['@ MX 10 mx', `mx A ${net}.3`] },
      { name: 'testing.test', signed: false, records: ['@ MX 10 mx.plain.test.', '_mta-sts TXT "v=STSv1; id=7"', `mta-sts A ${net}.4`] },
      { name: 'nullmx.test', signed: true, records: ['@ MX 0 .'] },
      { name: 'dual.test', signed: true, records: ['@ MX 10 mx', `mx A ${net}.5`, 'mx AAAA ::1'] },
    ]);
    const resolver = createResolver({ host: '127.0.0.1', port: world.port });
    [signed, plain] = await Promise.all([
      checkDomain({ domain: 'example.test', resolver, extraCaPem: pki.ca.certPem, timeouts: { connectMs: 2000 } }),
      checkDomain({ domain: 'plain.test', resolver, extraCaPem: pki.ca.certPem, timeouts: { connectMs: 2000 } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([world?.stop(), mx1?.close(), mx2?.close(), mx6?.close(), dualV4?.close(), new Promise((done) => (https ? https.close(done) : done(undefined)))]);
  });

  it('reads MX records with the resolver’s DNSSEC verdict', () => {
    expect(signed.mx).toMatchObject({ status: 'completed', result: { authenticated: true, hosts: [{ name: 'mx1.example.test', preference: 10 }, { name: 'mx2.example.test', preference: 20 }] } });
    expect(plain.mx).toMatchObject({ status: 'completed', result: { authenticated: false } });
    expect(ids(signed)).toContain('dnssec.signed@example.test');
    expect(ids(plain)).toContain('dnssec.unsigned@plain.test');
  });

  it('fetches and applies the MTA-STS policy', () => {
    expect(signed.mtaSts).toMatchObject({ status: 'completed', result: { record: true, policy: { id: '20261122', mode: 'enforce', maxAge: 86400, mx: ['mx1.example.test'] } } });
    expect(ids(signed)).toEqual(expect.arrayContaining(['mta-sts.enforce@example.test', 'mta-sts.mx-mismatch@mx2.example.test']));
    expect(ids(signed)).not.toContain('mta-sts.mx-mismatch@mx1.example.test');
    expect(ids(plain)).toContain('mta-sts.missing@plain.test');
  });

  it('matches DANE TLSA records against what each MX presented', () => {
    const [first, second] = signed.mxHosts;
    expect(first?.dane).toMatchObject({ status: 'completed', result: { authenticated: true, valid: true } });
    expect(second?.dane).toMatchObject({ status: 'completed', result: { authenticated: true, valid: false } });
    expect(ids(signed)).toEqual(expect.arrayContaining(['dane.valid@mx1.example.test', 'dane.mismatch@mx2.example.test']));
    expect(ids(plain)).toContain('dane.missing@mx.plain.test');
  });

  it('reads TLS-RPT', () => {
    expect(ids(signed)).toContain('tlsrpt.present@example.test');
    expect(ids(plain)).toContain('tlsrpt.missing@plain.test');
  });

  it('checks each MX on port 25 and reports an unreachable one as its own state, never as insecure', () => {
    const mx1Check = signed.mxHosts[0];
    expect(mx1Check?.reachability).toBe('reachable');
    expect(mx1Check?.server.status === 'completed' && mx1Check.server.result.certificate.status === 'completed' && mx1Check.server.result.certificate.result.hostnameMatched).toBe(true);
    const dead = plain.mxHosts.find((h) => h.name === 'dead.plain.test');
    expect(dead?.reachability).toBe('unreachable');
    expect(ids(plain)).toContain('mx.unreachable@dead.plain.test');
    const deadFindings = dead?.server.status === 'completed' ? dead.server.result.findings.map((f) => f.id) : [];
    expect(deadFindings).toEqual(['connection.failed']);
  });

  it('forecasts the last hop for each security choice', () => {
    expect(signed.forecast['require-tls'].verdict).toBe('deliverable');
    expect(signed.forecast['require-tls'].summary).toContain('mx1.example.test');
    expect(signed.mxHosts[1]?.requireTls.deliverable).toBe(false);
    // mx1 is authenticated by DANE; mx2's TLSA records do not match, so DANE-aware senders never use it.
    expect(signed.forecast.default.verdict).toBe('policy-protected');
    expect(signed.forecast.default.summary).toMatch(/hold back from mx2\.example\.test/);
    expect(signed.forecast['tls-optional'].verdict).toBe('policy-ignored');
    // plain.test is unsigned without policy: enforcing relays return it (5.7.10); whether a certificate-checking
    // relay would deliver depends on dead.plain.test, which cannot be reached from here.
    const rt = plain.forecast['require-tls'];
    expect(rt.verdict).toBe('unknown');
    expect(rt.relays.find((r) => r.relay === 'rfc8689')).toMatchObject({ verdict: 'will-bounce', statusCodes: ['5.7.10'] });
    expect(rt.relays.find((r) => r.relay === 'verify')?.verdict).toBe('unknown');
    expect(rt.summary).toMatch(/known: .*return it \(5\.7\.10\)/);
    expect(plain.forecast['tls-optional'].verdict).toBe('no-policy-to-ignore');
  });

  it('an MTA-STS record whose policy cannot be fetched is mta-sts.invalid', async () => {
    const broken = await checkDomain({ domain: 'broken.test', resolver: createResolver({ host: '127.0.0.1', port: world.port }), extraCaPem: pki.ca.certPem, timeouts: { connectMs: 2000 } });
    expect(broken.findings.map((f) => f.id)).toContain('mta-sts.invalid');
    expect(broken.mtaSts.status === 'completed' && broken.mtaSts.result.problem).toMatch(/could not be fetched/);
  });

  it('hoplight check --domain prints the same facts as JSON and exits 0', async () => {
    const root = resolve(__dirname, '..', '..', '..');
    const caFile = join(pki.dir, 'ca.pem');
    writeFileSync(caFile, pki.ca.certPem);
    const child = spawn(process.execPath, [join(root, 'bin', 'hoplight.cjs'), 'check', '--domain', 'example.test', '--resolver', `127.0.0.1:${world.port}`, '--ca', caFile, '--json'], { cwd: root });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const status = await new Promise((done) => child.on('close', done));
    expect(status).toBe(0);
    const result = JSON.parse(stdout) as DomainCheckResult;
    expect(result.forecast['require-tls'].verdict).toBe('deliverable');
    expect(result.findings.map((f) => f.id)).toContain('dane.valid');
  });

  it('a DNSSEC validation failure (SERVFAIL) is "could not check", never "no record" or "unsigned"', async () => {
    const bogus = await checkDomain({ domain: 'bogus.test', resolver: createResolver({ host: '127.0.0.1', port: world.port }), timeouts: { connectMs: 2000 } });
    expect(bogus.mx.status).toBe('error');
    expect(bogus.mx.status === 'error' && bogus.mx.reason).toMatch(/SERVFAIL/);
    expect(bogus.mtaSts.status).toBe('error');
    expect(bogus.tlsRpt.status).toBe('error');
    expect(bogus.findings).toEqual([]);
    expect(bogus.forecast['require-tls'].verdict).toBe('unknown');
    expect(bogus.forecast.default.verdict).toBe('unknown');
    expect(bogus.forecast['tls-optional'].verdict).toBe('unknown');
  });

  it('an MTA-STS policy in testing mode, with a wildcard mx pattern', async () => {
    const result = await checkDomain({ domain: 'testing.test', resolver: createResolver({ host: '127.0.0.1', port: world.port }), extraCaPem: pki.ca.certPem, timeouts: { connectMs: 2000 } });
    expect(result.findings.map((f) => f.id)).toContain('mta-sts.testing');
    expect(result.mxHosts[0]?.mtaStsMatch).toMatchObject({ status: 'completed', result: { matched: true, pattern: '.plain.test' } });
    expect(result.forecast.default.verdict).toBe('opportunistic');
  });

  it('an MX with an A and an AAAA address that differ in REQUIRETLS: both checked, the disagreement is a finding, and the forecast takes the weaker one', async () => {
    const result = await checkDomain({ domain: 'dual.test', resolver: createResolver({ host: '127.0.0.1', port: world.port }), extraCaPem: pki.ca.certPem, timeouts: { connectMs: 2000 } });
    const host = result.mxHosts[0]!;
    expect(host.addresses).toMatchObject({ status: 'completed', result: { addresses: [`${net}.5`, '::1'], authenticated: true } });
    expect(host.addressChecks?.map((a) => [a.address, a.server.status === 'completed' && a.server.result.extensions.status === 'completed' && a.server.result.extensions.result.requireTlsAfterTls])).toEqual([
      [`${net}.5`, true],
      ['::1', false],
    ]);
    const disagree = result.findings.find((f) => f.id === 'mx.addresses-disagree');
    expect(disagree).toMatchObject({ severity: 'high', subject: 'mx.dual.test' });
    expect(disagree?.detail).toMatch(new RegExp(`${net.replace(/\./g, '\\.')}\\.5: REQUIRETLS.*::1: no REQUIRETLS`));
    // A relay may reach the IPv6 address, which cannot take a REQUIRETLS message.
    expect(host.requireTls.deliverable).toBe(false);
    expect(result.forecast['require-tls'].verdict).not.toBe('deliverable');
  });

  it('MTA-STS as a sender keeps it: fetched once, used from the cache while the id is unchanged, and used (and said so) when the policy server is down', async () => {
    const cache = new MemoryMtaStsCache();
    const resolver = createResolver({ host: '127.0.0.1', port: world.port });
    let requests = 0;
    const count = (): void => void (requests += 1);
    https.on('request', count);
    try {
      const first = await checkDomain({ domain: 'example.test', resolver, extraCaPem: pki.ca.certPem, mtaStsCache: cache, timeouts: { connectMs: 2000 } });
      expect(first.mtaSts).toMatchObject({ status: 'completed', result: { source: 'fetched', policy: { mode: 'enforce', id: '20261122' } } });
      expect(requests).toBe(1);
      const second = await checkDomain({ domain: 'example.test', resolver, extraCaPem: pki.ca.certPem, mtaStsCache: cache, timeouts: { connectMs: 2000 } });
      expect(second.mtaSts).toMatchObject({ status: 'completed', result: { source: 'cache', policy: { mode: 'enforce' } } });
      expect(requests).toBe(1); // the record's id is unchanged: no fetch (RFC 8461 §3.3)
      expect(second.findings.find((f) => f.id === 'mta-sts.enforce')?.detail).toMatch(/from the cache/);
    } finally {
      https.off('request', count);
    }
    // A cache whose policy carries an older id: the record's id changed, so the live policy is fetched and kept.
    const changed = new MemoryMtaStsCache();
    changed.put('example.test', { id: 'older-id', mode: 'testing', maxAge: 86400, mx: ['mx1.example.test'] });
    const refreshed = await checkDomain({ domain: 'example.test', resolver, extraCaPem: pki.ca.certPem, mtaStsCache: changed, timeouts: { connectMs: 2000 } });
    expect(refreshed.mtaSts).toMatchObject({ status: 'completed', result: { source: 'fetched', policy: { id: '20261122', mode: 'enforce' } } });
    expect(changed.get('example.test')?.policy).toMatchObject({ id: '20261122', mode: 'enforce' });
    // And when it cannot be fetched, the cached one (still within its max_age) is used, and the check says so.
    const stale = new MemoryMtaStsCache();
    stale.put('example.test', { id: 'older-id', mode: 'enforce', maxAge: 86400, mx: ['mx1.example.test'] });
    await new Promise<void>((done) => https.close(() => done()));
    try {
      const down = await checkDomain({ domain: 'example.test', resolver, extraCaPem: pki.ca.certPem, mtaStsCache: stale, timeouts: { connectMs: 2000 } });
      expect(down.mtaSts).toMatchObject({ status: 'completed', result: { source: 'cache-fallback', policy: { id: 'older-id', mode: 'enforce' } } });
      expect(down.findings.find((f) => f.id === 'mta-sts.cached-fallback')?.detail).toMatch(/could not be fetched.*the cached policy .* was used/);
      // The forecast uses the same policy: the MX listed in it still counts as MTA-STS-protected.
      expect(down.mxHosts[0]?.mtaStsMatch).toMatchObject({ status: 'completed', result: { matched: true } });
    } finally {
      await new Promise<void>((done) => https.listen(443, `${net}.4`, done));
    }
  });

  it('hoplight check HOST by name: each of its A and AAAA addresses is checked, and that they disagree is said', async () => {
    const root = resolve(__dirname, '..', '..', '..');
    const caFile = join(pki.dir, 'ca-dual.pem');
    writeFileSync(caFile, pki.ca.certPem);
    const run = (extra: string[]): Promise<{ status: unknown; stdout: string }> => {
      const child = spawn(process.execPath, [join(root, 'bin', 'hoplight.cjs'), 'check', 'mx.dual.test:25', '--resolver', `127.0.0.1:${world.port}`, '--ca', caFile, ...extra], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      return new Promise((done) => child.on('close', (status) => done({ status, stdout })));
    };
    const json = await run(['--json']);
    expect(json.status).toBe(0);
    const results = JSON.parse(json.stdout) as ServerCheckResult[];
    expect(results.map((r) => [r.host, r.checkedName, r.extensions.status === 'completed' && r.extensions.result.requireTlsAfterTls])).toEqual([
      [`${net}.5`, 'mx.dual.test', true],
      ['::1', 'mx.dual.test', false],
    ]);
    const text = await run([]);
    expect(text.stdout).toMatch(/mx\.dual\.test has 2 addresses; each is checked/);
    expect(text.stdout).toMatch(/The addresses do not behave alike: .*REQUIRETLS.*::1: no REQUIRETLS/);
  });

  it('a null MX (RFC 7505): the domain accepts no mail', async () => {
    const result = await checkDomain({ domain: 'nullmx.test', resolver: createResolver({ host: '127.0.0.1', port: world.port }) });
    expect(result.mx).toMatchObject({ status: 'completed', result: { nullMx: true, authenticated: true } });
    expect(result.findings.map((f) => f.id)).toContain('mx.none');
    expect(result.mxHosts).toEqual([]);
  });
});
