import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSubmissionServer, type LocalServer, type ReceivedMessage } from '../../electron/core/sandbox/local-submission-server.js';
import { waitFor } from '../helpers/peers.js';
import { makeTestPki, type TestPki } from '../helpers/pki.js';
import { containsSecret } from '../helpers/submit.js';

// The `hoplight` command as a user runs it: the package bin, under plain Node.
const root = resolve(__dirname, '..', '..');
const bin = join(root, 'bin', 'hoplight.cjs');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function hoplight(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1', ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => done({ status, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

let pki: TestPki;
let plain: LocalServer;
let received: ReceivedMessage[] = [];
const PASSWORD = 'cli-password-Qx81';

beforeAll(async () => {
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--node-only'], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
  pki = makeTestPki();
  plain = await startLocalSubmissionServer({
    starttlsPort: 0,
    tls: pki.server,
    auth: { user: 'u', password: PASSWORD },
    advertiseRequireTls: false,
    onMessage: (m) => {
      received.push(m);
    },
  });
});
afterAll(() => plain?.close());

// prettier-ignore
const sendArgs = (port: number, extra: string[] = []): string[] => [
  'send', '--host', '127.0.0.1', '--port', String(port), '--security', 'starttls', '--user', 'u', '--password-stdin', '--ca', pki.caFile,
  '--from', 'me@example.test', '--to', 'you@example.test', '--subject', 'cli', '--text', 'hello', ...extra,
];

describe('hoplight sandbox, then the send command it prints', () => {
  it('delivers into the sandbox with REQUIRETLS and reports the session', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hoplight-home-'));
    const sandbox = spawn(process.execPath, [bin, 'sandbox', '--starttls-port', '0', '--implicit-port', '0'], { cwd: root, env: { ...process.env, HOPLIGHT_HOME: home, NO_COLOR: '1' } });
    let output = '';
    sandbox.stdout.on('data', (d: Buffer) => (output += d.toString()));
    sandbox.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await waitFor('the sandbox banner', () => (output.includes('--require-tls --json') ? true : undefined));
      expect(output).toContain(join(home, 'sandbox', 'ca.pem'));
      const start = output.indexOf("printf '%s'");
      const command = output.slice(start, output.indexOf('--json', start) + '--json'.length).replace(/\\\n\s*/g, ' ');
      const run = spawnSync('sh', ['-c', command], { cwd: root, encoding: 'utf8', env: { ...process.env, HOPLIGHT_HOME: home } });
      expect(run.status, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report.outcome).toBe('accepted');
      expect(report.submissionHop.requireTls).toEqual({ advertised: true, requested: true, accepted: true });
      expect(report.submissionHop.tls.protocol).toMatch(/^TLSv1\.[23]$/);
      expect(report.submissionHop.tls.cipher).toBeTruthy();
      expect(report.submissionHop.tls.certificate.issuer).toContain('Hoplight sandbox CA');
      const password = /Password:\s+(\S+)/.exec(output)?.[1] ?? '';
      expect(password.length).toBeGreaterThan(10);
      expect(containsSecret(run.stdout + run.stderr, password, 'sandbox')).toBe(false);

      const messages = join(home, 'sandbox', 'messages');
      const envelopeFile = await waitFor('the stored envelope', () => readdirSync(messages).find((f) => f.endsWith('.envelope.json')));
      const envelope = JSON.parse(readFileSync(join(messages, envelopeFile), 'utf8'));
      expect(envelope.envelope.requireTls).toBe(true);
      expect(envelope.envelope.mailFromParameters.REQUIRETLS).toBe(true);
      expect(envelope.envelope.rcptTo).toEqual(['friend@example.test']);
      expect(existsSync(join(messages, envelopeFile.replace('.envelope.json', '.eml')))).toBe(true);
      await waitFor('the sandbox to announce the message', () => (output.includes('received ') ? true : undefined));
      // Nothing on disk holds the generated password.
      for (const file of readdirSync(home, { recursive: true }) as string[]) {
        const path = join(home, file);
        if (statSync(path).isFile()) expect(containsSecret(readFileSync(path, 'utf8'), password, 'sandbox'), path).toBe(false);
      }
    } finally {
      sandbox.kill('SIGINT');
      await new Promise((r) => sandbox.once('close', r));
    }
    expect(output).toContain('Sandbox stopped.');
  });
});

describe('exit codes of hoplight send', () => {
  it('2 for bad input, naming the field, before connecting', async () => {
    received = [];
    const args = sendArgs(plain.starttlsPort!);
    args[args.indexOf('--subject') + 1] = 'a\r\nBcc: x@example.test';
    const run = await hoplight(args, { input: PASSWORD });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^hoplight: subject: must not contain a line break/);
    expect(received).toHaveLength(0);
  });

  it('2 for a missing attachment, naming it', async () => {
    const run = await hoplight(sendArgs(plain.starttlsPort!, ['--attach', '/nonexistent/brief.pdf']), { input: PASSWORD });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/attachments\[0\].*brief\.pdf.*does not exist/);
  });

  it('3 when --require-tls cannot be honoured; nothing arrives', async () => {
    received = [];
    const run = await hoplight(sendArgs(plain.starttlsPort!, ['--require-tls', '--json']), { input: PASSWORD });
    expect(run.status).toBe(3);
    const report = JSON.parse(run.stdout);
    expect(report.error.code).toBe('EREQUIRETLS');
    expect(received).toHaveLength(0);
  });

  it('5 for a wrong password', async () => {
    const run = await hoplight(sendArgs(plain.starttlsPort!), { input: 'wrong-one' });
    expect(run.status).toBe(5);
    expect(run.stdout).toMatch(/EAUTH/);
  });

  it('0 with a readable report that names TLS version, cipher and certificate, and never the password', async () => {
    received = [];
    const run = await hoplight(sendArgs(plain.starttlsPort!), { input: `${PASSWORD}\n` });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Accepted by the submission server/);
    expect(run.stdout).toMatch(/TLS: +TLSv1\.3/);
    expect(run.stdout).toMatch(/SHA-256: +([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect(run.stdout).toMatch(/AUTH PLAIN <redacted>/);
    expect(containsSecret(run.stdout + run.stderr, PASSWORD, 'u')).toBe(false);
    expect(received).toHaveLength(1);
  });

  it('2 for an unknown command or flag, with usage', async () => {
    expect((await hoplight(['frobnicate'])).status).toBe(2);
    const run = await hoplight(['send', '--nope']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/Usage: hoplight send/);
    // The usage keeps its lines (it was once printed as one line of \x0a escapes).
    expect(run.stderr).not.toContain('\\x0a');
    expect(run.stderr.split('\n').length).toBeGreaterThan(5);
  });
});

describe('hoplight outbox', () => {
  it('lists the queue (text and JSON), never re-sends an uncertain message without --duplicate-ok, and leaves sandbox messages to the app', async () => {
    const { MaildirFolder } = await import('../../electron/core/mailbox/maildir.js');
    const { OUTBOX_FORMAT_VERSION } = await import('../../electron/core/mailbox/draft-schema.js');
    const home = mkdtempSync(join(tmpdir(), 'hoplight-cli-outbox-'));
    const env = { HOPLIGHT_HOME: home };
    expect((await hoplight(['outbox', 'list'], { env })).stdout).toBe('The Outbox is empty.\n');
    const outbox = new MaildirFolder(join(home, 'mailbox', 'Outbox'));
    const now = new Date().toISOString();
    const draft = (id: string, subject: string) => ({ id, sender: 'sandbox', securityChoice: 'require-tls', to: ['ann@example.net'], cc: [], bcc: [], subject, text: 'x', attachments: [], updatedAt: now });
    const attempt = { at: now, outcome: 'uncertain', error: { code: 'ETIMEDOUT', message: 'No verdict after the end of the data.', messageTransmitted: true } };
    outbox.write('u1', Buffer.from('Subject: held\r\n\r\nx\r\n'), { format: OUTBOX_FORMAT_VERSION, entry: { id: 'u1', draft: draft('u1', 'Held one'), state: 'uncertain', queuedAt: now, giveUpAt: now, attempts: [attempt] } });
    outbox.write('w1', Buffer.from('Subject: waiting\r\n\r\nx\r\n'), { format: OUTBOX_FORMAT_VERSION, entry: { id: 'w1', draft: draft('w1', 'Waiting one'), state: 'waiting', queuedAt: now, nextAttemptAt: now, giveUpAt: new Date(Date.now() + 3_600_000).toISOString(), attempts: [{ ...attempt, outcome: 'failed', error: { code: 'ECONNECTION', message: 'Connection refused.', messageTransmitted: false } }] } });

    const list = await hoplight(['outbox', 'list'], { env });
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/u1 {2}Held one[\s\S]*MAY HAVE BEEN DELIVERED: not re-sent without --duplicate-ok/);
    expect(list.stdout).toMatch(/w1 {2}Waiting one[\s\S]*Security: +require-tls \(kept on every retry\)[\s\S]*Last try: .*Connection refused\./);
    const json = JSON.parse((await hoplight(['outbox', 'list', '--json'], { env })).stdout);
    expect(json.entries.map((e: { id: string; state: string }) => [e.id, e.state])).toEqual([['u1', 'uncertain'], ['w1', 'waiting']]);

    const retry = await hoplight(['outbox', 'retry', 'u1'], { env });
    expect(retry.status).toBe(2);
    expect(retry.stderr).toMatch(/may have been delivered already[\s\S]*--duplicate-ok/);
    const flush = await hoplight(['outbox', 'flush', '--all'], { env });
    expect(flush.status).toBe(0);
    expect(flush.stdout).toMatch(/w1: skipped, it is from the app's sandbox/);
    expect(flush.stdout).not.toMatch(/u1/);
    expect((await hoplight(['outbox', 'frob'], { env })).status).toBe(2);
  });
});

describe('hoplight analyze', () => {
  it('knows the account by the From address (or --account) and says which hops can be trusted; 2 for a file that is not there', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hoplight-analyze-'));
    const env = { HOPLIGHT_HOME: home };
    const added = await hoplight(['accounts', 'add', '--name', 'Clinic', '--from', 'ada@clinic.test', '--host', 'smtp.provider.test', '--port', '587', '--security', 'starttls', '--user', 'ada', '--ask-password'], { env });
    expect(added.status, added.stderr).toBe(0);
    const file = join(home, 'copy.eml');
    writeFileSync(
      file,
      [
        'Received: from out.provider.test (out.provider.test [192.0.2.8]) by mx.example.net (Postfix) with ESMTPS id 3; Thu, 3 Dec 2026 10:00:06 +0000',
        'Received: from [192.0.2.1] by smtp.provider.test with ESMTPSA id 1; Thu, 3 Dec 2026 10:00:01 +0000',
        'Received: from forged.example ([203.0.113.5]) by mx.bank.test with ESMTPS id 0; Thu, 3 Dec 2026 09:59:00 +0000',
        'From: Ada <ada@clinic.test>',
        'Subject: hello',
        '',
        'body',
        '',
      ].join('\r\n'),
    );
    const json = await hoplight(['analyze', file, '--no-verify', '--json'], { env });
    expect(json.status, json.stderr).toBe(0);
    const path = JSON.parse(json.stdout) as { provider: { account: string; firstHop: number }; hops: { trust: string }[] };
    expect(path.provider).toMatchObject({ account: 'Clinic', firstHop: 1 });
    expect(path.hops.map((h) => h.trust)).toEqual(['sender-side', 'provider', 'after-provider']);
    const text = await hoplight(['analyze', file, '--no-verify', '--account', 'Clinic'], { env });
    expect(text.stdout).toMatch(/1\. forged\.example[^\n]*\n(?:[^\n]*\n)*?\s+written by:\s+the sender’s side, before your provider: it can be forged/);
    expect(text.stdout).toMatch(/Your provider \(Clinic\) recorded hop 2 first/);
    const none = await hoplight(['analyze', file, '--no-verify', '--account', 'Nobody'], { env });
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/account/);
    const missing = await hoplight(['analyze', join(home, 'nope.eml'), '--no-verify'], { env });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/file/);
  });
});
