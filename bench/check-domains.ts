// npm run bench:domains — how long `hoplight check --domain` takes for 100 domains in a local DNSSEC world
// (unbound validating signed and unsigned zones; MX hosts are smtp-server instances on port 25 of a loopback net,
// with TLSA records for half of them), at a few concurrency levels. Figures, no assertions. Run as root.
import { createHash, X509Certificate } from 'node:crypto';
import { createResolver } from '../electron/core/dns/dns-client.js';
import { checkDomains } from '../electron/core/posture/domain-batch.js';
import { startLocalSubmissionServer, type LocalServer } from '../electron/core/sandbox/local-submission-server.js';
import { issueCertificate } from '../electron/core/tls/local-ca.js';
import { dnsToolsInstalled, randomLoopbackNet, startDnsWorld } from '../test/helpers/dns-world.js';
import { makeTestPki } from '../test/helpers/pki.js';

async function main(): Promise<void> {
  if (!dnsToolsInstalled() || process.getuid?.() !== 0) {
    console.error('Needs unbound and bind9-utils (scripts/install-test-peers.sh) and root (port 25).');
    process.exit(1);
  }
  const count = Number(process.env.BENCH_DOMAINS ?? 100);
  const pki = makeTestPki();
  const net = randomLoopbackNet();
  const servers: LocalServer[] = [];
  const spkis: string[] = [];
  // Four MX servers shared by the domains, two of them advertising REQUIRETLS.
  for (let i = 0; i < 4; i++) {
    const cert = issueCertificate({ commonName: `mx${i}.bench.test`, names: Array.from({ length: count }, (_, d) => `mx.d${String(d).padStart(3, '0')}.test`) }, pki.ca);
    spkis.push(createHash('sha256').update(new X509Certificate(cert.certPem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex'));
    servers.push(await startLocalSubmissionServer({ host: `${net}.${10 + i}`, starttlsPort: 25, tls: cert, advertiseRequireTls: i % 2 === 0, onMessage: () => undefined }));
  }
  const domains = Array.from({ length: count }, (_, d) => `d${String(d).padStart(3, '0')}.test`);
  const started = performance.now();
  const world = await startDnsWorld(
    domains.map((name, d) => ({
      name,
      signed: d % 2 === 0,
      records: ['@ MX 10 mx', `mx A ${net}.${10 + (d % 4)}`, ...(d % 4 < 2 ? [`_25._tcp.mx TLSA 3 1 1 ${spkis[d % 4]}`] : [])],
    })),
  );
  console.log(`# npm run bench:domains — ${count} domains in a local DNSSEC world (set up in ${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  console.log('| Concurrency | Wall time | Per domain | Rows with an error |');
  console.log('|---|---|---|---|');
  try {
    for (const concurrency of [1, 8, 32]) {
      const t = performance.now();
      const rows = await checkDomains(domains, { resolver: createResolver({ host: '127.0.0.1', port: world.port }), extraCaPem: pki.ca.certPem, concurrency, onRow: () => undefined });
      const ms = performance.now() - t;
      console.log(`| ${concurrency} | ${(ms / 1000).toFixed(2)} s | ${(ms / count).toFixed(0)} ms | ${rows.filter((r) => 'error' in r).length} |`);
    }
  } finally {
    await world.stop();
    await Promise.all(servers.map((s) => s.close()));
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
