import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverSubmission, parseAutoconfig } from '../../electron/core/accounts/discover.js';
import { createResolver } from '../../electron/core/dns/dns-client.js';
import { issueCertificate } from '../../electron/core/tls/local-ca.js';
import type { DiscoveryResult } from '../../shared/types/account.js';
import { dnsToolsInstalled, randomLoopbackNet, startDnsWorld, type DnsWorld } from '../helpers/dns-world.js';
import { peerAvailable } from '../helpers/peers.js';
import { makeTestPki, type TestPki } from '../helpers/pki.js';

const AUTOCONFIG = `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="corp.test">
    <domain>corp.test</domain>
    <incomingServer type="imap"><hostname>imap.corp.test</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
    <outgoingServer type="smtp"><hostname>smtp.corp.test</hostname><port>587</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username></outgoingServer>
    <outgoingServer type="smtp"><hostname>smtp.corp.test</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILLOCALPART%</username></outgoingServer>
    <outgoingServer type="smtp"><hostname>plain.corp.test</hostname><port>25</port><socketType>plain</socketType></outgoingServer>
  </emailProvider>
</clientConfig>`;

describe('autoconfig parsing', () => {
  it('keeps TLS outgoing servers, resolves the user name placeholders, ignores cleartext', () => {
    expect(parseAutoconfig(AUTOCONFIG, 'ann@corp.test')).toEqual([
      { host: 'smtp.corp.test', port: 587, security: 'starttls', user: 'ann@corp.test' },
      { host: 'smtp.corp.test', port: 465, security: 'implicit', user: 'ann' },
    ]);
  });
});

// MX hosts listen on port 25 and HTTPS on 443 of a loopback address: that needs root (or CAP_NET_BIND_SERVICE).
const available =
  peerAvailable('unbound + dnssec-signzone', dnsToolsInstalled(), 'apt-get install unbound bind9-utils, or run scripts/install-test-peers.sh') &&
  peerAvailable('ports 25 and 443 on loopback', process.getuid?.() === 0, 'run the tests as root, as CI does');

describe.skipIf(!available)('discovering the submission server of an address', () => {
  const net = randomLoopbackNet();
  let pki: TestPki;
  let world: DnsWorld;
  let https: Server;
  let requested: string[] = [];

  beforeAll(async () => {
    pki = makeTestPki();
    const cert = issueCertificate({ commonName: 'autoconfig.corp.test', names: ['autoconfig.corp.test'] }, pki.ca);
    https = createServer({ key: cert.keyPem, cert: cert.certPem }, (request, response) => {
      requested.push(request.url ?? '');
      if (request.url?.startsWith('/mail/config-v1.1.xml')) response.writeHead(200, { 'content-type': 'text/xml' }).end(AUTOCONFIG);
      else response.writeHead(404).end();
    });
    await new Promise<void>((done) => https.listen(443, `${net}.7`, done));
    world = await startDnsWorld([
      {
        name: 'corp.test',
        signed: true,
        records: ['_submissions._tcp SRV 10 0 465 mail.corp.test.', '_submission._tcp SRV 10 0 587 mail.corp.test.', `mail A ${net}.6`, `autoconfig A ${net}.7`],
      },
      { name: 'nothing.test', signed: false, records: ['_submission._tcp SRV 0 0 0 .'] },
    ]);
  });
  afterAll(async () => {
    await world?.stop();
    await new Promise((done) => (https ? https.close(done) : done(undefined)));
  });

  it('finds SRV records (implicit TLS first) and the autoconfig file, and says where each came from', async () => {
    requested = [];
    const result = await discoverSubmission('Ann <ann@corp.test>', { resolver: createResolver({ host: '127.0.0.1', port: world.port }), extraCaPem: pki.ca.certPem });
    expect(result.candidates.map((c) => `${c.host}:${c.port}:${c.security}`)).toEqual(['mail.corp.test:465:implicit', 'smtp.corp.test:465:implicit', 'mail.corp.test:587:starttls', 'smtp.corp.test:587:starttls']);
    expect(result.candidates[0]?.source).toBe('DNS SRV _submissions._tcp.corp.test, DNSSEC-validated');
    expect(result.candidates[1]?.source).toMatch(/^https:\/\/autoconfig\.corp\.test\/mail\/config-v1\.1\.xml\?emailaddress=ann%40corp\.test$/);
    expect(result.candidates[1]?.user).toBe('ann');
    expect(requested).toEqual(['/mail/config-v1.1.xml?emailaddress=ann%40corp.test']);
    expect(result.steps.map((s) => s.what)).toEqual(['DNS SRV _submissions._tcp.corp.test', 'DNS SRV _submission._tcp.corp.test', expect.stringMatching(/^https:\/\/autoconfig\.corp\.test/)]);
  });

  it('"." SRV targets and a missing autoconfig host give no candidates, with every step explained', async () => {
    const result = await discoverSubmission('bob@nothing.test', { resolver: createResolver({ host: '127.0.0.1', port: world.port }), extraCaPem: pki.ca.certPem });
    expect(result.candidates).toEqual([]);
    expect(result.steps.map((s) => s.outcome)).toEqual(['none', 'none', 'autoconfig.nothing.test does not resolve']);
  });

  it('an autoconfig server whose certificate is not trusted is refused (HTTPS only, verified)', async () => {
    const result = await discoverSubmission('ann@corp.test', { resolver: createResolver({ host: '127.0.0.1', port: world.port }) });
    expect(result.candidates.every((c) => c.source.startsWith('DNS SRV'))).toBe(true);
    expect(result.steps[2]?.outcome).toMatch(/^failed: .*(certificate|issuer)/i);
  });

  it('hoplight accounts discover prints the candidates and the command to add the best one', async () => {
    const root = resolve(__dirname, '..', '..');
    const caFile = join(pki.dir, 'ca.pem');
    const child = spawn(process.execPath, [join(root, 'bin', 'hoplight.cjs'), 'accounts', 'discover', 'ann@corp.test', '--resolver', `127.0.0.1:${world.port}`, '--ca', caFile], { cwd: root });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    expect(await new Promise((done) => child.on('close', done))).toBe(0);
    expect(stdout).toContain('1. mail.corp.test:465 implicit TLS  (from DNS SRV _submissions._tcp.corp.test, DNSSEC-validated)');
    expect(stdout).toContain('hoplight accounts add --name NAME --from ann@corp.test --host mail.corp.test --port 465 --security implicit');
    const json = spawn(process.execPath, [join(root, 'bin', 'hoplight.cjs'), 'accounts', 'discover', 'ann@corp.test', '--resolver', `127.0.0.1:${world.port}`, '--ca', caFile, '--json'], { cwd: root });
    let out = '';
    json.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((done) => json.on('close', done));
    expect((JSON.parse(out) as DiscoveryResult).candidates).toHaveLength(4);
  });
});
