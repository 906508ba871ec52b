// npm run bench — figures, not assertions. Round trips and wall time of one submission, Hoplight and nodemailer's
// own SMTP transport (and swaks when installed) in the same run, against Postfix and Exim through a proxy that
// delays each direction by 25 ms (50 ms round trip; the local TCP handshake counted as one), STARTTLS and
// implicit TLS, 1 and 10 recipients; then peak RSS and wall time for 1, 10 and 100 MiB attachments, each send in
// a process of its own. BENCH_RUNS sets the runs per cell (default 5; medians are printed).
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { buildSync } from 'esbuild';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { MemoryEhloCache, type EhloCache } from '../electron/core/smtp/ehlo-cache.js';
import { submitMessage } from '../electron/core/submit-message.js';
import { startDelayProxy, roundTripsOf, type DelayProxy } from '../test/helpers/delay-proxy.js';
import { eximInstalled, startExim } from '../test/helpers/exim.js';
import { commandExists, type MtaPeer } from '../test/helpers/peers.js';
import { makeTestPki, type TestPki } from '../test/helpers/pki.js';
import { postfixInstalled, startPostfix, type PostfixPeer } from '../test/helpers/postfix.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ONE_WAY_MS = 25;
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const text = 'Bench message.\n'.repeat(130);

interface Cell {
  readonly rtt: number;
  readonly ms: number;
  readonly counted?: number;
}

async function hoplight(peer: MtaPeer, pki: TestPki, proxy: DelayProxy, security: 'starttls' | 'implicit', recipients: number, ehloCache: EhloCache, login = true): Promise<Cell> {
  const to = Array.from({ length: recipients }, (_, i) => `rcpt${i}@example.test`);
  const started = performance.now();
  const server = { host: '127.0.0.1', port: proxy.port, security, ...(login ? { user: peer.user } : {}), caFile: pki.caFile };
  const report = await submitMessage({ server, message: { from: 'bench@example.test', to, subject: 'bench', text }, security: 'default' }, login ? peer.password : undefined, { ehloCache });
  const ms = performance.now() - started;
  if (report.outcome !== 'accepted') throw new Error(`hoplight: ${report.error?.message}`);
  return { rtt: roundTripsOf(ms, proxy), ms, ...(report.submissionHop.roundTrips !== undefined ? { counted: report.submissionHop.roundTrips } : {}) };
}

async function viaNodemailer(peer: MtaPeer, pki: TestPki, proxy: DelayProxy, security: 'starttls' | 'implicit', recipients: number, login = true): Promise<Cell> {
  const to = Array.from({ length: recipients }, (_, i) => `rcpt${i}@example.test`);
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: proxy.port, secure: security === 'implicit', requireTLS: security === 'starttls', ...(login ? { auth: { user: peer.user, pass: peer.password } } : {}), tls: { ca: pki.ca.certPem } });
  const started = performance.now();
  await transport.sendMail({ from: 'bench@example.test', to, subject: 'bench', text });
  const ms = performance.now() - started;
  transport.close();
  return { rtt: roundTripsOf(ms, proxy), ms };
}

function swaksCell(cells: readonly (Cell | undefined)[]): string {
  const ok = cells.filter((c): c is Cell => c !== undefined);
  const failed = cells.length - ok.length;
  return ok.length === 0 ? 'failed' : `${median(ok.map((c) => c.rtt))}${failed ? ` (${failed} of ${cells.length} runs failed)` : ''}`;
}

/** swaks runs asynchronously: the proxy lives in this process and must keep forwarding while it runs. */
async function viaSwaks(peer: MtaPeer, pki: TestPki, proxy: DelayProxy, security: 'starttls' | 'implicit', recipients: number, startupMs: number): Promise<Cell | undefined> {
  const to = Array.from({ length: recipients }, (_, i) => `rcpt${i}@example.test`).join(',');
  const started = performance.now();
  const run = await spawnAsync('swaks', ['--silent', '2', '--pipeline', '--server', '127.0.0.1', '--port', String(proxy.port), security === 'implicit' ? '--tls-on-connect' : '--tls', '--tls-verify', '--tls-ca-path', pki.caFile, '--auth', 'PLAIN', '--auth-user', peer.user, '--auth-password', peer.password, '--from', 'bench@example.test', '--to', to, '--body', text]);
  const ms = performance.now() - started - startupMs;
  // swaks is only a comparison: a failed run is shown as such in its cell, not the end of the benchmark.
  if (run.status !== 0) {
    console.error(`(swaks failed once: ${run.output.trim().split('\n').at(-1) ?? ''})`);
    return undefined;
  }
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
          const swaksCells: (Cell | undefined)[] = [];
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
          console.log(`| ${name} | ${path} | ${recipients} | ${cRtt} | ${wRtt} (${counted}) | ${cMs.toFixed(0)} / ${wMs.toFixed(0)} | ${tRtt} | ${tMs.toFixed(0)} | ${(cMs / tMs).toFixed(2)} / ${(wMs / tMs).toFixed(2)} |${swaks ? ` ${swaksCell(swaksCells)} |` : ''}`);
        }
      } finally {
        await proxy.close();
      }
    }
  }
  const postfix = peers.find((p) => 'trustedPort' in p.peer)?.peer as PostfixPeer | undefined;
  if (postfix) {
    // A listener that takes mail without a login: one recipient, so the BDAT chunk may go with the envelope.
    const proxy = await startDelayProxy(postfix.trustedPort, ONE_WAY_MS);
    try {
      const ours: Cell[] = [];
      const theirs: Cell[] = [];
      for (let i = 0; i < RUNS; i++) {
        ours.push(await hoplight(postfix, pki, proxy, 'starttls', 1, new MemoryEhloCache(), false));
        theirs.push(await viaNodemailer(postfix, pki, proxy, 'starttls', 1, false));
      }
      const [oRtt, oMs, tRtt, tMs] = [median(ours.map((c) => c.rtt)), median(ours.map((c) => c.ms)), median(theirs.map((c) => c.rtt)), median(theirs.map((c) => c.ms))];
      console.log(`| Postfix 3.7, no login | STARTTLS | 1 | ${oRtt} | — | ${oMs.toFixed(0)} | ${tRtt} | ${tMs.toFixed(0)} | ${(oMs / tMs).toFixed(2)} |${peers.length && commandExists('swaks') ? ' — |' : ''}`);
    } finally {
      await proxy.close();
    }
  }
  console.log('\nRTT = whole round-trip times in the wall time, plus the local TCP handshake; "counted" is what Hoplight\'s own report says. The warm cache pays off where the server advertises PIPECONNECT (Exim). "No login": a listener that takes mail from 127.0.0.1 without AUTH, where Hoplight sends the one recipient\'s BDAT chunk with the envelope.');
}

/**
 * One `hoplight send` in a process of its own, as a user runs it: its wall time (process start to exit) and peak
 * RSS, read by the process itself at exit. The password goes on standard input.
 */
function cli(job: { host: string; port: number; user: string; password: string; caFile: string; attachment?: string }): { ok: boolean; ms: number; maxRssMiB: number } {
  const bin = join(process.cwd(), 'bin', 'hoplight.cjs');
  const args = ['send', '--host', job.host, '--port', String(job.port), '--security', 'starttls', '--user', job.user, '--password-stdin', '--ca', job.caFile, '--from', 'bench@example.test', '--to', 'rcpt0@example.test', '--subject', 'bench', '--text', text, ...(job.attachment ? ['--attach', job.attachment] : []), '--json'];
  const probe = `process.on('exit', () => { const l = require('fs').readFileSync('/proc/self/status', 'utf8').split('\\n').find((x) => x.startsWith('VmHWM:')); process.stderr.write('BENCH-RSS ' + Number(l.replace(/\\D+/g, '')) + '\\n'); }); process.argv = [process.argv[0], ${JSON.stringify(bin)}, ...${JSON.stringify(args)}]; require(${JSON.stringify(bin)});`;
  const started = performance.now();
  const run = spawnSync(process.execPath, ['-e', probe], { input: job.password, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - started;
  const kib = Number(/BENCH-RSS (\d+)/.exec(run.stderr)?.[1] ?? NaN);
  let ok = false;
  try {
    ok = run.status === 0 && (JSON.parse(run.stdout) as { outcome: string }).outcome === 'accepted';
  } catch {
    ok = false;
  }
  if (!ok) throw new Error(`hoplight send failed: ${run.stderr}`);
  return { ok, ms, maxRssMiB: kib / 1024 };
}

/** The send child, bundled once, so each send runs in a plain Node process with nothing else loaded. */
let childBundle: string | undefined;
function child(job: object): { ok: boolean; ms: number; maxRssMiB: number } {
  if (!childBundle) {
    childBundle = join(mkdtempSync(join(process.cwd(), 'node_modules', '.cache', 'bench-child-')), 'send-child.cjs');
    buildSync({ entryPoints: ['bench/send-child.ts'], bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', outfile: childBundle, logLevel: 'warning' });
  }
  const run = spawnSync(process.execPath, [childBundle], { encoding: 'utf8', env: { ...process.env, BENCH_SEND: JSON.stringify(job) }, maxBuffer: 1 << 20 });
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !line.startsWith('{')) throw new Error(`send-child failed: ${run.stderr}`);
  return JSON.parse(line) as { ok: boolean; ms: number; maxRssMiB: number };
}

async function memoryTable(pki: TestPki): Promise<void> {
  const postfix = await startPostfix(pki, { messageSizeLimit: 300 * 1024 * 1024 });
  try {
    const base = { host: '127.0.0.1', port: postfix.submissionPort, security: 'starttls', user: postfix.user, password: postfix.password, caFile: pki.caFile, recipients: 1 };
    if (!existsSync(join('dist', 'cli', 'hoplight.cjs'))) spawnSync(process.execPath, ['scripts/build.mjs', '--node-only'], { stdio: 'inherit' });
    const row = (label: string, attachment?: string): void => {
      const extra = attachment ? { attachment } : {};
      const ours = Array.from({ length: 3 }, () => child({ ...base, tool: 'hoplight', ...extra }));
      const theirs = Array.from({ length: 3 }, () => child({ ...base, tool: 'nodemailer', ...extra }));
      const command = Array.from({ length: 3 }, () => cli({ ...base, ...extra }));
      if (![...ours, ...theirs].every((r) => r.ok)) throw new Error('a send failed');
      const m = (runs: { ms: number; maxRssMiB: number }[]): [number, number] => [median(runs.map((r) => r.maxRssMiB)), median(runs.map((r) => r.ms))];
      const [[oRss, oMs], [tRss, tMs], [cRss, cMs]] = [m(ours), m(theirs), m(command)];
      console.log(`| ${label} | ${oRss.toFixed(0)} MiB | ${oMs.toFixed(0)} ms | ${tRss.toFixed(0)} MiB | ${tMs.toFixed(0)} ms | ${(oMs / tMs).toFixed(2)} | ${cRss.toFixed(0)} MiB | ${cMs.toFixed(0)} ms |`);
    };
    console.log('\n## A large attachment, to Postfix over STARTTLS, each send in a process of its own (peak RSS of that process, median of 3)\n');
    console.log('| Attachment | Hoplight peak RSS | Hoplight time | nodemailer peak RSS | nodemailer time | Hoplight / nodemailer time | `hoplight send` peak RSS | `hoplight send`, whole process |');
    console.log('|---|---|---|---|---|---|---|---|');
    row('none (2 KB text)');
    for (const mib of [1, 10, 100]) {
      const file = join(pki.dir, `attachment-${mib}m.bin`);
      // Written a mebibyte at a time, so this process stays small too.
      const block = Buffer.alloc(1024 * 1024);
      writeFileSync(file, '');
      for (let m = 0; m < mib; m++) {
        for (let i = 0; i < block.length; i += 4) block.writeUInt32LE(((m * block.length + i) * 2654435761) >>> 0, i);
        appendFileSync(file, block);
      }
      row(`${mib} MiB`, file);
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
