import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsGet } from '../../electron/core/net/https-get.js';
import { createResolver } from '../../electron/core/dns/dns-client.js';
import { checkDomain } from '../../electron/core/posture/domain-check.js';
import { checkServer } from '../../electron/core/posture/server-check.js';
import { renderServerCheck } from '../../electron/core/report/render-posture.js';
import { renderSubmissionReport } from '../../electron/core/report/render-submission.js';
import type { SubmissionServer } from '../../shared/types/message.js';
import { makeTestPki, type TestPki } from '../helpers/pki.js';
import { politeScript, startScriptedServer, type Script, type ScriptedServer } from '../helpers/scripted-server.js';
import { send, testMessage } from '../helpers/submit.js';

// Every bound is structural and tested against a peer that pushes on it: a flood while we write the body, a peer
// that stops reading, a server that answers each step just in time, replies that try to smuggle terminal codes
// or credentials, files and inputs that never end. Each case fails without its bound.
const USER = 'bob';
const PASSWORD = 'hunter2-Secret';
let pki: TestPki;
let dir: string;
const started: { close(): Promise<void> | void }[] = [];
const root = resolve(__dirname, '..', '..');

async function serve(script: Script, greeting: string | undefined = '220 scripted.test ESMTP\r\n'): Promise<ScriptedServer> {
  const server = await startScriptedServer(pki, greeting, script);
  started.push(server);
  return server;
}
const account = (port: number, extra: Partial<SubmissionServer> = {}): SubmissionServer => ({ host: '127.0.0.1', port, security: 'starttls', user: USER, caFile: pki.caFile, ...extra });
const lines = (server: ScriptedServer): string[] => server.sessions.flat();
/** Every way the password could show: plain, base64 of it, of the AUTH PLAIN token, and of the token's halves. */
function leaks(value: unknown): string[] {
  const text = JSON.stringify(value);
  const token = Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64');
  const forms = [PASSWORD, Buffer.from(PASSWORD).toString('base64'), token, token.slice(0, 14), token.slice(14)];
  return forms.filter((f) => text.includes(f));
}
function run(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; stdin?: 'yes' } = {}): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'hoplight.cjs'), ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1', ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => undefined);
    if (options.stdin === 'yes') {
      const chunk = 'y\n'.repeat(32 * 1024);
      const pump = (): void => {
        while (child.stdin.writable && child.stdin.write(chunk));
        if (child.stdin.writable) child.stdin.once('drain', pump);
      };
      pump();
    } else child.stdin.end(options.input ?? '');
    child.on('close', (status) => done({ status, stdout, stderr, ms: Date.now() - t0 }));
  });
}

beforeAll(() => {
  pki = makeTestPki();
  dir = mkdtempSync(join(tmpdir(), 'hoplight-bounds-'));
});
afterAll(async () => {
  await Promise.all(started.map((s) => s.close()));
});

describe('bounded sessions', () => {
  const bigFile = (): string => {
    const path = join(dir, 'big.bin');
    writeFileSync(path, Buffer.alloc(6 * 1024 * 1024, 7));
    return path;
  };

  it('a server that floods replies after 354 and stops reading: a clear ECONNECTION, the transcript bounded', async () => {
    const server = await serve(
      politeScript((line, context) => {
        if (line.toUpperCase() !== 'DATA') return 'default';
        context.write('354 go ahead\r\n');
        context.stopReading();
        const chunk = `250 ${'x'.repeat(200)}\r\n`.repeat(200);
        const socket = context.socket();
        const pump = (): void => {
          while (!socket.destroyed && socket.write(chunk));
          if (!socket.destroyed) socket.once('drain', pump);
        };
        pump();
        return undefined;
      }),
    );
    const report = await send(account(server.port), 'default', PASSWORD, testMessage({ attachments: [{ path: bigFile() }] }));
    expect(report.error?.code).toBe('ECONNECTION');
    expect(report.error?.message).toMatch(/replies to commands Hoplight never sent/);
    expect(report.outcome).toBe('failed');
    expect(report.submissionHop.transcript.length).toBeLessThan(2100);
  });

  it('a server that stops reading the body: ETIMEDOUT from the write timeout, delivery not claimed', async () => {
    const server = await serve(
      politeScript((line, context) => {
        if (line.toUpperCase() !== 'DATA') return 'default';
        context.write('354 go ahead\r\n');
        context.stopReading();
        return undefined;
      }),
    );
    const report = await send(account(server.port), 'default', PASSWORD, testMessage({ attachments: [{ path: bigFile() }] }), { timeouts: { commandMs: 1500 } });
    expect(report.error?.code).toBe('ETIMEDOUT');
    expect(report.error?.message).toMatch(/stopped reading the message/);
    expect(report.outcome).toBe('failed');
    expect(report.error?.message).not.toMatch(/may or may not have been delivered/);
  });

  it('a server answering each step just inside its timeout is stopped by the overall deadline, which the report names', async () => {
    const slow: Script = politeScript((line, context) => {
      const reply = politeScript()(line, context);
      if (line.toUpperCase() === 'STARTTLS' || reply === undefined) return reply;
      setTimeout(() => context.write([reply].flat().map((l) => `${l}\r\n`).join('')), 700);
      return undefined;
    });
    const server = await serve(slow);
    const t0 = performance.now();
    const report = await send(account(server.port), 'default', PASSWORD, testMessage(), { timeouts: { commandMs: 1000 }, deadlineMs: 2000 });
    expect(report.error?.code).toBe('ETIMEDOUT');
    expect(report.error?.message).toMatch(/overall limit of 2 s/);
    expect(report.submissionHop.timings.deadlineMs).toBe(2000);
    expect(performance.now() - t0).toBeLessThan(4000);
  });

  it('a greeting dripped slower than its timeout: ETIMEDOUT without the implicit-TLS hint; check says "no greeting"', async () => {
    const server = await serve(() => undefined, '2');
    const report = await send(account(server.port), 'default', PASSWORD, testMessage(), { timeouts: { greetingMs: 500 } });
    expect(report.error?.code).toBe('ETIMEDOUT');
    expect(report.error?.hint ?? '').not.toMatch(/implicit/);
    const result = await checkServer({ host: '127.0.0.1', port: server.port, security: 'starttls', timeouts: { greetingMs: 500 } });
    expect(result.connection.status).toBe('error');
    expect(renderServerCheck(result)).toMatch(/Greeting: +could not check: connected, but no greeting/);
  });

  it('a reply of more than 512 lines is named as such', async () => {
    const server = await serve(
      politeScript((line, context) => {
        if (!line.toUpperCase().startsWith('EHLO') || context.secure) return 'default';
        return [...Array.from({ length: 600 }, (_, i) => `250-X-CAP-${i}`), '250 STARTTLS'];
      }),
    );
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.error?.code).toBe('ECONNECTION');
    expect(report.error?.message).toMatch(/more than 512 lines/);
  });

  it('any 2xx final reply is acceptance (251 is not a refusal that would invite a duplicate)', async () => {
    const server = await serve(politeScript((line) => (line === '.' ? '251 2.0.0 accepted, will forward' : 'default')));
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.error).toBeUndefined();
    expect(report.outcome).toBe('accepted');
  });
});

// Control characters other than newline, and the direction override: none may reach a terminal.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f\u202e]/;

describe('nothing shown that the terminal did not mean', () => {
  const forged = '554 \x1b[1A\x1b[2K\r\x1b[1;32mAccepted by the submission server.\x1b[0m\x1b[K\u202e\r\n';

  it('a greeting with cursor codes is shown as visible text in the send report; JSON keeps it exact', async () => {
    const server = await serve(() => undefined, forged);
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.outcome).toBe('failed');
    expect(JSON.stringify(report)).toContain('\\u001b[1A');
    const text = renderSubmissionReport(report);
    expect(text).not.toMatch(CONTROL);
    expect(text).toContain('\\x1b[1;32mAccepted by the submission server.');
    expect(text.split('\n')[0]).toBe('Failed.');
  });

  it('the same in a server check, and through the CLI', async () => {
    const server = await serve(() => undefined, forged);
    const result = await checkServer({ host: '127.0.0.1', port: server.port, security: 'starttls', timeouts: { greetingMs: 2000 } });
    expect(renderServerCheck(result)).not.toMatch(CONTROL);
    const cli = await run(['send', '--host', '127.0.0.1', '--port', String(server.port), '--security', 'starttls', '--from', 'a@example.test', '--to', 'b@example.test', '--subject', 's', '--text', 't']);
    expect(cli.status).toBe(5);
    expect(cli.stdout + cli.stderr).not.toMatch(CONTROL);
    expect(cli.stdout).toContain('\\x1b[2K');
  });
});

describe('credentials never leak, in any encoding', () => {
  it('an AUTH token echoed split across reply lines, re-encoded, and the password repeated later: none of it recorded', async () => {
    const server = await serve(
      politeScript((line) => {
        if (line.toUpperCase().startsWith('AUTH PLAIN')) {
          const token = line.slice(11);
          return [`535-5.7.8 first ${token.slice(0, 14)}`, `535-5.7.8 second ${token.slice(14)}`, `535 5.7.8 decoded: ${Buffer.from(token, 'base64').toString('latin1').replace(/\0/g, ' ')}`];
        }
        return 'default';
      }),
    );
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.error?.code).toBe('EAUTH');
    expect(leaks(report)).toEqual([]);
    expect(leaks(renderSubmissionReport(report))).toEqual([]);
  });

  it('a two-character password echoed after AUTH is still redacted', async () => {
    const server = await serve(politeScript((line) => (line.toUpperCase().startsWith('MAIL FROM') ? '550 5.7.1 sender refused, your password is Zq' : 'default')));
    const report = await send(account(server.port), 'default', 'Zq');
    expect(report.error?.code).toBe('EENVELOPE');
    expect(JSON.stringify(report)).not.toMatch(/\bZq\b/);
    expect(report.error?.message).toContain('your password is <redacted>');
  });
});

describe('sizes checked before memory is spent', () => {
  it('a SIZE limit far below the attachments refuses with the exact size, before any attachment is read: nothing after EHLO, "not sent"', async () => {
    const server = await serve(
      politeScript((line, context) => {
        if (!line.toUpperCase().startsWith('EHLO') || !context.secure) return 'default';
        return ['250-scripted.test', '250-PIPELINING', '250-SIZE 100000', '250 AUTH PLAIN'];
      }),
    );
    const path = join(dir, 'sparse-150m.bin');
    writeFileSync(path, '');
    truncateSync(path, 1024 * 1024 * 150);
    const report = await send(account(server.port), 'default', PASSWORD, testMessage({ attachments: [{ path }] }));
    expect(report.error?.code).toBe('EMESSAGE');
    expect(report.error?.message).toMatch(/The message is 20\d\.\d MB, but .* accepts at most 97\.7 KB/);
    expect(report.outcome).toBe('not-sent');
    // Measured, not read: 150 MiB in base64 lines, plus the headers and the text part.
    expect(report.message.sizeBytes).toBeGreaterThan(Math.ceil((150 * 1024 * 1024) / 3) * 4);
    expect(lines(server).some((l) => /^(AUTH|MAIL)/.test(l))).toBe(false);
  });

  it('a small message over a tiny SIZE limit is measured in bytes, and headlined as not sent', async () => {
    const server = await serve(
      politeScript((line, context) => (line.toUpperCase().startsWith('EHLO') && context.secure ? ['250-scripted.test', '250-SIZE 100', '250 AUTH PLAIN'] : 'default')),
    );
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.error?.message).toMatch(/The message is \d+ bytes, but .* accepts at most 100 bytes/);
    expect(renderSubmissionReport(report).split('\n')[0]).toBe('Not sent: Hoplight stopped before transmitting anything.');
  });

  it('attachments over the cap, or a file that cannot be read, are EINPUT naming the field, before connecting', async () => {
    const huge = join(dir, 'sparse-3g.bin');
    writeFileSync(huge, '');
    truncateSync(huge, 3 * 1024 * 1024 * 1024);
    await expect(send(account(1), 'default', PASSWORD, testMessage({ attachments: [{ path: huge }] }))).rejects.toMatchObject({ code: 'EINPUT', field: 'attachments' });
    await expect(send(account(1), 'default', PASSWORD, testMessage({ attachments: [{ path: '/proc/self/mem' }] }))).rejects.toMatchObject({ code: 'EINPUT', field: 'attachments[0]' });
  });

  it('a header word too long for a line is EINPUT; nothing over 998 characters reaches the wire', async () => {
    await expect(send(account(1), 'default', PASSWORD, testMessage({ subject: 'a'.repeat(1200) }))).rejects.toMatchObject({ code: 'EINPUT', field: 'subject' });
    await expect(send(account(1), 'default', PASSWORD, testMessage({ from: `${'a'.repeat(1200)} <a@example.test>` }))).rejects.toMatchObject({ code: 'EINPUT', field: 'from' });
    const server = await serve(politeScript());
    const report = await send(account(server.port), 'default', PASSWORD, testMessage({ subject: Array.from({ length: 300 }, () => 'word').join(' ') }));
    expect(report.outcome).toBe('accepted');
    expect(lines(server).every((l) => l.length <= 998)).toBe(true);
  });
});

describe('TLS failures called what they are', () => {
  it('a server that drops the connection mid-handshake: ECONNECTION, no certificate advice', async () => {
    const server = await serve(
      politeScript((line, context) => {
        if (line.toUpperCase() !== 'STARTTLS') return 'default';
        context.write('220 2.0.0 Ready\r\n');
        context.stopReading();
        setTimeout(() => context.socket().destroy(), 50);
        return undefined;
      }),
    );
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.error?.code).toBe('ECONNECTION');
    expect(report.error?.message).toMatch(/closed the connection during the TLS handshake/);
    expect(report.error?.hint).not.toMatch(/--ca|--pin/);
  });

  it('STARTTLS answered 220 and then cleartext: not called an implicit-TLS port', async () => {
    const server = await serve(
      politeScript((line, context) => {
        if (line.toUpperCase() !== 'STARTTLS') return 'default';
        context.write('220 2.0.0 Ready\r\n');
        context.stopReading();
        setTimeout(() => context.write('250 this is not TLS at all\r\n'), 50);
        return undefined;
      }),
    );
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.error?.code).toBe('ETLS');
    expect(report.error?.message).toMatch(/agreed to STARTTLS but then did not speak TLS/);
    expect(report.error?.hint ?? '').not.toMatch(/--security starttls/);
  });

  it('check: a server that resets every handshake is "could not check", never "refused" or "TLS 1.3 missing"', async () => {
    const server = await serve(
      politeScript((line, context) => {
        if (line.toUpperCase() !== 'STARTTLS') return 'default';
        context.write('220 2.0.0 Ready\r\n');
        context.stopReading();
        context.socket().once('data', () => context.socket().resetAndDestroy());
        context.socket().resume();
        return undefined;
      }),
    );
    const result = await checkServer({ host: '127.0.0.1', port: server.port, security: 'starttls' });
    for (const version of Object.values(result.tlsVersions)) expect(version.status).toBe('error');
    const ids = result.findings.map((f) => f.id);
    expect(ids).not.toContain('tls.version.tls1_3-missing');
    expect(ids).not.toContain('tls.failed');
    expect(result.tls.status).toBe('error');
  });
});

describe('inputs that never end', () => {
  it('a FIFO as --text-file or --ca is refused at once (exit 2), and an endless --password-stdin stops at 4 KB', async () => {
    const fifo = join(dir, 'fifo');
    spawn('mkfifo', [fifo]).on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const base = ['send', '--host', '127.0.0.1', '--port', '1', '--security', 'starttls', '--from', 'a@example.test', '--to', 'b@example.test', '--subject', 's'];
    const text = await run([...base, '--text-file', fifo]);
    expect(text.status).toBe(2);
    expect(text.stderr).toMatch(/text-file: ".*fifo" is not a regular file/);
    const ca = await run([...base, '--text', 't', '--ca', fifo]);
    expect(ca.status).toBe(2);
    expect(ca.stderr).toMatch(/ca: /);
    const endless = await run([...base, '--text', 't', '--user', 'u', '--password-stdin'], { stdin: 'yes' });
    expect(endless.status).toBe(2);
    expect(endless.stderr).toMatch(/password: standard input holds more than 4096 bytes/);
  });

  it('an HTTPS server dripping a byte at a time is cut off by the fetch deadline', async () => {
    const https: HttpsServer = createHttpsServer({ key: pki.server.keyPem, cert: pki.server.certPem }, (_request, response) => {
      response.writeHead(200);
      const timer = setInterval(() => response.write('x'), 100);
      response.on('close', () => clearInterval(timer));
    });
    started.push({ close: () => new Promise<void>((r) => https.close(() => r())) });
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
    const port = (https.address() as { port: number }).port;
    const t0 = performance.now();
    await expect(httpsGet({ address: '127.0.0.1', host: 'localhost', path: '/', port, maxBytes: 64 * 1024, extraCaPem: pki.ca.certPem, deadlineMs: 1000 })).rejects.toThrow(/overall limit of 1 s/);
    expect(performance.now() - t0).toBeLessThan(3000);
    https.closeAllConnections();
  });
});

describe('the accounts file', () => {
  const add = (home: string, name: string) =>
    run(['accounts', 'add', '--name', name, '--from', `${name}@example.test`, '--host', '127.0.0.1', '--port', '587', '--security', 'starttls', '--user', 'bob', '--ask-password'], { env: { HOPLIGHT_HOME: home } });

  it('parallel adds from twelve processes: every one is kept, the file stays mode 600', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hoplight-accounts-'));
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => add(home, `p${i}`)));
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(0));
    const list = await run(['accounts', 'list', '--json'], { env: { HOPLIGHT_HOME: home } });
    const names = (JSON.parse(list.stdout) as { name: string }[]).map((a) => a.name).sort();
    expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `p${i}`).sort());
    expect(statSync(join(home, 'accounts.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(home).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);
  });

  it('a symbolic link planted as accounts.json is refused, and its target never written', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hoplight-accounts-'));
    const target = join(home, 'elsewhere.json');
    writeFileSync(target, '{"untouched":true}', { mode: 0o644 });
    symlinkSync(target, join(home, 'accounts.json'));
    const result = await add(home, 'x');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/symbolic link/);
    expect(readFileSync(target, 'utf8')).toBe('{"untouched":true}');
    expect(statSync(target).mode & 0o777).toBe(0o644);
  });
});

describe('strict input', () => {
  it('address literals must be real addresses; ports decimal; a HOST:PORT:X target is bad input', async () => {
    await expect(send(account(1), 'default', PASSWORD, testMessage({ to: ['b@[999.999.999.999]'] }))).rejects.toMatchObject({ code: 'EINPUT', field: 'to[0]' });
    await expect(send(account(1), 'default', PASSWORD, testMessage({ to: ['b@[IPv6:::::::::]'] }))).rejects.toMatchObject({ code: 'EINPUT', field: 'to[0]' });
    const ok = await serve(politeScript());
    expect((await send(account(ok.port), 'default', PASSWORD, testMessage({ to: ['b@[127.0.0.1]', 'c@[IPv6:::1]'] }))).outcome).toBe('accepted');
    const base = ['send', '--host', '127.0.0.1', '--security', 'starttls', '--from', 'a@example.test', '--to', 'b@example.test', '--subject', 's', '--text', 't'];
    for (const port of ['abc', '', '0x650e', '2.587e4', '+25870', ' 25870', '0', '65536']) {
      const result = await run([...base, '--port', port]);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`port: "${port}" is not a port number`);
    }
    const longDomain = Array.from({ length: 5 }, () => 'a'.repeat(63)).join('.');
    await expect(checkDomain({ domain: longDomain, resolver: createResolver({ host: '127.0.0.1', port: 9 }) })).rejects.toMatchObject({ code: 'EINPUT', field: 'domain' });
    const target = await run(['check', '127.0.0.1:25870:1']);
    expect(target.status).toBe(2);
    expect(target.stderr).toMatch(/host: .* is neither HOST, HOST:PORT nor an IPv6 address/);
  });
});

describe('a send as an operation: progress and cancel', () => {
  const stallAfter354: Script = politeScript((line, context) => {
    if (line.toUpperCase() !== 'DATA') return 'default';
    context.write('354 go ahead\r\n');
    context.stopReading();
    return undefined;
  });

  it('reports each step in order, and cancelling before the end of the data is "cancelled": nothing delivered', async () => {
    const server = await serve(stallAfter354);
    const steps: string[] = [];
    const controller = new AbortController();
    const path = join(dir, 'cancel.bin');
    writeFileSync(path, Buffer.alloc(6 * 1024 * 1024, 1));
    const sending = send(account(server.port), 'require-tls', PASSWORD, testMessage({ attachments: [{ path }] }), {
      signal: controller.signal,
      onProgress: (step) => {
        steps.push(step);
        if (step === 'sending') setTimeout(() => controller.abort(), 300);
      },
    });
    const report = await sending;
    expect(steps).toEqual(['connecting', 'tls', 'authenticating', 'sending', 'finished']);
    expect(report.outcome).toBe('cancelled');
    expect(report.error?.code).toBe('ECANCELLED');
    expect(report.error?.message).toMatch(/nothing was delivered/);
  });

  it('cancelling while waiting for the verdict is "uncertain", never "not delivered"', async () => {
    const silentAtDot = await serve(politeScript((line) => (line === '.' ? undefined : 'default')));
    const controller = new AbortController();
    const report = await send(account(silentAtDot.port), 'default', PASSWORD, testMessage(), {
      signal: controller.signal,
      onProgress: (step) => {
        if (step === 'awaiting-verdict') setTimeout(() => controller.abort(), 100);
      },
    });
    expect(report.outcome).toBe('uncertain');
    expect(report.error?.code).toBe('ECANCELLED');
    expect(renderSubmissionReport(report).split('\n')[0]).toMatch(/^Uncertain: .* It may have been delivered/);
  });

  it('a connection lost after the end of the data is "uncertain" too', async () => {
    const dropAtDot = await serve(
      politeScript((line, context) => {
        if (line !== '.') return 'default';
        context.close();
        return undefined;
      }),
    );
    const report = await send(account(dropAtDot.port), 'default', PASSWORD);
    expect(report.outcome).toBe('uncertain');
    expect(report.reportVersion).toBe(2);
  });
});
