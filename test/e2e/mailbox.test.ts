import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandExists, peerAvailable } from '../helpers/peers.js';
import { makeTestPki, type TestPki } from '../helpers/pki.js';
import { politeScript, startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { AccountsService } from '../../electron/core/accounts/accounts-service.js';
import { AccountStore, openAccountsFile } from '../../electron/core/accounts/account-store.js';
import { MemoryCredentialStore } from '../../electron/core/accounts/credential-store.js';
import { CHROMIUM, openApp, openKillableApp, type AppUnderTest } from './app-bridge.js';

// The Outbox and Sent journeys from the production build in Chromium, through the app's handler table, against a
// real TLS server whose behaviour the test switches: one that answers 421 (closing), then recovers; one that drops
// the connection after the end of the data.
const available = peerAvailable('Chromium', commandExists(CHROMIUM), 'apt-get install chromium, or run scripts/install-test-peers.sh');

describe.skipIf(!available)('Outbox and Sent, in Chromium', () => {
  let app: AppUnderTest;
  let pki: TestPki;
  let server: ScriptedServer;
  let mode: 'down' | 'healthy' | 'drop' | 'stall' = 'down';
  // What the test's "recipient" received: the Sent copy with two Received fields a relay and the MX would add.
  let deliveredCopy: string | undefined;

  beforeAll(async () => {
    pki = makeTestPki();
    server = await startScriptedServer(
      pki,
      '220 flaky.test ESMTP\r\n',
      politeScript((line, context) => {
        const upper = line.toUpperCase();
        if (mode === 'down' && upper.startsWith('MAIL FROM')) {
          context.write('421 4.3.2 Service shutting down, try again later\r\n');
          context.socket().end(); // RFC 5321 §3.8: a 421 and the connection closed, its words flushed first
          return undefined;
        }
        if (mode === 'drop' && line === '.') {
          context.close();
          return undefined;
        }
        if (mode === 'stall' && line === '.') {
          context.stopReading();
          return undefined; // the whole message arrived; the verdict never comes
        }
        return 'default';
      }),
    );
    app = await openApp({ pickMessage: async () => deliveredCopy });
    await app.accounts.add(
      { name: 'Clinic', fromAddress: 'dr@clinic.test', host: '127.0.0.1', port: server.port, security: 'starttls', user: 'dr', authMethod: 'auto', caFile: pki.caFile, defaultSecurity: 'require-tls', passwordStorage: 'keychain' },
      'pw-clinic',
    );
    await app.page.reload();
  });
  afterAll(async () => {
    await app?.close();
    await server?.close();
  });

  const noSeriousViolations = async (): Promise<void> => {
    const violations = (await app.axe()).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
  };
  const mailFroms = (): string[] => server.sessions.flat().filter((l) => l.toUpperCase().startsWith('MAIL FROM'));
  const write = async (to: string, subject: string, text: string): Promise<void> => {
    const { page } = app;
    await page.getByRole('button', { name: 'Write' }).click();
    await page.getByRole('button', { name: 'New message' }).click();
    await page.getByLabel('To', { exact: true }).fill(to);
    await page.getByLabel('To', { exact: true }).press('Enter');
    await page.getByLabel('Subject', { exact: true }).fill(subject);
    await page.getByLabel('Message', { exact: true }).fill(text);
  };

  it('a 421 keeps the message in the Outbox; when the server recovers, "Retry now" delivers it, REQUIRETLS still requested', async () => {
    const { page } = app;
    await write('patient@example.net', 'Lab results', 'Your results are fine.');
    expect(await page.getByRole('radio', { name: /Require TLS on every hop/ }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const notice = page.locator('.filing[data-folder="outbox"]');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/kept in the Outbox and tried again at .*with the same security/);
    await page.getByRole('button', { name: 'Outbox (1)' }).click();
    const row = page.locator('.message-row[data-state="waiting"]');
    await row.waitFor();
    expect(await row.textContent()).toMatch(/Lab results.*Waiting to retry.*Require TLS on every hop \(kept on every try\).*1 try.*next try.*421/s);
    await noSeriousViolations();

    mode = 'healthy';
    const before = mailFroms().length;
    await row.getByRole('button', { name: 'Retry now' }).click();
    await page.locator('.filing[data-folder="sent"]').waitFor();
    expect(await page.locator('.hop-view').getAttribute('data-outcome')).toBe('accepted');
    expect(await page.locator('.hop-view [data-fact="REQUIRETLS"]').textContent()).toBe('advertised yes, requested yes, accepted yes');
    expect(mailFroms().slice(before)).toEqual([expect.stringMatching(/ REQUIRETLS$/)]);
    await page.getByRole('button', { name: 'Outbox', exact: true }).waitFor(); // the count is gone: the Outbox is empty
    expect(await page.getByText('The Outbox is empty').count()).toBe(1);
  });

  it('a message whose verdict never came is held; sending it again needs a click past the duplicate warning', async () => {
    const { page } = app;
    mode = 'drop';
    await write('counsel@law.example', 'Contract', 'Signed copy attached.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('.filing[data-folder="outbox"]').getByText('may have been delivered').waitFor();
    await page.getByRole('button', { name: 'Outbox (1)' }).click();
    const row = page.locator('.message-row[data-state="uncertain"]');
    await row.locator('.badge', { hasText: 'May have been delivered' }).waitFor();
    expect(await row.getByRole('button', { name: 'Retry now' }).count()).toBe(0);
    mode = 'healthy';
    const before = mailFroms().length;
    await row.getByRole('button', { name: 'Send again…' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Send it again?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/may deliver it twice/);
    await noSeriousViolations();
    await dialog.getByRole('button', { name: 'Keep it in the Outbox' }).click();
    expect(mailFroms().length).toBe(before); // nothing was sent without the explicit click
    await row.getByRole('button', { name: 'Send again…' }).click();
    await dialog.getByRole('button', { name: /Send again, even if it arrives twice/ }).click();
    await page.locator('.filing[data-folder="sent"]').waitFor();
    expect(mailFroms().length).toBe(before + 1);
  });

  it('Sent: searchable by recipient, subject and date; a message opens with its per-hop view; "Send again" makes a new draft', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Sent' }).click();
    const rows = page.locator('.mailbox-view .message-row');
    await expect.poll(() => rows.count()).toBe(2);
    const search = page.getByRole('searchbox', { name: 'Search' });
    await search.fill('law.example');
    await expect.poll(() => rows.allTextContents()).toEqual([expect.stringContaining('Contract')]);
    await search.fill('LAB');
    await expect.poll(() => rows.allTextContents()).toEqual([expect.stringContaining('Lab results')]);
    await search.fill('');
    await page.getByLabel('From', { exact: true }).fill('2000-01-01');
    await page.getByLabel('To', { exact: true }).fill('2000-12-31');
    await expect.poll(() => rows.count()).toBe(0);
    await page.getByText('No sent message matches.').waitFor();
    await page.getByLabel('From', { exact: true }).fill('');
    await page.getByLabel('To', { exact: true }).fill('');
    await expect.poll(() => rows.count()).toBe(2);
    await rows.filter({ hasText: 'Lab results' }).getByRole('button').click();
    const view = page.getByRole('region', { name: 'How the message travels' });
    await view.waitFor();
    expect(await view.textContent()).toMatch(/“Lab results”, sent/);
    expect(await view.locator('[data-hop="submission"]').getAttribute('data-state')).toBe('verified');
    await noSeriousViolations();
    // The Sent folder is a Maildir other tools read: the message as it went over the wire.
    const id = await rows.filter({ hasText: 'Lab results' }).getAttribute('data-id');
    const parsed = await simpleParser(readFileSync(join(app.dataDir, 'mailbox', 'Sent', 'cur', `${id}.eml`)));
    expect(parsed.subject).toBe('Lab results');
    // A delivered copy, opened from the Sent view: its path hop by hop, matched to this Sent message by Message-ID.
    deliveredCopy = join(pki.dir, 'delivered-lab-results.eml');
    const sentRaw = readFileSync(join(app.dataDir, 'mailbox', 'Sent', 'cur', `${id}.eml`), 'latin1');
    writeFileSync(
      deliveredCopy,
      [
        'Received: from flaky.test (flaky.test [192.0.2.7]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) by mx.example.net (Postfix) with ESMTPS id 9F8E7D; Thu, 3 Dec 2026 10:00:05 +0000',
        'Received: from [192.0.2.1] (helo=laptop) by flaky.test with esmtpsa (TLS1.3) tls TLS_AES_128_GCM_SHA256 (Exim 4.96) id 1kX; Thu, 3 Dec 2026 10:00:01 +0000',
        'Authentication-Results: bank.test; dkim=pass header.d=bank.test',
        'Received: from trusted.bank.test ([203.0.113.5]) by mx.bank.test with ESMTPS id 0; Thu, 3 Dec 2026 09:59:00 +0000',
        sentRaw,
      ].join('\r\n'),
    );
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByRole('button', { name: 'Open a delivered copy…' }).click();
    const travelled = page.getByRole('region', { name: 'How the message actually travelled' });
    await travelled.waitFor();
    expect(await travelled.locator('.delivered-hop').evaluateAll((items) => items.map((i) => i.getAttribute('data-tls')))).toEqual(['true', 'true', 'true']);
    expect(await travelled.textContent()).toMatch(/2\. \[192\.0\.2\.1\].*→ flaky\.test.*TLS 1\.3, TLS_AES_128_GCM_SHA256.*authenticated submission.*3\. flaky\.test.*→ mx\.example\.net/s);
    // The account it was sent with is known (matched by Message-ID): its server's hop and the later one are
    // trusted; the one below it was written by the sending side, and its TLS claim is not shown as secure.
    expect(await travelled.locator('.delivered-hop').evaluateAll((items) => items.map((i) => i.getAttribute('data-trust')))).toEqual(['sender-side', 'provider', 'after-provider']);
    expect(await travelled.locator('.delivered-hop').first().textContent()).toMatch(/States TLS \(unverifiable\).*Written before your provider: it can be forged/);
    expect(await travelled.textContent()).toMatch(/bank\.test: dkim=pass \(d=bank\.test\) — above hop 1, written before your provider: can be forged/);
    // Hoplight's own check stands apart from what the headers state: this copy is not signed, and has no results.
    expect(await travelled.textContent()).toMatch(/Verified now by Hoplight.*DKIM.*None.*the message is not signed.*As the servers state it/s);
    // Matched by Message-ID: the report made when it was sent opens beside it.
    expect(await page.getByRole('region', { name: 'How the message travels' }).textContent()).toMatch(/“Lab results”, sent/);
    await noSeriousViolations();
    await page.getByRole('button', { name: 'Send again (as a new draft)' }).click();
    expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toBe('Lab results');
    expect(await page.getByRole('radio', { name: /Require TLS on every hop/ }).isChecked()).toBe(true);
  });

  it('an account that asks at each send: the composer asks for the password, refuses to send without it (keeping the text), and never keeps it', async () => {
    const { page } = app;
    mode = 'healthy';
    await app.accounts.add(
      { name: 'Locum', fromAddress: 'locum@clinic.test', host: '127.0.0.1', port: server.port, security: 'starttls', user: 'locum', authMethod: 'auto', caFile: pki.caFile, defaultSecurity: 'require-tls', passwordStorage: 'ask' },
      undefined,
    );
    await page.reload();
    await write('ward@example.net', 'Night shift', 'Handover notes.');
    const locum = (await app.accounts.list()).find((a) => a.name === 'Locum')!;
    await page.getByLabel('From', { exact: true }).selectOption(locum.id);
    const field = page.getByLabel('Password for Locum');
    await field.waitFor();
    await noSeriousViolations();
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: /asks for its password at each send/ }).waitFor();
    expect(await page.getByText(/Type it in the password field/).count()).toBe(1);
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Handover notes.');

    const secret = 'locum-typed-3';
    await field.fill(secret);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('.filing[data-folder="sent"]').waitFor();
    const auth = server.sessions.flat().filter((l) => l.toUpperCase().startsWith('AUTH')).at(-1);
    expect(auth).toBe(`AUTH PLAIN ${Buffer.from(`\0locum\0${secret}`).toString('base64')}`);
    expect(await page.content()).not.toContain(secret);
    const grep = spawnSync('grep', ['-r', '-l', '-a', secret, app.dataDir], { encoding: 'utf8' });
    expect(grep.stdout).toBe('');
  });

  it('main killed (SIGKILL) while waiting for the verdict: after a restart the message is in the Outbox as "may have been delivered", never re-sent on its own', async () => {
    mode = 'stall';
    // Its own app, with main in a process this test kills; the same accounts file format the app writes.
    const dataDir = mkdtempSync(join(tmpdir(), 'hoplight-e2e-killsend-'));
    const accounts = new AccountsService(() => new AccountStore(openAccountsFile(dataDir)), new MemoryCredentialStore());
    await accounts.add({ name: 'Ward', fromAddress: 'ward@clinic.test', host: '127.0.0.1', port: server.port, security: 'starttls', user: 'ward', authMethod: 'auto', caFile: pki.caFile, defaultSecurity: 'require-tls', passwordStorage: 'ask' }, undefined);
    const killable = await openKillableApp({ dataDir });
    try {
      let page = killable.page();
      await page.getByLabel('To', { exact: true }).fill('icu@example.net');
      await page.getByLabel('To', { exact: true }).press('Enter');
      await page.getByLabel('Subject', { exact: true }).fill('Transfer');
      await page.getByLabel('Message', { exact: true }).fill('Bed 4 to ICU.');
      await page.getByLabel('Password for Ward').fill('ward-pw-5');
      const dots = (): number => server.sessions.flat().filter((l) => l === '.').length;
      const before = dots();
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await page.getByRole('region', { name: 'Sending' }).getByText('Waiting for the server’s verdict').waitFor();
      await expect.poll(dots).toBe(before + 1);
      await killable.killMain();
      await killable.killBrowser();

      await killable.startMain();
      await killable.openPage();
      page = killable.page();
      await page.getByRole('button', { name: 'Outbox (1)' }).click();
      const row = page.locator('.message-row[data-state="uncertain"]');
      await row.locator('.badge', { hasText: 'May have been delivered' }).waitFor();
      expect(await row.textContent()).toMatch(/Hoplight stopped while this message was being sent, so it may have been delivered/);
      expect(await row.getByRole('button', { name: 'Retry now' }).count()).toBe(0);
      // Nothing re-sent on its own, and the typed password is nowhere on disk.
      await new Promise((r) => setTimeout(r, 500));
      expect(dots()).toBe(before + 1);
      expect(spawnSync('grep', ['-r', '-l', '-a', 'ward-pw-5', dataDir], { encoding: 'utf8' }).stdout).toBe('');
    } finally {
      await killable.close();
    }
  });

  it('ran without errors or CSP violations in the page', () => {
    expect(app.consoleErrors, app.consoleErrors.join('\n')).toEqual([]);
  });
});
