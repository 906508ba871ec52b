import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountsService } from '../../../electron/core/accounts/accounts-service.js';
import { AccountStore, openAccountsFile } from '../../../electron/core/accounts/account-store.js';
import { MemoryCredentialStore } from '../../../electron/core/accounts/credential-store.js';
import { OUTBOX_FORMAT_VERSION } from '../../../electron/core/mailbox/draft-schema.js';
import { fromForSender, requestForDraft } from '../../../electron/core/mailbox/draft-request.js';
import { Mailbox } from '../../../electron/core/mailbox/mailbox.js';
import { MaildirFolder } from '../../../electron/core/mailbox/maildir.js';
import { buildHopModel } from '../../../electron/core/report/hop-model.js';
import type { Draft } from '../../../shared/types/draft.js';
import { waitFor } from '../../helpers/peers.js';
import { makeTestPki, type TestPki } from '../../helpers/pki.js';
import { politeScript, startScriptedServer, type ScriptedServer } from '../../helpers/scripted-server.js';

// The Outbox's state machine against a real TLS server whose behaviour the test switches: busy (4xx), healthy,
// without REQUIRETLS, and one that drops the connection after the end of the data.
type Mode = 'healthy' | 'busy' | 'no-requiretls' | 'drop-after-data' | 'auth-refused';
let mode: Mode = 'healthy';
let pki: TestPki;
let server: ScriptedServer;

beforeAll(async () => {
  pki = makeTestPki();
  server = await startScriptedServer(
    pki,
    '220 scripted.test ESMTP\r\n',
    politeScript((line, context) => {
      const upper = line.toUpperCase();
      if (mode === 'no-requiretls' && upper.startsWith('EHLO') && context.secure) return ['250-scripted.test', '250-PIPELINING', '250 AUTH PLAIN'];
      if (mode === 'busy' && upper.startsWith('MAIL FROM')) return '451 4.3.0 Try again later';
      if (mode === 'auth-refused' && upper.startsWith('AUTH')) return '535 5.7.8 Authentication credentials invalid';
      if (mode === 'drop-after-data' && line === '.') {
        context.close();
        return undefined;
      }
      return 'default';
    }),
  );
});
afterAll(async () => {
  await server?.close();
});

async function world(options: { schedule?: number[]; giveUpAfterMs?: number; port?: number; ask?: boolean } = {}) {
  const home = mkdtempSync(join(tmpdir(), 'hoplight-outbox-'));
  const accounts = new AccountsService(() => new AccountStore(openAccountsFile(home)), new MemoryCredentialStore());
  const account = await accounts.add(
    { name: 'Work', fromAddress: 'me@example.org', host: '127.0.0.1', port: options.port ?? server.port, security: 'starttls', user: 'me', authMethod: 'auto', caFile: pki.caFile, defaultSecurity: 'require-tls', passwordStorage: options.ask ? 'ask' : 'keychain' },
    options.ask ? undefined : 'pw',
  );
  const changes: number[] = [];
  const open = (): Mailbox => new Mailbox({
    dataDir: home,
    resolve: (d, typed) => requestForDraft(d, { accounts }, typed),
    fromFor: (s) => fromForSender(s, { accounts }),
    hopsFor: (r) => buildHopModel(r),
    onChange: () => changes.push(Date.now()),
    ...(options.schedule ? { retrySchedule: options.schedule } : {}),
    ...(options.giveUpAfterMs !== undefined ? { giveUpAfterMs: options.giveUpAfterMs } : {}),
  });
  const mailbox = open();
  const draft = (id: string, patch: Partial<Draft> = {}): Omit<Draft, 'updatedAt'> => ({
    id,
    sender: account.id,
    securityChoice: 'require-tls',
    to: ['Ann <ann@example.net>'],
    cc: [],
    bcc: [],
    subject: `Outbox test ${id}`,
    text: 'Confidential.\n',
    attachments: [],
    ...patch,
  });
  return { home, mailbox, draft, changes, open };
}

const mailFromLines = (): string[] => server.sessions.flat().filter((l) => l.toUpperCase().startsWith('MAIL FROM'));

const authLines = (): string[] => server.sessions.flat().filter((l) => l.toUpperCase().startsWith('AUTH'));
const plain = (user: string, password: string): string => Buffer.from(`\0${user}\0${password}`).toString('base64');

describe('the Outbox', () => {
  it('an account that asks at each send: refused before queueing without the password; the typed one serves its retries in memory only, and after a restart the message waits for it', async () => {
    const { home, mailbox, draft, open } = await world({ ask: true });
    mode = 'healthy';
    await expect(mailbox.send(draft('ask1'))).rejects.toMatchObject({ code: 'EINPUT', field: 'password', hintId: 'password-ask' });
    expect(mailbox.drafts.list().drafts.map((d) => d.id)).toEqual(['ask1']); // kept in Drafts, nothing queued
    expect((await mailbox.listOutbox()).entries).toEqual([]);

    mode = 'busy';
    const secret = 'typed-only-once-9';
    const first = await mailbox.send(draft('ask1'), { password: secret });
    expect(first.filing).toMatchObject({ folder: 'outbox', state: 'waiting' });
    expect(authLines().at(-1)).toBe(`AUTH PLAIN ${plain('me', secret)}`);
    // Never on disk: not in the Outbox files nor anywhere in the data folder.
    const all = spawnSync('grep', ['-r', '-l', '-a', '-e', secret, '-e', plain('me', secret), home], { encoding: 'utf8' });
    expect(all.stdout).toBe('');

    // "Retry now" in the same process uses the password held in memory.
    mode = 'healthy';
    const retried = await mailbox.retry('ask1');
    expect(retried.filing).toEqual({ folder: 'sent', id: 'ask1' });
    expect(authLines().at(-1)).toBe(`AUTH PLAIN ${plain('me', secret)}`);

    // After a restart nothing holds it: an automatic try leaves the message waiting, with why; a retry without it is refused and leaves it as it was.
    mode = 'busy';
    await mailbox.send(draft('ask2'), { password: secret });
    const restarted = open();
    const flushed = await restarted.flush({ all: true });
    expect(flushed[0]?.result?.filing).toMatchObject({ folder: 'outbox', state: 'waiting' });
    const waiting = (await restarted.listOutbox()).entries[0]!;
    expect(waiting.attempts.at(-1)).toMatchObject({ outcome: 'not-attempted', error: { hintId: 'password-ask' } });
    await expect(restarted.retry('ask2')).rejects.toMatchObject({ field: 'password' });
    expect((await restarted.listOutbox()).entries[0]).toMatchObject({ id: 'ask2', state: 'waiting' });
    mode = 'healthy';
    const given = await restarted.retry('ask2', { password: 'typed-again-7' });
    expect(given.filing).toEqual({ folder: 'sent', id: 'ask2' });
    expect(authLines().at(-1)).toBe(`AUTH PLAIN ${plain('me', 'typed-again-7')}`);
  });

  it('a temporary failure (4xx) waits in the Outbox; the retry uses the same choice (REQUIRETLS) and files it in Sent', async () => {
    const { home, mailbox, draft } = await world();
    mode = 'busy';
    const first = await mailbox.send(draft('t1'));
    expect(first.filing).toMatchObject({ folder: 'outbox', state: 'waiting' });
    expect(first.report?.error?.reply?.code).toBe(451);
    const { entries } = await mailbox.listOutbox();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ id: 't1', state: 'waiting', draft: { securityChoice: 'require-tls' } });
    expect(Date.parse(entries[0]!.nextAttemptAt!)).toBeGreaterThan(Date.now() + 30_000); // backoff: a minute first
    expect(entries[0]!.attempts).toHaveLength(1);
    expect(mailbox.drafts.list().drafts).toEqual([]); // it left Drafts, it is in the Outbox
    // The queued message is an RFC 5322 file other tools read.
    const queued = await simpleParser(readFileSync(join(mailbox.outboxDir, 'cur', 't1.eml')));
    expect(queued.subject).toBe('Outbox test t1');

    mode = 'healthy';
    const before = mailFromLines().length;
    const retried = await mailbox.retry('t1');
    expect(retried.filing).toEqual({ folder: 'sent', id: 't1' });
    const retryMail = mailFromLines().slice(before);
    expect(retryMail).toHaveLength(1);
    expect(retryMail[0]).toMatch(/ REQUIRETLS$/); // still requested on the retry
    expect((await mailbox.listOutbox()).entries).toEqual([]);
    const sent = mailbox.sent.get('t1');
    expect(sent?.report.submissionHop.requireTls).toMatchObject({ requested: true, accepted: true });
    expect(sent?.draft.securityChoice).toBe('require-tls');
    // Sent keeps what went over the wire (with its Message-ID) as a Maildir file.
    const parsed = await simpleParser(readFileSync(join(home, 'mailbox', 'Sent', 'cur', 't1.eml')));
    expect(parsed.messageId).toBe(sent?.report.message.messageId);
    expect(parsed.text).toBe('Confidential.\n');
  });

  it('retries automatically with backoff, without the user', async () => {
    const { mailbox, draft } = await world({ schedule: [300] });
    mode = 'busy';
    expect((await mailbox.send(draft('auto1'))).filing.folder).toBe('outbox');
    mailbox.startRetries();
    try {
      mode = 'healthy';
      await waitFor('the automatic retry', () => mailbox.sent.get('auto1'), 10_000);
      expect((await mailbox.listOutbox()).entries).toEqual([]);
    } finally {
      mailbox.stopRetries();
    }
  });

  it('a network failure (nothing listening) is temporary too', async () => {
    const closed = await startScriptedServer(pki, '220 x\r\n', politeScript());
    const port = closed.port;
    await closed.close();
    const { mailbox, draft } = await world({ port });
    const result = await mailbox.send(draft('net1'));
    expect(result.report?.error?.code).toBe('ECONNECTION');
    expect(result.filing).toMatchObject({ folder: 'outbox', state: 'waiting' });
  });

  it('a permanent failure (REQUIRETLS not offered) goes back to Drafts with the reason; nothing is re-sent weaker', async () => {
    const { mailbox, draft } = await world();
    mode = 'no-requiretls';
    const before = mailFromLines().length;
    const result = await mailbox.send(draft('p1'));
    expect(result.filing.folder).toBe('drafts');
    expect(result.report?.outcome).toBe('not-sent');
    expect(mailFromLines().length).toBe(before); // no MAIL FROM at all, let alone one without REQUIRETLS
    const back = mailbox.drafts.get('p1');
    expect(back?.securityChoice).toBe('require-tls');
    expect(back?.returned?.code).toBe('EREQUIRETLS');
    expect(back?.returned?.reason).toMatch(/REQUIRETLS/);
    expect((await mailbox.listOutbox()).entries).toEqual([]);
  });

  it('a 5xx AUTH refusal is permanent: back to Drafts', async () => {
    const { mailbox, draft } = await world();
    mode = 'auth-refused';
    const result = await mailbox.send(draft('a1'));
    expect(result.filing.folder).toBe('drafts');
    expect(mailbox.drafts.get('a1')?.returned?.code).toBe('EAUTH');
  });

  it('a message whose fate is uncertain is held and re-sent only with explicit consent', async () => {
    const { mailbox, draft } = await world();
    mode = 'drop-after-data';
    const result = await mailbox.send(draft('u1'));
    expect(result.report?.outcome).toBe('uncertain');
    expect(result.filing).toMatchObject({ folder: 'outbox', state: 'uncertain' });
    mode = 'healthy';
    await expect(mailbox.retry('u1')).rejects.toThrow(/may have been delivered/);
    expect((await mailbox.flush({ all: true })).map((r) => r.id)).toEqual([]); // flush never touches it
    const again = await mailbox.retry('u1', { duplicateOk: true });
    expect(again.filing.folder).toBe('sent');
  });

  it('bad input is refused before anything is queued or connected, and the draft stays in Drafts', async () => {
    const { mailbox, draft } = await world();
    const connections = server.sessions.length;
    await expect(mailbox.send(draft('bad1', { to: ['not an address'] }))).rejects.toMatchObject({ code: 'EINPUT', field: expect.stringMatching(/^to/) });
    expect(server.sessions.length).toBe(connections);
    expect(mailbox.drafts.get('bad1')?.to).toEqual(['not an address']);
    expect((await mailbox.listOutbox()).entries).toEqual([]);
  });

  it('a message left "sending" by a process that died is marked uncertain, never re-sent on its own', async () => {
    const { home, mailbox, draft } = await world();
    const dead = spawnSync(process.execPath, ['-e', 'process.pid'], { encoding: 'utf8' }).pid;
    const folder = new MaildirFolder(join(home, 'mailbox', 'Outbox'));
    const now = new Date().toISOString();
    folder.write('c1', Buffer.from('Subject: crashed\r\n\r\nx\r\n'), {
      format: OUTBOX_FORMAT_VERSION,
      entry: { id: 'c1', draft: { ...draft('c1'), updatedAt: now }, state: 'sending', queuedAt: now, giveUpAt: now, attempts: [], claimedBy: { pid: dead, host: hostname(), at: now } },
    });
    const { entries } = await mailbox.listOutbox();
    expect(entries[0]).toMatchObject({ id: 'c1', state: 'uncertain' });
    expect(entries[0]!.attempts.at(-1)?.error?.message).toMatch(/stopped while this message was being sent/);
    await expect(mailbox.retry('c1')).rejects.toThrow(/may have been delivered/);
  });

  it('moving a message back to Drafts keeps it whole, with why; a torn Outbox file is set aside and reported', async () => {
    const { home, mailbox, draft } = await world();
    mode = 'busy';
    await mailbox.send(draft('m1'));
    const filing = await mailbox.moveToDrafts('m1');
    expect(filing.folder).toBe('drafts');
    expect(mailbox.drafts.get('m1')).toMatchObject({ subject: 'Outbox test m1', returned: { reason: expect.stringMatching(/not sent/) } });
    await mailbox.send(draft('m2'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(home, 'mailbox', 'Outbox', 'meta', 'm2.json'), '{"format":1,"entry":{');
    const { entries, problems } = await mailbox.listOutbox();
    expect(entries).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(existsSync(problems[0]!.movedTo)).toBe(true);
    expect(readdirSync(join(home, 'mailbox', 'Outbox', 'damaged')).some((n) => n.startsWith('m2.') && n.endsWith('.eml'))).toBe(true);
  });

  it('gives up after its time and comes back to Drafts saying so', async () => {
    const { mailbox, draft } = await world({ giveUpAfterMs: 1 });
    mode = 'busy';
    const result = await mailbox.send(draft('g1'));
    expect(result.filing.folder).toBe('drafts');
    expect(mailbox.drafts.get('g1')?.returned?.reason).toMatch(/Not sent after 1 tries/);
  });
});

describe('Sent', () => {
  it('is searchable by recipient, subject and date', async () => {
    const { mailbox, draft } = await world();
    mode = 'healthy';
    await mailbox.send(draft('s1', { subject: 'Lab results', to: ['dr.who@clinic.example'] }));
    await mailbox.send(draft('s2', { subject: 'Contract draft', to: ['counsel@law.example'] }));
    const all = mailbox.sent.search();
    expect(all.messages.map((m) => m.id)).toEqual(['s2', 's1']);
    expect(mailbox.sent.search({ text: 'clinic' }).messages.map((m) => m.id)).toEqual(['s1']);
    expect(mailbox.sent.search({ text: 'CONTRACT' }).messages.map((m) => m.id)).toEqual(['s2']);
    const today = new Date().toISOString().slice(0, 10);
    expect(mailbox.sent.search({ text: today }).messages).toHaveLength(2);
    expect(mailbox.sent.search({ until: '2000-01-01' }).messages).toEqual([]);
    expect(mailbox.sent.search({ since: today, until: today }).messages).toHaveLength(2);
    expect(all.messages[0]).toMatchObject({ requireTlsAccepted: true, securityChoice: 'require-tls' });
  });
});
