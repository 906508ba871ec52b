import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountsService } from '../../electron/core/accounts/accounts-service.js';
import { AccountStore, openAccountsFile } from '../../electron/core/accounts/account-store.js';
import { MemoryCredentialStore } from '../../electron/core/accounts/credential-store.js';
import { createResolver } from '../../electron/core/dns/dns-client.js';
import { fromForSender, requestForDraft } from '../../electron/core/mailbox/draft-request.js';
import { Mailbox } from '../../electron/core/mailbox/mailbox.js';
import { checkDomains } from '../../electron/core/posture/domain-batch.js';
import { buildHopModel } from '../../electron/core/report/hop-model.js';
import { freePort, waitFor } from '../helpers/peers.js';
import { makeTestPki, type TestPki } from '../helpers/pki.js';

// Load: a full Outbox flushed by two senders at once (the app and `hoplight outbox`, here two Mailbox instances on
// one data folder) against smtp-server with a client limit, and a hundred domain checks in one batch.
const MESSAGES = 200;
const MAX_CLIENTS = 4;

describe('under load', () => {
  let pki: TestPki;
  let server: SMTPServer;
  let port: number;
  let open = 0;
  let peak = 0;
  let refusedForLimit = 0;
  const delivered = new Map<string, number>();

  beforeAll(async () => {
    pki = makeTestPki();
    port = await freePort();
  });
  afterAll(async () => {
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  });

  it(`${MESSAGES} messages in the Outbox, flushed by two senders at once: at most ${MAX_CLIENTS} sessions, each message delivered exactly once, REQUIRETLS kept`, async () => {
    const home = mkdtempSync(join(tmpdir(), 'hoplight-load-'));
    const accounts = new AccountsService(() => new AccountStore(openAccountsFile(home)), new MemoryCredentialStore());
    const account = await accounts.add({ name: 'Bulk', fromAddress: 'clinic@example.org', host: '127.0.0.1', port, security: 'starttls', user: 'clinic', authMethod: 'auto', caFile: pki.caFile, defaultSecurity: 'require-tls', passwordStorage: 'keychain' }, 'pw-load');
    const mailbox = (): Mailbox =>
      new Mailbox({ dataDir: home, resolve: (d, typed) => requestForDraft(d, { accounts }, typed), fromFor: (s) => fromForSender(s, { accounts }), hopsFor: (r) => buildHopModel(r), onChange: () => undefined });
    const app = mailbox();
    const cli = mailbox();
    // Nothing listens yet: every send is a temporary failure and waits in the Outbox.
    for (let i = 0; i < MESSAGES; i++) {
      const result = await app.send({ id: `load-${i}`, sender: account.id, securityChoice: 'require-tls', to: [`patient${i}@example.net`], cc: [], bcc: [], subject: `Result ${i}`, text: 'Confidential.\n', attachments: [] });
      expect(result.filing.folder).toBe('outbox');
    }
    expect((await app.listOutbox()).entries).toHaveLength(MESSAGES);

    server = new SMTPServer({
      key: pki.server.keyPem,
      cert: pki.server.certPem,
      hideREQUIRETLS: false,
      authMethods: ['PLAIN'],
      maxClients: MAX_CLIENTS,
      onConnect: (_session, callback) => {
        open++;
        peak = Math.max(peak, open);
        callback();
      },
      onClose: () => {
        open--;
      },
      onAuth: (auth, _session, callback) => (auth.username === 'clinic' && auth.password === 'pw-load' ? callback(null, { user: 'clinic' }) : callback(new Error('bad'))),
      onMailFrom: (_address, session, callback) => callback(session.envelope.requireTLS ? undefined : new Error('REQUIRETLS expected')),
      onData: (stream, _session, callback) => {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
        stream.on('end', () => {
          const subject = /^Subject: (.*)$/m.exec(data)?.[1] ?? '?';
          delivered.set(subject, (delivered.get(subject) ?? 0) + 1);
          callback();
        });
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));

    const [a, b] = await Promise.all([app.flush({ all: true, concurrency: 2 }), cli.flush({ all: true, concurrency: 2 })]);
    const sent = [...a, ...b].filter((r) => r.result?.filing.folder === 'sent');
    const skipped = [...a, ...b].filter((r) => r.skipped);
    // smtp-server answers a client over its limit with 421, which would put the message back to wait: none may.
    refusedForLimit = [...a, ...b].filter((r) => r.result && r.result.filing.folder !== 'sent').length;
    expect(refusedForLimit).toBe(0);
    expect(sent).toHaveLength(MESSAGES);
    // Each message went once: the other sender found it claimed or filed and skipped it.
    expect(skipped.length + sent.length).toBe(a.length + b.length);
    expect(delivered.size).toBe(MESSAGES);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    expect(peak).toBeLessThanOrEqual(MAX_CLIENTS);
    // Every session ended (QUIT is written without waiting, so the server may see the close a moment later).
    await waitFor('every session closed', () => (open === 0 ? true : undefined));
    expect((await app.listOutbox()).entries).toHaveLength(0);
    expect(readdirSync(join(home, 'mailbox', 'Sent', 'cur'))).toHaveLength(MESSAGES);
  }, 180_000);

  it('100 domain checks in one batch: bounded concurrency and file descriptors, every row answered', async () => {
    // A resolver that answers nothing (a UDP port with no listener): each domain's check ends "could not check".
    const dead = await freePort();
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const before = fds();
    let inFlight = 0;
    let peakInFlight = 0;
    let peakFds = before;
    const resolver = createResolver({ host: '127.0.0.1', port: dead }, 300);
    const counting = {
      address: resolver.address,
      query: async (name: string, type: Parameters<typeof resolver.query>[1]) => {
        inFlight++;
        peakInFlight = Math.max(peakInFlight, inFlight);
        peakFds = Math.max(peakFds, fds());
        try {
          return await resolver.query(name, type);
        } finally {
          inFlight--;
        }
      },
    };
    const domains = Array.from({ length: 100 }, (_, i) => `d${i}.example.test`);
    const rows = await checkDomains(domains, { resolver: counting, concurrency: 8, deadlineMs: 5000, onRow: () => undefined });
    expect(rows).toHaveLength(100);
    expect(new Set(rows.map((r) => r.domain)).size).toBe(100);
    // Eight domains at a time, each with a handful of lookups in parallel (MX, MTA-STS, TLS-RPT…).
    expect(peakInFlight).toBeLessThanOrEqual(8 * 4);
    expect(peakFds - before).toBeLessThan(80);
    expect(fds() - before).toBeLessThan(5);
  }, 120_000);
});
