import { createHash, X509Certificate } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolver } from '../../../electron/core/dns/dns-client.js';
import { checkDomain } from '../../../electron/core/posture/domain-check.js';
import { startLocalSubmissionServer, type LocalServer } from '../../../electron/core/sandbox/local-submission-server.js';
import { issueCertificate, type IssuedCertificate } from '../../../electron/core/tls/local-ca.js';
import type { DomainCheckResult, RelayBehaviour } from '../../../shared/types/posture.js';
import { dnsToolsInstalled, randomLoopbackNet, startDnsWorld, type DnsWorld } from '../../helpers/dns-world.js';
import { peerAvailable } from '../../helpers/peers.js';
import { makeTestPki, type TestPki } from '../../helpers/pki.js';

// The forecast against real MX servers (smtp-server on port 25 of a random loopback /24) in a local DNSSEC world
// (unbound validating signed zones), one domain per case the relay comparison with Postfix 3.11 found decisive:
// a TLSA mismatch under a PKIX-valid certificate, an MTA-STS-only unsigned domain, an MX without REQUIRETLS, an MX
// without STARTTLS, two MX of which only the second offers REQUIRETLS, a DANE-only MX with a self-signed
// certificate, a perfect domain, and an unsigned domain without policy. Each is asserted for every security choice
// and every relay behaviour.
const available =
  peerAvailable('unbound + dnssec-signzone', dnsToolsInstalled(), 'apt-get install unbound bind9-utils, or run scripts/install-test-peers.sh') &&
  peerAvailable('ports 25 and 443 on loopback', process.getuid?.() === 0, 'run the tests as root, as CI does');

const spki = (cert: IssuedCertificate): string => createHash('sha256').update(new X509Certificate(cert.certPem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');

type Row = Record<RelayBehaviour, string>;
const verdicts = (f: DomainCheckResult['forecast']['default']): Row =>
  Object.fromEntries(f.relays.map((r) => [r.relay, r.verdict === 'deliverable' || r.verdict === 'unknown' ? r.verdict : `${r.verdict} ${(r.statusCodes ?? []).join('|')}`])) as Row;

describe.skipIf(!available)('forecast per relay behaviour, in a local DNSSEC world', () => {
  const net = randomLoopbackNet();
  let pki: TestPki;
  let world: DnsWorld;
  let https: Server;
  const servers: LocalServer[] = [];
  const results = new Map<string, DomainCheckResult>();
  const get = (domain: string): DomainCheckResult => results.get(domain)!;

  beforeAll(async () => {
    pki = makeTestPki();
    const cert = (name: string): IssuedCertificate => issueCertificate({ commonName: name, names: [name] }, pki.ca);
    const certs = {
      mismatch: cert('mx.dane-mismatch.test'),
      sts: cert('mx.sts-only.test'),
      noRequireTls: cert('mx.no-requiretls.test'),
      noStarttls: cert('mx.no-starttls.test'),
      second1: cert('mx1.second-mx.test'),
      second2: cert('mx2.second-mx.test'),
      daneOnly: issueCertificate({ commonName: 'mx.dane-only.test', names: ['mx.dane-only.test'] }), // self-signed
      perfect: cert('mx.perfect.test'),
      unsigned: cert('mx.unsigned.test'),
    };
    const hosts: [keyof typeof certs, number, { advertiseRequireTls: boolean; offerStartTls?: boolean }][] = [
      ['mismatch', 10, { advertiseRequireTls: true }],
      ['sts', 11, { advertiseRequireTls: true }],
      ['noRequireTls', 12, { advertiseRequireTls: false }],
      ['noStarttls', 13, { advertiseRequireTls: true, offerStartTls: false }],
      ['second1', 14, { advertiseRequireTls: false }],
      ['second2', 15, { advertiseRequireTls: true }],
      ['daneOnly', 16, { advertiseRequireTls: true }],
      ['perfect', 17, { advertiseRequireTls: true }],
      ['unsigned', 18, { advertiseRequireTls: true }],
    ];
    servers.push(...(await Promise.all(hosts.map(([key, octet, options]) => startLocalSubmissionServer({ host: `${net}.${octet}`, starttlsPort: 25, tls: certs[key], onMessage: () => undefined, ...options })))));
    const stsCert = cert('mta-sts.sts-only.test');
    https = createServer({ key: stsCert.keyPem, cert: stsCert.certPem }, (request, response) => {
      if (request.url === '/.well-known/mta-sts.txt' && request.headers.host === 'mta-sts.sts-only.test') response.writeHead(200, { 'content-type': 'text/plain' }).end('version: STSv1\r\nmode: enforce\r\nmx: mx.sts-only.test\r\nmax_age: 86400\r\n');
      else response.writeHead(404).end();
    });
    await new Promise<void>((done) => https.listen(443, `${net}.30`, done));
    const wrong = 'ab'.repeat(32);
    world = await startDnsWorld([
      { name: 'dane-mismatch.test', signed: true, records: ['@ MX 10 mx', `mx A ${net}.10`, `_25._tcp.mx TLSA 3 1 1 ${wrong}`] },
      { name: 'sts-only.test', signed: false, records: ['@ MX 10 mx', `mx A ${net}.11`, '_mta-sts TXT "v=STSv1; id=2026120201"', `mta-sts A ${net}.30`] },
      { name: 'no-requiretls.test', signed: true, records: ['@ MX 10 mx', `mx A ${net}.12`, `_25._tcp.mx TLSA 3 1 1 ${spki(certs.noRequireTls)}`] },
      { name: 'no-starttls.test', signed: true, records: ['@ MX 10 mx', `mx A ${net}.13`] },
      { name: 'second-mx.test', signed: true, records: ['@ MX 10 mx1', '@ MX 20 mx2', `mx1 A ${net}.14`, `mx2 A ${net}.15`, `_25._tcp.mx1 TLSA 3 1 1 ${spki(certs.second1)}`, `_25._tcp.mx2 TLSA 3 1 1 ${spki(certs.second2)}`] },
      { name: 'dane-only.test', signed: true, records: ['@ MX 10 mx', `mx A ${net}.16`, `_25._tcp.mx TLSA 3 1 1 ${spki(certs.daneOnly)}`] },
      { name: 'perfect.test', signed: true, records: ['@ MX 10 mx', `mx A ${net}.17`, `_25._tcp.mx TLSA 3 1 1 ${spki(certs.perfect)}`] },
      { name: 'unsigned.test', signed: false, records: ['@ MX 10 mx', `mx A ${net}.18`] },
    ]);
    const resolver = createResolver({ host: '127.0.0.1', port: world.port });
    const domains = ['dane-mismatch.test', 'sts-only.test', 'no-requiretls.test', 'no-starttls.test', 'second-mx.test', 'dane-only.test', 'perfect.test', 'unsigned.test'];
    const checked = await Promise.all(domains.map((domain) => checkDomain({ domain, resolver, extraCaPem: pki.ca.certPem, timeouts: { connectMs: 2000 } })));
    checked.forEach((r) => results.set(r.domain, r));
  });
  afterAll(async () => {
    await Promise.all([world?.stop(), ...servers.map((s) => s.close()), new Promise((done) => (https ? https.close(done) : done(undefined)))]);
  });

  it('TLSA records that do not match a PKIX-valid certificate: never "deliverable"; DANE-aware relays bounce (5.7.10) or defer', () => {
    const r = get('dane-mismatch.test');
    expect(r.findings.map((f) => f.id)).toContain('dane.mismatch');
    const rt = r.forecast['require-tls'];
    expect(rt.verdict).not.toBe('deliverable');
    expect(rt.verdict).toBe('depends-on-relay');
    expect(verdicts(rt)).toEqual({ rfc8689: 'will-bounce 5.7.10', dane: 'will-bounce 5.7.10', 'dane-mta-sts': 'will-bounce 5.7.10', verify: 'deliverable', opportunistic: 'will-bounce 5.7.10', relaxed: 'deliverable' });
    expect(rt.relays.find((v) => v.relay === 'dane')?.evidence).toContainEqual(expect.objectContaining({ kind: 'tlsa', bearing: 'blocks', subject: 'mx.dane-mismatch.test' }));
    expect(r.mxHosts[0]?.requireTls.deliverable).toBe(false);
    expect(r.forecast.default.verdict).toBe('held-by-policy');
    expect(verdicts(r.forecast.default)).toMatchObject({ rfc8689: 'will-defer 4.7.5', dane: 'will-defer 4.7.5', opportunistic: 'deliverable' });
    expect(r.forecast.default.summary).not.toMatch(/do not cover/);
    expect(r.forecast['tls-optional'].verdict).toBe('policy-ignored');
  });

  it('an MTA-STS-only unsigned domain: delivered by relays that use MTA-STS or check certificates, returned by a DANE-only relay', () => {
    const r = get('sts-only.test');
    expect(r.mtaSts).toMatchObject({ status: 'completed', result: { policy: { mode: 'enforce', id: '2026120201' } } });
    const rt = r.forecast['require-tls'];
    expect(rt.verdict).toBe('depends-on-relay');
    expect(verdicts(rt)).toMatchObject({ rfc8689: 'deliverable', dane: 'will-bounce 5.7.10', 'dane-mta-sts': 'deliverable', verify: 'deliverable', opportunistic: 'will-bounce 5.7.10' });
    expect(rt.relays.find((v) => v.relay === 'rfc8689')?.evidence).toContainEqual(expect.objectContaining({ kind: 'mta-sts', bearing: 'supports', detail: expect.stringContaining('2026120201') }));
    expect(r.forecast.default.verdict).toBe('policy-protected');
  });

  it('an MX without REQUIRETLS: every enforcing relay bounces with 5.7.30; a relaxed one delivers without passing it on', () => {
    const r = get('no-requiretls.test');
    expect(r.forecast['require-tls'].verdict).toBe('will-bounce');
    expect(verdicts(r.forecast['require-tls'])).toEqual({ rfc8689: 'will-bounce 5.7.30', dane: 'will-bounce 5.7.30', 'dane-mta-sts': 'will-bounce 5.7.30', verify: 'will-bounce 5.7.30', opportunistic: 'will-bounce 5.7.30|5.7.10', relaxed: 'deliverable' });
    expect(r.forecast['require-tls'].relays.find((v) => v.relay === 'relaxed')).toMatchObject({ requireTlsPassedOn: false, protection: 'encrypted' });
    expect(r.forecast['require-tls'].bounceCodes?.map((c) => c.code)).toEqual(['5.7.30']);
    expect(r.forecast.default.verdict).toBe('policy-protected');
  });

  it('an MX without STARTTLS: REQUIRETLS bounces, the default travels in cleartext, a certificate-checking relay holds it', () => {
    const r = get('no-starttls.test');
    expect(r.forecast['require-tls'].verdict).toBe('will-bounce');
    expect(verdicts(r.forecast['require-tls'])).toMatchObject({ rfc8689: 'will-bounce 5.7.30', verify: 'will-bounce 5.7.30', dane: 'will-bounce 5.7.30|5.7.10' });
    expect(r.forecast.default.verdict).toBe('cleartext-possible');
    expect(verdicts(r.forecast.default)).toMatchObject({ verify: 'will-defer 4.7.4', opportunistic: 'deliverable' });
    expect(r.forecast['tls-optional'].relays.every((v) => v.protection === 'cleartext')).toBe(true);
  });

  it('two MX of which only the second offers REQUIRETLS: delivered to the second', () => {
    const r = get('second-mx.test');
    expect(r.forecast['require-tls'].verdict).toBe('deliverable');
    for (const relay of ['rfc8689', 'dane', 'dane-mta-sts', 'verify'] as const) expect(r.forecast['require-tls'].relays.find((v) => v.relay === relay)?.via).toBe('mx2.second-mx.test');
    expect(r.mxHosts.map((h) => h.requireTls.deliverable)).toEqual([false, true]);
  });

  it('a DANE-only MX with a self-signed certificate is checked to the end, authenticated by its TLSA record', () => {
    const r = get('dane-only.test');
    const server = r.mxHosts[0]?.server;
    expect(server?.status === 'completed' && server.result.extensions.status).toBe('completed');
    expect(r.findings.map((f) => f.id)).toContain('dane.valid');
    // The PKIX verdict is still reported as it is: no CA vouches for the certificate.
    expect(server?.status === 'completed' && server.result.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['cert.untrusted', 'requiretls.supported']));
    expect(verdicts(r.forecast['require-tls'])).toMatchObject({ rfc8689: 'deliverable', dane: 'deliverable', 'dane-mta-sts': 'deliverable', verify: 'will-bounce 5.7.10' });
    expect(r.forecast['require-tls'].verdict).toBe('depends-on-relay');
    expect(r.forecast.default.verdict).toBe('policy-protected');
  });

  it('a perfect domain is deliverable for every authenticating relay, and returned by a relay that cannot authenticate', () => {
    const r = get('perfect.test');
    expect(r.forecast['require-tls'].verdict).toBe('deliverable');
    expect(verdicts(r.forecast['require-tls'])).toEqual({ rfc8689: 'deliverable', dane: 'deliverable', 'dane-mta-sts': 'deliverable', verify: 'deliverable', opportunistic: 'will-bounce 5.7.10', relaxed: 'deliverable' });
    expect(r.forecast['require-tls'].relays.find((v) => v.relay === 'dane')).toMatchObject({ protection: 'authenticated', requireTlsPassedOn: true });
  });

  it('an unsigned domain without policy: only a certificate-checking relay delivers, to an MX not found securely', () => {
    const r = get('unsigned.test');
    expect(r.forecast['require-tls'].verdict).toBe('depends-on-relay');
    expect(verdicts(r.forecast['require-tls'])).toMatchObject({ rfc8689: 'will-bounce 5.7.10', dane: 'will-bounce 5.7.10', 'dane-mta-sts': 'will-bounce 5.7.10', verify: 'deliverable' });
    expect(r.forecast['require-tls'].relays.find((v) => v.relay === 'verify')?.protection).toBe('certificate-verified');
    expect(r.forecast['tls-optional'].verdict).toBe('no-policy-to-ignore');
    expect(r.forecast.default.verdict).toBe('opportunistic');
  });

  it('hoplight check --domain shows the verdict per relay and the bounce codes in words', async () => {
    const root = resolve(__dirname, '..', '..', '..');
    const child = spawn(process.execPath, [join(root, 'bin', 'hoplight.cjs'), 'check', '--domain', 'dane-mismatch.test', '--resolver', `127.0.0.1:${world.port}`, '--ca', pki.caFile], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    expect(await new Promise((done) => child.on('close', done))).toBe(0);
    expect(stdout).toMatch(/Require TLS on every hop: Whether it arrives depends on your provider's relay: delivered by certificate-only relays/);
    expect(stdout).toMatch(/5\.7\.10: when the next hop could not be authenticated/);
    expect(stdout).toMatch(/A relay that authenticates only by DANE \(Postfix "dane"\): returns it to you \(5\.7\.10\)/);
    expect(stdout).toMatch(/Senders that honour DANE and MTA-STS will hold it/);
  });

  it('a batch: --domain with several domains and --domains-file, NDJSON as each finishes, a summary table, and a domain that fails is a row, not the end', async () => {
    const root = resolve(__dirname, '..', '..', '..');
    const file = join(pki.dir, 'domains.txt');
    writeFileSync(file, '# the admin\'s domains\nperfect.test\nno-requiretls.test  # no REQUIRETLS on its MX\n\nperfect.test\nmissing.perfect.test\n');
    const run = async (extra: string[]): Promise<{ code: unknown; stdout: string }> => {
      const child = spawn(process.execPath, [join(root, 'bin', 'hoplight.cjs'), 'check', ...extra, '--resolver', `127.0.0.1:${world.port}`, '--ca', pki.caFile], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      return { code: await new Promise((done) => child.on('close', done)), stdout };
    };
    const json = await run(['--domain', 'unsigned.test', 'not a domain!', '--domains-file', file, '--concurrency', '2', '--json']);
    expect(json.code).toBe(0);
    const rows = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as { domain: string; result?: DomainCheckResult; error?: { code: string; field?: string } });
    // missing.perfect.test: inside a zone of the world, so the resolver answers NXDOMAIN at once.
    expect(rows.map((r) => r.domain).sort()).toEqual(['missing.perfect.test', 'no-requiretls.test', 'not a domain!', 'perfect.test', 'unsigned.test']);
    expect(rows.find((r) => r.domain === 'not a domain!')?.error).toMatchObject({ code: 'EINPUT', field: 'domain' });
    expect(rows.find((r) => r.domain === 'missing.perfect.test')?.result?.mx).toMatchObject({ status: 'error', reason: expect.stringMatching(/NXDOMAIN/) });
    expect(rows.find((r) => r.domain === 'perfect.test')?.result?.forecast['require-tls'].verdict).toBe('deliverable');

    const text = await run(['--domain', 'perfect.test', 'no-requiretls.test', 'missing.perfect.test']);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^Domain\s+MX DNSSEC\s+MTA-STS\s+DANE\s+REQUIRETLS on every MX\s+Require TLS forecast$/);
    expect(lines.find((l) => l.startsWith('perfect.test'))).toMatch(/signed\s+\S+\s+valid\s+yes\s+deliverable/);
    expect(lines.find((l) => l.startsWith('no-requiretls.test'))).toMatch(/signed\s+\S+\s+valid\s+no\s+/);
    expect(lines.find((l) => l.startsWith('missing.perfect.test'))).toMatch(/could not check/);
    expect(text.stdout).toMatch(/3 domains checked\./);
  });
});
