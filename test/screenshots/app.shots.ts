import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, it } from 'vitest';
import { startLocalSubmissionServer, type LocalServer } from '../../electron/core/sandbox/local-submission-server.js';
import { issueCertificate, type IssuedCertificate } from '../../electron/core/tls/local-ca.js';
import { openApp, type AppUnderTest } from '../e2e/app-bridge.js';
import { randomLoopbackNet, startDnsWorld, type DnsWorld } from '../helpers/dns-world.js';
import { makeTestPki, type TestPki } from '../helpers/pki.js';
import { startPostfix, type PostfixPeer } from '../helpers/postfix.js';
import { politeScript, startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';

// Every screen and state, light and dark, at 1100×800 (and the composer at 900×600 too).
const out = resolve(__dirname, '..', '..', 'docs', 'screenshots');
const spki = (cert: IssuedCertificate): string => createHash('sha256').update(new X509Certificate(cert.certPem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
let app: AppUnderTest;
let pki: TestPki;
let world: DnsWorld;
let postfix: PostfixPeer;
let stall: ScriptedServer;
let ownServer: LocalServer;
let deliveredCopy: string | undefined;
// Accepts and never greets: a check of it runs until cancelled.
let silent: Server;
const silentSockets: Socket[] = [];
const mx: LocalServer[] = [];
const net = randomLoopbackNet();
// The law firm's DKIM key, published in its zone: the delivered copy's signature verifies in the app.
const dkimKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const dkimRecord = (): string => `sel1._domainkey TXT ${['v=DKIM1; k=rsa; p=', ...(dkimKey.publicKey.export({ type: 'spki', format: 'der' }).toString('base64').match(/.{1,200}/g) ?? [])].map((p) => `"${p}"`).join(' ')}`;

async function shot(name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await app.page.emulateMedia({ colorScheme: scheme });
    await app.page.screenshot({ path: join(out, `${name}-${scheme}.png`), fullPage: true });
  }
  await app.page.emulateMedia({ colorScheme: 'light' });
}

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  pki = makeTestPki();
  const cert = (name: string): IssuedCertificate => issueCertificate({ commonName: name, names: [name] }, pki.ca);
  const good = cert('mx.clinic.test');
  const plain = cert('mx.lawfirm.test');
  mx.push(
    await startLocalSubmissionServer({ host: `${net}.2`, starttlsPort: 25, tls: good, advertiseRequireTls: true, onMessage: () => undefined }),
    await startLocalSubmissionServer({ host: `${net}.3`, starttlsPort: 25, tls: plain, advertiseRequireTls: false, onMessage: () => undefined }),
  );
  world = await startDnsWorld([
    { name: 'clinic.test', signed: true, records: ['@ MX 10 mx', `mx A ${net}.2`, `_25._tcp.mx TLSA 3 1 1 ${spki(good)}`] },
    { name: 'lawfirm.test', signed: true, records: ['@ MX 10 mx', `mx A ${net}.3`, `_25._tcp.mx TLSA 3 1 1 ${spki(plain)}`, dkimRecord()] },
    { name: 'newsroom.test', signed: true, records: ['@ MX 10 mx', `mx A ${net}.9`] },
    { name: 'example.org', signed: false, records: ['@ MX 10 mx', `mx A ${net}.9`] },
  ]);
  postfix = await startPostfix(pki);
  stall = await startScriptedServer(pki, '220 stall.test ESMTP\r\n', politeScript((line, context) => (line === '.' ? (context.stopReading(), undefined) : 'default')));
  ownServer = await startLocalSubmissionServer({ starttlsPort: 0, tls: pki.selfSigned, auth: { user: 'alice', password: 'pw-own-1' }, advertiseRequireTls: true, onMessage: () => undefined });
  silent = createServer((socket) => silentSockets.push(socket));
  await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
  const scan = join(pki.dir, 'scan-2026-11-30.pdf');
  writeFileSync(scan, Buffer.alloc(1_340_000, 1));
  app = await openApp({ forecast: { resolver: `127.0.0.1:${world.port}`, extraCaPem: pki.ca.certPem }, pickFiles: async () => [scan, join(pki.dir, 'missing.docx')], pickMessage: async () => deliveredCopy });
});
afterAll(async () => {
  await app?.close();
  for (const socket of silentSockets) socket.destroy();
  await Promise.all([world?.stop(), postfix?.stop(), stall?.close(), ownServer?.close(), ...mx.map((m) => m.close()), new Promise((done) => (silent ? silent.close(done) : done(undefined)))]);
});

it('renders every screen and state', async () => {
  const { page } = app;
  const view = page.getByRole('region', { name: 'How the message travels' });
  await page.getByRole('button', { name: 'Try the built-in sandbox' }).waitFor();
  await shot('01-first-run');
  await page.getByRole('button', { name: 'Add your account' }).click();
  await page.getByLabel('Your e-mail address').fill('me@clinic.test');
  await page.getByRole('button', { name: 'Enter the settings myself' }).click();
  await page.getByLabel('Server', { exact: true }).fill('smtp.clinic.test');
  await shot('02-add-account');
  await page.getByRole('button', { name: 'Back' }).click();

  await page.getByRole('button', { name: 'Try the built-in sandbox' }).click();
  await page.locator('[data-domain="example.org"][data-verdict]:not([data-verdict="checking"])').waitFor({ timeout: 60_000 });
  await shot('03-composer-sandbox');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await view.waitFor();
  await shot('04-sent-require-tls');
  await page.getByRole('button', { name: /^Open the message from/ }).first().click();
  await page.getByLabel('Raw message').scrollIntoViewIfNeeded();
  await shot('04b-sandbox-message');
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  // The sandbox's copy read back as a delivered path, beside the report made when it was sent.
  await page.getByRole('button', { name: /^How it travelled: the message from/ }).first().click();
  await page.getByRole('region', { name: 'How the message travels' }).filter({ hasText: 'When it was sent' }).waitFor();
  await page.getByRole('region', { name: 'How the message actually travelled' }).scrollIntoViewIfNeeded();
  await shot('04c-sandbox-travelled');
  await page.getByRole('button', { name: 'Close how it travelled' }).click();

  // The chips: green, red and grey, for each choice.
  const to = page.getByLabel('To', { exact: true });
  await to.click();
  await page.keyboard.press('Backspace');
  await to.fill('Dr Ada <ada@clinic.test>, counsel@lawfirm.test, desk@newsroom.test, not an address');
  await to.press('Enter');
  await page.getByLabel('Subject', { exact: true }).fill('Lab results');
  await page.getByLabel('Message', { exact: true }).fill('Please find the results below.');
  await page.getByRole('button', { name: 'Attach files…' }).click();
  for (const domain of ['clinic.test', 'lawfirm.test', 'newsroom.test']) await page.locator(`[data-domain="${domain}"]:not([data-verdict="checking"])`).waitFor({ timeout: 60_000 });
  await shot('05-forecasts-require-tls');
  await page.getByRole('radio', { name: /^Default/ }).check();
  await shot('06-forecasts-default');
  await page.getByRole('radio', { name: /TLS optional/ }).check();
  await shot('07-forecasts-tls-optional');
  await page.setViewportSize({ width: 900, height: 600 });
  await shot('08-composer-900x600');
  await page.setViewportSize({ width: 1100, height: 800 });

  // Postfix without REQUIRETLS: refused before anything is sent.
  const office = await app.accounts.add(
    { name: 'Office', fromName: 'Alice Counsel', fromAddress: 'alice@lawfirm.test', host: '127.0.0.1', port: postfix.submissionPort, security: 'starttls', user: postfix.user, authMethod: 'auto', caFile: pki.caFile, defaultSecurity: 'require-tls', passwordStorage: 'keychain' },
    postfix.password,
  );
  await page.reload();
  await page.getByRole('button', { name: 'New message' }).click();
  await page.getByLabel('From', { exact: true }).selectOption(office.id);
  await page.getByLabel('To', { exact: true }).fill('ada@clinic.test');
  await page.getByLabel('To', { exact: true }).press('Enter');
  await page.getByLabel('Subject', { exact: true }).fill('Privileged and confidential');
  await page.getByLabel('Message', { exact: true }).fill('Draft agreement attached.');
  await page.locator('[data-domain="clinic.test"][data-verdict="deliverable"]').waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await view.waitFor();
  await shot('09-refused-requiretls');
  await page.getByRole('radio', { name: /^Default/ }).check();
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await view.locator('[data-hop="submission"][data-state="verified"]').waitFor();
  await page.locator('.hop-view[data-outcome="accepted"]').waitFor();
  await shot('10-sent-default-postfix');

  // A server that never gives its verdict: progress, then cancel → uncertain.
  const stalling = await app.accounts.add(
    { name: 'Stalling server', fromAddress: 'me@newsroom.test', host: '127.0.0.1', port: stall.port, security: 'starttls', user: 'me', authMethod: 'auto', caFile: pki.caFile, defaultSecurity: 'default', passwordStorage: 'keychain' },
    'pw',
  );
  await page.reload();
  await page.getByRole('button', { name: 'New message' }).click();
  await page.getByLabel('From', { exact: true }).selectOption(stalling.id);
  await page.getByLabel('To', { exact: true }).fill('desk@newsroom.test');
  await page.getByLabel('To', { exact: true }).press('Enter');
  await page.getByLabel('Subject', { exact: true }).fill('Tip');
  await page.getByLabel('Message', { exact: true }).fill('Source material follows.');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.getByRole('region', { name: 'Sending' }).locator('[aria-current="step"]').getByText('Waiting for the server’s verdict').waitFor();
  await shot('11-sending');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await view.waitFor();
  await shot('12-uncertain');

  await page.getByRole('button', { name: /Keyboard shortcuts/ }).click();
  await shot('13-shortcuts');
  await page.keyboard.press('Escape');

  // A server that is down: the message waits in the Outbox for its next try.
  const closed = await startScriptedServer(pki, '220 x\r\n', politeScript());
  const downPort = closed.port;
  await closed.close();
  const offline = await app.accounts.add(
    { name: 'Home server', fromAddress: 'me@clinic.test', host: '127.0.0.1', port: downPort, security: 'starttls', user: 'me', authMethod: 'auto', caFile: pki.caFile, defaultSecurity: 'require-tls', passwordStorage: 'keychain' },
    'pw',
  );
  await page.reload();
  await page.getByRole('button', { name: 'New message' }).click();
  await page.getByLabel('From', { exact: true }).selectOption(offline.id);
  await page.getByLabel('To', { exact: true }).fill('ada@clinic.test');
  await page.getByLabel('To', { exact: true }).press('Enter');
  await page.getByLabel('Subject', { exact: true }).fill('Referral letter');
  await page.getByLabel('Message', { exact: true }).fill('Referral attached.');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.locator('.filing[data-folder="outbox"]').waitFor();
  await shot('14-kept-in-outbox');
  await page.getByRole('button', { name: /^Outbox/ }).click();
  await page.locator('.message-row[data-state="uncertain"]').waitFor();
  await page.locator('.message-row[data-state="waiting"]').waitFor();
  await shot('15-outbox');
  await page.getByRole('button', { name: 'Send again…' }).click();
  await shot('16-outbox-duplicate-warning');
  await page.getByRole('button', { name: 'Keep it in the Outbox' }).click();
  await page.getByRole('button', { name: 'Sent', exact: true }).click();
  await page.locator('.mailbox-view .message-row').first().waitFor();
  await shot('17-sent');
  await page.locator('.mailbox-view .message-row').filter({ hasText: 'Privileged and confidential' }).getByRole('button').click();
  await view.waitFor();
  await shot('18-sent-message');
  await page.getByRole('searchbox', { name: 'Search' }).fill('nothing-matches');
  await page.getByText('No sent message matches.').waitFor();
  await shot('19-sent-no-match');

  // A delivered copy of a sent message, as the recipient's side would have it: its path hop by hop. It went through
  // the Office account's Postfix (mx.hoplight.test), signed by the firm's key; a forged hop and result sit below it.
  await page.getByRole('searchbox', { name: 'Search' }).fill('');
  const firstSent = await page.locator('.mailbox-view .message-row').filter({ hasText: 'Privileged and confidential' }).first().getAttribute('data-id');
  const sentRaw = readFileSync(join(app.dataDir, 'mailbox', 'Sent', 'cur', `${firstSent}.eml`));
  const { signatures } = await dkimSign(sentRaw, { signatureData: [{ signingDomain: 'lawfirm.test', selector: 'sel1', privateKey: dkimKey.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, canonicalization: 'relaxed/relaxed' }] });
  deliveredCopy = join(pki.dir, 'delivered.eml');
  writeFileSync(
    deliveredCopy,
    Buffer.concat([
      Buffer.from(
        [
          'Received: from mx-in.clinic.test (mx-in.clinic.test [192.0.2.20]) by imap.clinic.test with LMTP id 77AB; Thu, 3 Dec 2026 10:00:07 +0000',
          'Authentication-Results: mx-in.clinic.test; dkim=pass header.d=lawfirm.test header.s=sel1; spf=pass smtp.mailfrom=lawfirm.test; dmarc=pass header.from=lawfirm.test',
          'Received: from mx.hoplight.test (mx.hoplight.test [192.0.2.7]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) by mx-in.clinic.test (Postfix) with ESMTPS id 9F8E7D; Thu, 3 Dec 2026 10:00:05 +0000',
          'Received: from [192.0.2.1] (laptop [192.0.2.1]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) (Authenticated sender: alice) by mx.hoplight.test (Postfix) with ESMTPSA id 1kX; Thu, 3 Dec 2026 10:00:01 +0000',
          'Authentication-Results: trusted.bank.test; dkim=pass header.d=bank.test; spf=pass',
          'Received: from trusted.bank.test ([203.0.113.5]) by mx.bank.test with ESMTPS id 0; Thu, 3 Dec 2026 09:59:00 +0000',
          '',
        ].join('\r\n'),
      ),
      Buffer.from(signatures),
      sentRaw,
    ]),
  );
  await page.getByRole('button', { name: 'Open a delivered copy…' }).click();
  await page.getByRole('region', { name: 'How the message actually travelled' }).waitFor();
  await shot('30-delivered-path');

  await page.getByRole('button', { name: 'Accounts', exact: true }).click();
  const officeRow = page.locator('[data-account="Office"]');
  await officeRow.getByRole('button', { name: 'Test account' }).click();
  await officeRow.getByRole('status', { name: /^Test of/ }).waitFor({ timeout: 30_000 });
  await shot('20-accounts');
  await officeRow.getByRole('button', { name: 'Edit' }).click();
  await shot('21-account-edit');
  await officeRow.getByRole('button', { name: 'Cancel' }).click();

  // A server with a self-signed certificate: what it presented, then the pin offer behind a confirmation.
  await app.accounts.add(
    { name: 'Own server', fromAddress: 'alice@lawfirm.test', host: '127.0.0.1', port: ownServer.starttlsPort as number, security: 'starttls', user: 'alice', authMethod: 'auto', defaultSecurity: 'require-tls', passwordStorage: 'keychain' },
    'pw-own-1',
  );
  await app.accounts.add(
    { name: 'Locum', fromAddress: 'locum@clinic.test', host: '127.0.0.1', port: postfix.submissionPort, security: 'starttls', user: postfix.user, authMethod: 'auto', caFile: pki.caFile, defaultSecurity: 'require-tls', passwordStorage: 'ask' },
    undefined,
  );
  await page.reload(); // the accounts list is read when the app starts (added here behind its back)
  await page.getByRole('button', { name: 'Accounts', exact: true }).click();
  const ownRow = page.locator('[data-account="Own server"]');
  await ownRow.getByRole('button', { name: 'Test account' }).click();
  await ownRow.getByRole('region', { name: 'The certificate the server presented' }).waitFor({ timeout: 30_000 });
  await ownRow.scrollIntoViewIfNeeded();
  await shot('24-account-refused-certificate');
  await ownRow.getByRole('button', { name: 'Pin this certificate…' }).click();
  await shot('25-pin-confirmation');
  await page.getByRole('button', { name: 'It matches: pin it' }).click();
  await ownRow.getByRole('status', { name: /^Test of/ }).getByText(/The account works/).waitFor({ timeout: 30_000 });
  await shot('26-account-pinned');

  // An account that asks for its password at each send.
  await page.getByRole('button', { name: 'Write' }).click();
  await page.getByRole('button', { name: 'New message' }).click();
  const locum = (await app.accounts.list()).find((a) => a.name === 'Locum');
  await page.getByLabel('From', { exact: true }).selectOption(locum?.id as string);
  await page.getByLabel('To', { exact: true }).fill('ward@clinic.test');
  await page.getByLabel('To', { exact: true }).press('Enter');
  await page.getByLabel('Subject', { exact: true }).fill('Night shift handover');
  await page.getByLabel('Message', { exact: true }).fill('Bed 4 goes to ICU at 06:00.');
  await page.getByLabel('Password for Locum').waitFor();
  await page.locator('.forecast[data-domain="clinic.test"]:not([data-verdict="checking"])').waitFor({ timeout: 30_000 });
  await shot('27-composer-asks-password');

  await page.getByRole('button', { name: 'Check a server' }).click();
  await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill(String(postfix.submissionPort));
  await page.getByLabel('Security', { exact: true }).selectOption('starttls');
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.getByRole('region', { name: /^Result for 127\.0\.0\.1/ }).waitFor({ timeout: 60_000 });
  await shot('22-check-server');
  await page.getByRole('radio', { name: /A recipient domain/ }).check();
  await page.getByLabel('Domain', { exact: true }).fill('lawfirm.test');
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.getByRole('region', { name: 'Result for lawfirm.test' }).waitFor({ timeout: 60_000 });
  await shot('23-check-domain');

  // A check in progress (a server that never greets), then cancelled.
  await page.getByRole('radio', { name: /A mail server/ }).check();
  await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill(String((silent.address() as { port: number }).port));
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.getByRole('region', { name: 'Checking' }).locator('[data-step="TLSv1.3"]').waitFor();
  await shot('28-check-progress');
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await page.getByText('The check was cancelled; nothing of it was kept.').waitFor();
  await shot('29-check-cancelled');
});
