import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandExists, freePort } from './peers.js';

/** The DNSSEC tools and resolver the DNS tests need. */
export function dnsToolsInstalled(): boolean {
  return ['/usr/sbin/unbound', '/usr/bin/dnssec-keygen', '/usr/bin/dnssec-signzone'].every(commandExists);
}

/** A zone to serve: its records (relative or absolute names, zone-file syntax), signed or not. */
export interface ZoneSpec {
  readonly name: string;
  readonly records: readonly string[];
  readonly signed: boolean;
  /** Sign the zone but anchor trust in an unrelated key, so validation fails (SERVFAIL, "bogus"). */
  readonly bogus?: boolean;
}

/** A validating unbound on a loopback port serving the given zones, signed ones under a trust anchor. */
export interface DnsWorld {
  readonly port: number;
  readonly log: () => string;
  stop(): Promise<void>;
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

/**
 * Starts unbound with each zone as an auth-zone for upstream use, validating the signed ones against their own
 * keys (trust-anchor-file). A stub for "." at a dead loopback port keeps every query on this machine.
 */
export async function startDnsWorld(zones: readonly ZoneSpec[]): Promise<DnsWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'hoplight-dns-'));
  const port = await freePort();
  const anchors: string[] = [];
  const authZones: string[] = [];
  for (const zone of zones) {
    const file = join(dir, `${zone.name}.zone`);
    writeFileSync(
      file,
      [`$ORIGIN ${zone.name}.`, '$TTL 300', `@ SOA ns.${zone.name}. hostmaster.${zone.name}. 1 3600 600 86400 300`, `@ NS ns.${zone.name}.`, 'ns A 127.0.0.1', ...zone.records, ''].join('\n'),
    );
    let served = file;
    if (zone.signed) {
      const keys = join(dir, `keys-${zone.name}`);
      run('mkdir', ['-p', keys], dir);
      run('dnssec-keygen', ['-q', '-K', keys, '-a', 'ECDSAP256SHA256', '-n', 'ZONE', zone.name], dir);
      const ksk = run('dnssec-keygen', ['-q', '-K', keys, '-a', 'ECDSAP256SHA256', '-f', 'KSK', '-n', 'ZONE', zone.name], dir);
      served = `${file}.signed`;
      run('dnssec-signzone', ['-q', '-S', '-K', keys, '-o', zone.name, '-f', served, file], dir);
      let anchorKey = ksk;
      if (zone.bogus) anchorKey = run('dnssec-keygen', ['-q', '-K', keys, '-a', 'ECDSAP256SHA256', '-f', 'KSK', '-n', 'ZONE', zone.name], dir);
      anchors.push(run('dnssec-dsfromkey', ['-2', join(keys, `${anchorKey}.key`)], dir));
    }
    authZones.push(`auth-zone:\n  name: "${zone.name}."\n  zonefile: "${served}"\n  for-upstream: yes\n  for-downstream: no\n  fallback-enabled: no\n`);
  }
  writeFileSync(join(dir, 'anchors'), `${anchors.join('\n')}\n`);
  const config = join(dir, 'unbound.conf');
  writeFileSync(
    config,
    `server:
  interface: 127.0.0.1@${port}
  port: ${port}
  do-ip6: no
  do-daemonize: no
  use-syslog: no
  logfile: ""
  verbosity: 1
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: ""
  module-config: "validator iterator"
  trust-anchor-file: "${join(dir, 'anchors')}"
  local-zone: "test." nodefault
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  cache-max-ttl: 1
remote-control:
  control-enable: no
stub-zone:
  name: "."
  stub-addr: 127.0.0.1@1
${authZones.join('')}`,
  );
  let output = '';
  const child: ChildProcess = spawn('/usr/sbin/unbound', ['-d', '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // unbound answers on UDP; wait until it does.
  const { createResolver } = await import('../../electron/core/dns/dns-client.js');
  const resolver = createResolver({ host: '127.0.0.1', port }, 500);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await resolver.query(`ns.${zones[0]?.name ?? 'test'}`, 'A');
      break;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) {
        await stop();
        throw new Error(`unbound did not start: ${(error as Error).message}\n${output}\n${readdirSync(dir).join(' ')}`);
      }
    }
  }
  return { port, log: () => output, stop };
}

/** A random /24 inside 127.0.0.0/8 for this run's hosts, so parallel runs never collide on port 25. */
export function randomLoopbackNet(): string {
  const octet = (): number => 2 + Math.floor(Math.random() * 250);
  return `127.${octet()}.${octet()}`;
}

/** Reads a PEM file (helper for zone TLSA data). */
export const readPem = (path: string): string => readFileSync(path, 'utf8');
