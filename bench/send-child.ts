// One send in a process of its own, so its peak RSS is its own: `node scripts/run-ts.mjs bench/send-child.ts`
// with BENCH_SEND (JSON: tool, host, port, security, user, password, caFile, attachment). Prints one JSON line.
import { readFileSync } from 'node:fs';

interface Job {
  readonly tool: 'hoplight' | 'nodemailer';
  readonly host: string;
  readonly port: number;
  readonly security: 'starttls' | 'implicit';
  readonly user: string;
  readonly password: string;
  readonly caFile: string;
  readonly attachment?: string;
  readonly recipients: number;
}

/**
 * This process's own peak RSS. Linux's VmHWM belongs to the memory of this program; getrusage's maxrss would carry
 * over the parent's at fork and across exec, so a large parent would look like a large child.
 */
function peakRssKiB(): number {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return line ? Number(line.replace(/\D+/g, '')) : process.resourceUsage().maxRSS;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.env.BENCH_SEND ?? '{}') as Job;
  const to = Array.from({ length: job.recipients }, (_, i) => `rcpt${i}@example.test`);
  const text = 'Bench message.\n'.repeat(130); // about 2 KB
  // Each tool loads only its own code, so neither pays for the other's modules; the clock starts after loading.
  const hoplight = job.tool === 'hoplight' ? await import('../electron/core/submit-message.js') : undefined;
  const nodemailer = job.tool === 'hoplight' ? undefined : (await import('nodemailer')).default;
  const started = performance.now();
  let ok: boolean;
  if (hoplight) {
    const { submitMessage } = hoplight;
    const report = await submitMessage(
      {
        server: { host: job.host, port: job.port, security: job.security, user: job.user, caFile: job.caFile },
        message: { from: 'bench@example.test', to, subject: 'bench', text, ...(job.attachment ? { attachments: [{ path: job.attachment }] } : {}) },
        security: 'default',
      },
      job.password,
    );
    ok = report.outcome === 'accepted';
    if (!ok) console.error(JSON.stringify(report.error));
  } else if (nodemailer) {
    const transport = nodemailer.createTransport({ host: job.host, port: job.port, secure: job.security === 'implicit', requireTLS: job.security === 'starttls', auth: { user: job.user, pass: job.password }, tls: { ca: readFileSync(job.caFile, 'utf8') } });
    const info = await transport.sendMail({ from: 'bench@example.test', to, subject: 'bench', text, ...(job.attachment ? { attachments: [{ path: job.attachment }] } : {}) });
    ok = info.accepted.length === to.length;
    transport.close();
  } else throw new Error('unknown tool');
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ ok, ms, maxRssMiB: peakRssKiB() / 1024 })}\n`);
}

void main();
