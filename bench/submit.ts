// npm run bench — figures, not assertions. Round trips and wall time of one submission, Hoplight and nodemailer's
// own SMTP transport (and swaks when installed) in the same run, against Postfix and Exim through a proxy that
// delays each direction by 25 ms (50 ms round trip; the local TCP handshake counted as one), STARTTLS and
// implicit TLS, 1 and 10 recipients; then peak RSS and wall time for 1, 10 and 100 MiB attachments, each send in
// a process of its own. BENCH_RUNS sets the runs per cell (default 5; medians are printed).
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { MemoryEhloCache, type EhloCache } from '../electron/core/smtp/ehlo-cache.js';
import { submitMessage } from '../electron/core/submit-message.js';
import { startDelayProxy, roundTripsOf, type DelayProxy } from '../test/helpers/delay-proxy.js';
import { eximInstalled, startExim } from '../test/helpers/exim.js';
import { commandExists, type MtaPeer } from '../test/helpers/peers.js';
import { makeTestPki, type TestPki } from '../test/helpers/pki.js';
import { postfixInstalled, startPostfix } from '../test/helpers/postfix.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ONE_WAY_MS = 25;
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const text = 'Bench message.\n'.repeat(130);

interface Cell {
  readonly rtt: number;
  readonly ms: number;
  readonly counted?: number;
}

async function hoplight(peer: MtaPeer, pki: TestPki, proxy: DelayProxy, security: 'starttls' | 'implicit', recipients: number, ehloCache: EhloCache): Promise<Cell> {
  const to = Array.from({ length: recipients }, (_, i) => `rcpt${i}@example.test`);
  const started = performance.now();
  const report = await submitMessage({ server: { host: '127.0.0.1', port: proxy.port, security, user: peer.user, caFile: pki.caFile }, message: { from: 'bench@example.test', to, subject: 'bench', text }, security: 'default' }, peer.password, { ehloCache });
  const ms = performance.now() - started;
  if (report.outcome !== 'accepted') throw new Error(`hoplight: ${report.error?.message}`);
  return { rtt: roundTripsOf(ms, proxy), ms, ...(report.submissionHop.roundTrips !== undefined ? { counted: report.submissionHop.roundTrips } : {}) };
}

async function viaNodemailer(peer: MtaPeer, pki: TestPki, proxy: DelayProxy, security: 'starttls' | 'implicit', recipients: number): Promise<Cell> {
  const to = Array.from({ length: recipients }, (_, i) => `rcpt${i}@example.test`);
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: proxy.port, secure: security === 'implicit', requireTLS: security === 'starttls', auth: { user: peer.user, pass: peer.password }, tls: { ca: pki.ca.certPem } });
  const started = performance.now();
  await transport.sendMail({ from: 'bench@example.test', to, subject: 'bench', text });
  const ms = performance.now() - started;
  transport.close();
  return { rtt: roundTripsOf(ms, proxy), ms };
}

/** swaks runs asynchronously: the proxy lives in this process and must keep forwarding while it runs. */
async function viaSwaks(peer: MtaPeer, pki: TestPki, proxy: DelayProxy, security: 'starttls' | 'implicit', recipients: number, startupMs: number): Promise<Cell> {
  const to = Array.from({ length: recipients }, (_, i) => `rcpt${i}@example.test`).join(',');
  const started = performance.now();
  const run = await spawnAsync('swaks', ['--silent', '2', '--pipeline', '--server', '127.0.0.1', '--port', String(proxy.port), security === 'implicit' ? '--tls-on-connect' : '--tls', '--tls-verify', '--tls-ca-path', pki.caFile, '--auth', 'PLAIN', '--auth-user', peer.user, '--auth-password', peer.password, '--from', 'bench@example.test', '--to', to, '--body', text]);
  const ms = performance.now() - started - startupMs;
  if (run.status !== 0) throw new Error(`swaks: ${run.output}`);
  return { rtt: roundTripsOf(ms, proxy), ms };
}

function spawnAsync(command: string, args: readonly string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('close', (status) => done({ status, output }));
  });
}

async function roundTripTable(pki: TestPki, peers: { name: string; peer: MtaPeer }[]): Promise<void> {
  const swaks = commandExists('swaks');
  const swaksStartup = swaks ? median(Array.from({ length: 3 }, () => { const t = performance.now(); spawnSync('swaks', ['--version']); return performance.now() - t; })) : 0;
  console.log(`\n## Round trips and wall time, ${2 * ONE_WAY_MS} ms RTT, TLS 1.3, AUTH PLAIN, one 2 KB message (median of ${RUNS})\n`);
  console.log(`| Server | Path | Recipients | Hoplight RTT, cold cache | warm cache (counted) | Hoplight ms, cold / warm | nodemailer RTT | nodemailer ms | Hoplight / nodemailer, cold / warm |${swaks ? ' swaks --pipeline RTT |' : ''}`);
  console.log(`|---|---|---|---|---|---|---|---|---|${swaks ? '---|' : ''}`);
  for (const { name, peer } of peers) {
    for (const [path, port, security] of [['STARTTLS', peer.submissionPort, 'starttls'], ['implicit TLS', peer.implicitPort, 'implicit']] as const) {
      const proxy = await startDelayProxy(port, ONE_WAY_MS);
      try {
        for (const recipients of [1, 10]) {
          const cold: Cell[] = [];
          const warm: Cell[] = [];
          const theirs: Cell[] = [];
          const swaksCells: Cell[] = [];
          // A cold cache is a new one each run; the warm one was filled by a send before the runs.
          const warmCache = new MemoryEhloCache();
          await hoplight(peer, pki, proxy, security, recipients, warmCache);
          // Interleaved, so all see the same machine and the same server state.
          for (let i = 0; i < RUNS; i++) {
            cold.push(await hoplight(peer, pki, proxy, security, recipients, new MemoryEhloCache()));
            warm.push(await hoplight(peer, pki, proxy, security, recipients, warmCache));
            theirs.push(await viaNodemailer(peer, pki, proxy, security, recipients));
            if (swaks && i < 3) swaksCells.push(await viaSwaks(peer, pki, proxy, security, recipients, swaksStartup));
          }
          const [cRtt, cMs, wRtt, wMs, tRtt, tMs] = [median(cold.map((c) => c.rtt)), median(cold.map((c) => c.ms)), median(warm.map((c) => c.rtt)), median(warm.map((c) => c.ms)), median(theirs.map((c) => c.rtt)), median(theirs.map((c) => c.ms))];
          const counted = median(warm.map((c) => c.counted ?? NaN));
          console.log(`| ${name} | ${path} | ${recipients} | ${cRtt} | ${wRtt} (${counted}) | ${cMs.toFixed(0)} / ${wMs.toFixed(0)} | ${tRtt} | ${tMs.toFixed(0)} | ${(cMs / tMs).toFixed(2)} / ${(wMs / tMs).toFixed(2)} |${swaks ? ` ${median(swaksCells.map((c) => c.rtt))} |` : ''}`);
        }
      } finally {
        await proxy.close();
      }
    }
  }
  console.log('\nRTT = whole round-trip times in the wall time, plus the local TCP handshake; "counted" is what Hoplight\'s own report says. The warm cache pays off where the server advertises PIPECONNECT (Exim).');
}

function child(job: object): { ok: boolean; ms: number; maxRssMiB: number } {
  const run = spawnSync(process.execPath, ['scripts/run-ts.mjs', 'bench/send-child.ts'], { encoding: 'utf8', env: { ...process.env, BENCH_SEND: JSON.stringify(job) }, maxBuffer: 1 << 20 });
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !line.startsWith('{')) throw new Error(`send-child failed: ${run.stderr}`);
  return JSON.parse(line) as { ok: boolean; ms: number; maxRssMiB: number };
}

async function memoryTable(pki: TestPki): Promise<void> {
  const postfix = await startPostfix(pki, { messageSizeLimit: 300 * 1024 * 1024 });
  try {
    const base = { host: '127.0.0.1', port: postfix.submissionPort, security: 'starttls', user: postfix.user, password: postfix.password, caFile: pki.caFile, recipients: 1 };
    const baseline = { hoplight: child({ ...base, tool: 'hoplight' }), nodemailer: child({ ...base, tool: 'nodemailer' }) };
    console.log('\n## A large attachment, to Postfix over STARTTLS, each send in a process of its own (peak RSS of that process)\n');
    console.log('| Attachment | Hoplight peak RSS | Hoplight time | nodemailer peak RSS | nodemailer time | Hoplight / nodemailer time |');
    console.log('|---|---|---|---|---|---|');
    console.log(`| none (2 KB text) | ${baseline.hoplight.maxRssMiB.toFixed(0)} MiB | ${baseline.hoplight.ms.toFixed(0)} ms | ${baseline.nodemailer.maxRssMiB.toFixed(0)} MiB | ${baseline.nodemailer.ms.toFixed(0)} ms | ${(baseline.hoplight.ms / baseline.nodemailer.ms).toFixed(2)} |`);
    for (const mib of [1, 10, 100]) {
      const file = join(pki.dir, `attachment-${mib}m.bin`);
      // Written a mebibyte at a time, so this process stays small too.
      const block = Buffer.alloc(1024 * 1024);
      writeFileSync(file, '');
      for (let m = 0; m < mib; m++) {
        for (let i = 0; i < block.length; i += 4) block.writeUInt32LE(((m * block.length + i) * 2654435761) >>> 0, i);
        appendFileSync(file, block);
      }
      const runs = mib === 100 ? 1 : 3;
      const ours = Array.from({ length: runs }, () => child({ ...base, tool: 'hoplight', attachment: file }));
      const theirs = Array.from({ length: runs }, () => child({ ...base, tool: 'nodemailer', attachment: file }));
      if (![...ours, ...theirs].every((r) => r.ok)) throw new Error('a send failed');
      const [oRss, oMs, tRss, tMs] = [median(ours.map((r) => r.maxRssMiB)), median(ours.map((r) => r.ms)), median(theirs.map((r) => r.maxRssMiB)), median(theirs.map((r) => r.ms))];
      console.log(`| ${mib} MiB | ${oRss.toFixed(0)} MiB | ${oMs.toFixed(0)} ms | ${tRss.toFixed(0)} MiB | ${tMs.toFixed(0)} ms | ${(oMs / tMs).toFixed(2)} |`);
    }
  } finally {
    await postfix.stop();
  }
}

async function main(): Promise<void> {
  if (!postfixInstalled()) {
    console.error('Postfix is not installed: run scripts/install-test-peers.sh as root.');
    process.exit(1);
  }
  const pki = makeTestPki();
  if (process.argv.includes('--memory-only')) return memoryTable(pki);
  const postfix = await startPostfix(pki);
  const exim = eximInstalled() ? await startExim(pki) : undefined;
  try {
    console.log(`# npm run bench — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}`);
    await roundTripTable(pki, [{ name: 'Postfix 3.7', peer: postfix }, ...(exim ? [{ name: 'Exim 4.96', peer: exim }] : [])]);
    if (!exim) console.log('(Exim is not installed: run scripts/install-test-peers.sh)');
  } finally {
    await Promise.all([postfix.stop(), exim?.stop()]);
  }
  if (!process.argv.includes('--no-memory')) await memoryTable(pki);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
