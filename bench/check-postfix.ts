// npm run bench:check — times a full `hoplight check` of a local Postfix submission port (figures, no assertions).
// With --with-testssl, also times testssl.sh on the same server for comparison (about a minute).
import { spawnSync } from 'node:child_process';
import { checkServer } from '../electron/core/posture/server-check.js';
import { postfixInstalled, startPostfix } from '../test/helpers/postfix.js';
import { makeTestPki } from '../test/helpers/pki.js';

async function main(): Promise<void> {
  if (!postfixInstalled()) {
    console.error('Postfix is not installed: run scripts/install-test-peers.sh as root.');
    process.exit(1);
  }
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const pki = makeTestPki();
  const postfix = await startPostfix(pki, { hardened: process.argv.includes('--hardened') });
  try {
    await checkServer({ host: '127.0.0.1', port: postfix.submissionPort, extraCaPem: pki.ca.certPem }); // warm-up
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const result = await checkServer({ host: '127.0.0.1', port: postfix.submissionPort, extraCaPem: pki.ca.certPem });
      times.push(performance.now() - start);
      if (i === 0) console.log(`findings: ${result.findings.map((f) => f.id).join(', ')}`);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)] ?? 0;
    console.log(`hoplight check, Postfix STARTTLS port, ${runs} runs: median ${median.toFixed(0)} ms, min ${times[0]?.toFixed(0)} ms, max ${times[times.length - 1]?.toFixed(0)} ms (6 connections, in parallel; every probe ends on the server's own replies)`);
    if (process.argv.includes('--with-testssl')) {
      const testssl = (extra: string[]): number => {
        const start = performance.now();
        spawnSync('testssl', ['--quiet', '--warnings', 'off', '--color', '0', ...extra, '--starttls', 'smtp', '--add-ca', pki.caFile, `127.0.0.1:${postfix.submissionPort}`], { stdio: 'ignore' });
        return performance.now() - start;
      };
      const closest = testssl(['-p', '-S']);
      console.log(`testssl.sh -p -S (protocols and server defaults), same server: ${(closest / 1000).toFixed(1)} s — Hoplight is ${(closest / median).toFixed(0)}× faster`);
      console.log(`testssl.sh (full run), same server: ${(testssl([]) / 1000).toFixed(1)} s`);
    }
  } finally {
    await postfix.stop();
  }
}

void main();
