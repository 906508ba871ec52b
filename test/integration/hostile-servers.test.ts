import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubmissionServer } from '../../shared/types/message.js';
import { makeTestPki, type TestPki } from '../helpers/pki.js';
import { freePort, waitFor } from '../helpers/peers.js';
import { politeScript, startScriptedServer, type Script, type ScriptedServer } from '../helpers/scripted-server.js';
import { containsSecret, send, testMessage } from '../helpers/submit.js';

// Servers that misbehave on purpose: what a real MTA never does on demand, and an attacker might.
const USER = 'mallory-target';
const PASSWORD = 'S3cret-Passw0rd!';
let pki: TestPki;
const started: ScriptedServer[] = [];

async function serve(script: Script, greeting: string | undefined = '220 scripted.test ESMTP\r\n'): Promise<ScriptedServer> {
  const server = await startScriptedServer(pki, greeting, script);
  started.push(server);
  return server;
}
const account = (port: number, extra: Partial<SubmissionServer> = {}): SubmissionServer => ({ host: '127.0.0.1', port, security: 'starttls', user: USER, caFile: pki.caFile, ...extra });
const clientLines = (server: ScriptedServer): string[] => server.sessions.flat();

beforeAll(() => {
  pki = makeTestPki();
});
afterAll(async () => {
  await Promise.all(started.map((s) => s.close()));
});

describe('hostile or broken servers', () => {
  it('CHUNKING offered only in the cleartext EHLO (anyone on the path can add it there): the content goes by DATA, never BDAT', async () => {
    const server = await serve(politeScript((line, context) => (line.toUpperCase().startsWith('EHLO') && !context.secure ? ['250-scripted.test', '250-PIPELINING', '250-CHUNKING', '250 STARTTLS'] : 'default')));
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.outcome, JSON.stringify(report.error)).toBe('accepted');
    expect(report.submissionHop.capabilitiesBeforeTls).toContain('CHUNKING');
    expect(report.submissionHop.shortcuts).not.toContain('chunking');
    expect(clientLines(server)).toContain('DATA');
    expect(clientLines(server).some((l) => l.startsWith('BDAT'))).toBe(false);
  });

  it('STARTTLS response injection (bytes after the 220, before TLS) aborts with ETLS and sends nothing more', async () => {
    const server = await serve(
      politeScript((line, context) => {
        if (line.toUpperCase() !== 'STARTTLS') return 'default';
        context.write('220 2.0.0 Ready to start TLS\r\n250-injected.test\r\n250 AUTH PLAIN\r\n');
        return undefined;
      }),
    );
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.error?.code).toBe('ETLS');
    expect(report.error?.message).toMatch(/injection/);
    expect(clientLines(server)).toEqual(['EHLO [127.0.0.1]', 'STARTTLS']);
  });

  it('something that is not SMTP (an HTTP server) is reported as such', async () => {
    const server = await serve(() => undefined, 'HTTP/1.1 400 Bad Request\r\n\r\n');
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.error?.code).toBe('ECONNECTION');
    expect(report.error?.message).toMatch(/not an SMTP reply/);
  });

  it('an endless line without CRLF is cut off', async () => {
    const server = await serve(() => undefined, 'A'.repeat(20_000));
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.error?.code).toBe('ECONNECTION');
    expect(report.error?.message).toMatch(/longer than any SMTP reply/);
  });

  it('a 554 greeting is reported with the server’s words', async () => {
    const server = await serve(() => undefined, '554 5.3.2 No service for you\r\n');
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.error?.code).toBe('ECONNECTION');
    expect(report.error?.reply).toMatchObject({ code: 554, enhancedStatus: '5.3.2' });
    expect(report.error?.message).toContain('No service for you');
  });

  it('a server that goes silent gets ETIMEDOUT', async () => {
    const server = await serve(() => undefined);
    const report = await send(account(server.port), 'default', PASSWORD, testMessage(), { timeouts: { commandMs: 300 } });
    expect(report.error?.code).toBe('ETIMEDOUT');
    expect(report.error?.message).toMatch(/EHLO/);
  });

  it('a server that hangs up after the greeting gets ECONNECTION', async () => {
    const server = await serve((_line, context) => {
      context.close();
      return undefined;
    });
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.error?.code).toBe('ECONNECTION');
  });

  it('nothing listening: ECONNECTION, connection refused', async () => {
    const report = await send(account(await freePort()), 'default', PASSWORD);
    expect(report.error?.code).toBe('ECONNECTION');
    expect(report.error?.message).toMatch(/refused/);
  });

  it('STARTTLS refused with 454: ESTARTTLS, no fallback to cleartext', async () => {
    const server = await serve(politeScript((line) => (line.toUpperCase() === 'STARTTLS' ? '454 4.7.0 TLS not available' : 'default')));
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.error?.code).toBe('ESTARTTLS');
    expect(report.outcome).toBe('not-sent');
    await waitFor('QUIT', () => (clientLines(server).includes('QUIT') ? true : undefined));
    expect(clientLines(server)).toEqual(['EHLO [127.0.0.1]', 'STARTTLS', 'QUIT']);
  });

  it('AUTH offered only before TLS is never used in cleartext', async () => {
    const server = await serve(
      politeScript((line, context) => {
        if (!line.toUpperCase().startsWith('EHLO')) return 'default';
        return context.secure ? ['250-scripted.test', '250 PIPELINING'] : ['250-scripted.test', '250-AUTH PLAIN LOGIN', '250 STARTTLS'];
      }),
    );
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.error?.code).toBe('EAUTH');
    expect(report.error?.message).toMatch(/does not offer authentication/);
    expect(clientLines(server).some((l) => l.startsWith('AUTH'))).toBe(false);
  });

  it('a server that echoes the credentials in its error never gets them into the report', async () => {
    const server = await serve(
      politeScript((line) => (line.toUpperCase().startsWith('AUTH PLAIN') ? `535 5.7.8 Bad credentials: ${line.slice(11)} (${PASSWORD})` : 'default')),
    );
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.error?.code).toBe('EAUTH');
    expect(containsSecret(report, PASSWORD, USER)).toBe(false);
    // Replies to AUTH are recorded as code and status only: the server's words never reach the report.
    expect(report.error?.message).toMatch(/535 5\.7\.8 \(authentication credentials invalid\)\. The server's words are not shown/);
    expect(report.error?.reply).toEqual({ code: 535, enhancedStatus: '5.7.8', lines: ['5.7.8 <text withheld: reply to AUTH>'] });
  });

  it('MAIL FROM … REQUIRETLS refused with 5.7.30: EREQUIRETLS with the server’s own words', async () => {
    const server = await serve(
      politeScript((line) => (line.toUpperCase().startsWith('MAIL FROM') ? '550 5.7.30 REQUIRETLS support required on the next hop' : 'default')),
    );
    const report = await send(account(server.port), 'require-tls', PASSWORD);
    expect(report.error?.code).toBe('EREQUIRETLS');
    expect(report.error?.reply).toMatchObject({ code: 550, enhancedStatus: '5.7.30' });
    expect(report.error?.message).toContain('REQUIRETLS support required on the next hop');
    expect(report.outcome).toBe('rejected');
    expect(clientLines(server)).not.toContain('.');
  });

  it('one refused recipient: all-or-nothing, the content is never sent to the others', async () => {
    const server = await serve(
      politeScript((line) => (line.toUpperCase() === 'RCPT TO:<NOBODY@EXAMPLE.TEST>' ? '550 5.1.1 <nobody@example.test>: Recipient address rejected' : 'default')),
    );
    const report = await send(account(server.port), 'default', PASSWORD, testMessage({ to: ['ok@example.test', 'nobody@example.test'] }));
    expect(report.error?.code).toBe('EENVELOPE');
    expect(report.error?.message).toContain('nobody@example.test');
    expect(report.error?.message).toMatch(/not sent to anyone/);
    expect(report.message.rejectedRecipients.map((r) => r.address)).toEqual(['nobody@example.test']);
    expect(report.message.acceptedRecipients).toEqual([]);
    await waitFor('the client to hang up', () => (server.closedCount() === 1 ? true : undefined));
    const lines = clientLines(server);
    expect(lines).toContain('DATA');
    expect(lines).not.toContain('.');
    expect(lines.some((l) => l.startsWith('Subject:'))).toBe(false);
  });

  it('a refusal at the end of DATA is reported with the server’s words', async () => {
    const server = await serve(politeScript((line) => (line === '.' ? '552 5.3.4 Message too big for this mailbox' : 'default')));
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.error?.code).toBe('EMESSAGE');
    expect(report.error?.message).toContain('Message too big for this mailbox');
    expect(report.outcome).toBe('rejected');
  });

  it('a connection lost after the content, before the final reply, says delivery is uncertain', async () => {
    const server = await serve(
      politeScript((line, context) => {
        if (line !== '.') return 'default';
        context.close();
        return undefined;
      }),
    );
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.error?.code).toBe('ECONNECTION');
    expect(report.error?.message).toMatch(/may or may not have been delivered/);
    expect(report.error?.messageTransmitted).toBe(true);
  });

  it('a SIZE limit smaller than the message stops before MAIL FROM', async () => {
    const server = await serve(
      politeScript((line, context) => {
        if (!line.toUpperCase().startsWith('EHLO') || !context.secure) return 'default';
        return ['250-scripted.test', '250-PIPELINING', '250-SIZE 100', '250 AUTH PLAIN'];
      }),
    );
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.error?.code).toBe('EMESSAGE');
    expect(report.error?.message).toMatch(/accepts at most/);
    expect(clientLines(server).some((l) => l.startsWith('MAIL') || l.startsWith('AUTH'))).toBe(false);
  });

  it('dot-stuffing: lines starting with "." arrive doubled on the wire', async () => {
    const server = await serve(politeScript());
    const report = await send(account(server.port), 'default', PASSWORD, testMessage({ text: '.hidden\n..two\nplain\n' }));
    expect(report.outcome).toBe('accepted');
    const lines = clientLines(server);
    expect(lines).toContain('..hidden');
    expect(lines).toContain('...two');
    expect(report.submissionHop.queueId).toBe('SCRIPTED1');
  });

  it('a server offering only TLS 1.1 is refused: Hoplight requires TLS 1.2 or later on hop 1', async () => {
    const server = await serve(
      politeScript((line, context) => {
        if (line.toUpperCase() !== 'STARTTLS') return 'default';
        context.write('220 2.0.0 Ready\r\n');
        context.startTls({ maxVersion: 'TLSv1.1', minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
        return undefined;
      }),
    );
    const report = await send(account(server.port), 'default', PASSWORD);
    expect(report.error?.code).toBe('ETLS');
    expect(report.error?.message).toMatch(/older than 1\.2/);
    expect(clientLines(server).some((l) => l.startsWith('AUTH'))).toBe(false);
  });
});
