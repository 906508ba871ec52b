import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSubmissionServer, type LocalServer } from '../../electron/core/sandbox/local-submission-server.js';
import { issueCertificate, type IssuedCertificate } from '../../electron/core/tls/local-ca.js';
import { dnsToolsInstalled, randomLoopbackNet, startDnsWorld, type DnsWorld } from '../helpers/dns-world.js';
import { commandExists, peerAvailable } from '../helpers/peers.js';
import { makeTestPki, type TestPki } from '../helpers/pki.js';
import { postfixInstalled, startPostfix, type PostfixPeer } from '../helpers/postfix.js';
import { politeScript, startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { CHROMIUM, openApp, type AppUnderTest } from './app-bridge.js';

// The journeys of the composer issue, from the renderer's production build in Chromium, through the bridge that
// calls the app's own handler table, against real peers: the sandbox, Postfix (no REQUIRETLS), a server that stalls
// after 354, and MX servers in a local DNSSEC world for the forecast chips. axe-core runs on every state.
const available =
  peerAvailable('Chromium', commandExists(CHROMIUM), 'apt-get install chromium, or run scripts/install-test-peers.sh') &&
  peerAvailable('unbound + dnssec-signzone', dnsToolsInstalled(), 'apt-get install unbound bind9-utils') &&
  peerAvailable('ports 25 on loopback', process.getuid?.() === 0, 'run the tests as root, as CI does') &&
  peerAvailable('Postfix', postfixInstalled(), 'run scripts/install-test-peers.sh');

const spki = (cert: IssuedCertificate): string => createHash('sha256').update(new X509Certificate(cert.certPem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');

describe.skipIf(!available)('the composer and the per-hop view, in Chromium', () => {
  const net = randomLoopbackNet();
  let app: AppUnderTest;
  let pki: TestPki;
  let world: DnsWorld;
  let postfix: PostfixPeer;
  let stall: ScriptedServer;
  const mx: LocalServer[] = [];
  let attachment: string;
  // Accepts connections and never greets: a check of it runs until cancelled.
  let silent: Server;
  const silentSockets: Socket[] = [];
  const savedNames: string[] = [];

  beforeAll(async () => {
    pki = makeTestPki();
    const cert = (name: string): IssuedCertificate => issueCertificate({ commonName: name, names: [name] }, pki.ca);
    const good = cert('mx.good.test');
    const plain = cert('mx.plain.test');
    mx.push(
      await startLocalSubmissionServer({ host: `${net}.2`, starttlsPort: 25, tls: good, advertiseRequireTls: true, onMessage: () => undefined }),
      await startLocalSubmissionServer({ host: `${net}.3`, starttlsPort: 25, tls: plain, advertiseRequireTls: false, onMessage: () => undefined }),
    );
    world = await startDnsWorld([
      { name: 'good.test', signed: true, records: ['@ MX 10 mx', `mx A ${net}.2`, `_25._tcp.mx TLSA 3 1 1 ${spki(good)}`] },
      { name: 'plain.test', signed: true, records: ['@ MX 10 mx', `mx A ${net}.3`, `_25._tcp.mx TLSA 3 1 1 ${spki(plain)}`] },
      { name: 'dead.test', signed: true, records: ['@ MX 10 mx', `mx A ${net}.9`] },
      { name: 'example.org', signed: false, records: ['@ MX 10 mx', `mx A ${net}.9`] },
    ]);
    postfix = await startPostfix(pki);
    stall = await startScriptedServer(
      pki,
      '220 stall.test ESMTP\r\n',
      politeScript((line, context) => {
        if (line !== '.') return 'default';
        context.stopReading();
        return undefined; // the message arrived; the verdict never comes
      }),
    );
    attachment = join(pki.dir, 'lab-results.txt');
    writeFileSync(attachment, 'Confidential results.\n'.repeat(100));
    silent = createServer((socket) => silentSockets.push(socket));
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    app = await openApp({ forecast: { resolver: `127.0.0.1:${world.port}`, extraCaPem: pki.ca.certPem }, pickFiles: async () => [attachment], saveFile: async (name) => (savedNames.push(name), join(pki.dir, 'saved-check.json')) });
  });
  afterAll(async () => {
    await app?.close();
    for (const socket of silentSockets) socket.destroy();
    await Promise.all([world?.stop(), postfix?.stop(), stall?.close(), ...mx.map((m) => m.close()), new Promise((done) => (silent ? silent.close(done) : done(undefined)))]);
  });

  const noSeriousViolations = async (): Promise<void> => {
    const violations = (await app.axe()).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
  };

  it('first run: no account, so the welcome panel; the sandbox sends a REQUIRETLS message and the per-hop view shows it', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Try the built-in sandbox' }).waitFor();
    await noSeriousViolations();
    await page.getByRole('button', { name: 'Try the built-in sandbox' }).click();
    // Prefilled: the sandbox as sender, a recipient, "Require TLS on every hop" chosen.
    await page.getByLabel('Subject', { exact: true }).waitFor();
    expect(await page.getByLabel('From', { exact: true }).inputValue()).toBe('sandbox');
    expect(await page.getByRole('radio', { name: /Require TLS on every hop/ }).isChecked()).toBe(true);
    await page.locator('[data-domain="example.org"][data-verdict="unknown"], [data-domain="example.org"][data-verdict="will-bounce"]').first().waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Attach files…' }).click();
    expect(await page.getByRole('list', { name: 'Attachments' }).textContent()).toBe('lab-results.txt (2.1 KB)×');
    await noSeriousViolations();
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const view = page.getByRole('region', { name: 'How the message travels' });
    await view.waitFor();
    expect(await view.getAttribute('data-outcome')).toBe('accepted');
    expect(await view.locator('[data-hop="submission"]').getAttribute('data-state')).toBe('verified');
    expect(await view.locator('[data-fact="TLS"]').textContent()).toMatch(/^TLSv1\.3, /);
    expect(await view.locator('[data-fact="REQUIRETLS"]').textContent()).toBe('advertised yes, requested yes, accepted yes');
    expect(await view.locator('[data-hop="relays"]').getAttribute('data-state')).toBe('promised');
    await page.getByRole('list', { name: 'Received messages' }).getByText('REQUIRETLS').first().waitFor();
    const eml = (await page.getByRole('list', { name: 'Received messages' }).locator('.mono').first().textContent()) ?? '';
    expect(readFileSync(eml, 'utf8')).toContain('filename=lab-results.txt');
    await page.getByRole('button', { name: /^Open the message from/ }).first().click();
    expect(await page.getByLabel('Raw message').textContent()).toContain('Subject: My first REQUIRETLS message');
    // The sandbox's own trace field, read back as a delivered path: TLS 1.3, authenticated, REQUIRETLS recorded.
    await page.getByRole('button', { name: /^How it travelled: the message from/ }).first().click();
    const travelled = page.getByRole('region', { name: 'How the message actually travelled' });
    await travelled.waitFor();
    expect(await travelled.locator('.delivered-hop').count()).toBe(1);
    // From loopback, so local (no transport claim), with the TLS the sandbox's header states beside it.
    expect(await travelled.locator('.delivered-hop').textContent()).toMatch(/→ hoplight-sandbox\.localhost with ESMTPSA.*Local.*it states TLS 1\.3, .*authenticated submission.*REQUIRETLS recorded/s);
    // It is the message in Sent (same Message-ID): the sandbox is the provider, and the report made at sending opens beside it.
    expect(await travelled.locator('.delivered-hop').getAttribute('data-trust')).toBe('provider');
    const atSending = page.getByRole('region', { name: 'How the message travels' }).filter({ hasText: 'When it was sent: “My first REQUIRETLS message”' });
    await atSending.waitFor();
    expect(await atSending.locator('[data-hop="submission"]').getAttribute('data-state')).toBe('verified');
    await noSeriousViolations();
    await page.getByRole('button', { name: 'Close how it travelled' }).click();
    expect(await travelled.count()).toBe(0);
  });

  it('"TLS optional" sends with the TLS-Required: No header, and says what it gives up', async () => {
    const { page } = app;
    await page.getByRole('radio', { name: /TLS optional/ }).check();
    await page.getByLabel('Subject', { exact: true }).fill('Your TLS is broken');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const view = page.locator('.hop-view[data-outcome="accepted"]');
    await view.locator('[data-fact="REQUIRETLS"]').getByText('requested no').waitFor();
    expect(await view.locator('[data-hop="relays"]').textContent()).toMatch(/TLS-Required: No/);
    await page.getByRole('button', { name: /^Open the message from/ }).first().click();
    await expect.poll(async () => (await page.getByLabel('Raw message').textContent()) ?? '').toMatch(/^TLS-Required: No$/m);
    await page.getByRole('radio', { name: /Require TLS on every hop/ }).check();
  });

  it('address chips: a paste of several addresses, a malformed one marked with its reason, removed by keyboard', async () => {
    const { page } = app;
    const to = page.getByLabel('To', { exact: true });
    await to.click();
    await page.keyboard.press('Backspace'); // removes the prefilled recipient
    await to.evaluate((input) => {
      // Runs in the page: a real paste event carrying several addresses.
      const page = globalThis as unknown as { DataTransfer: new () => { setData(t: string, v: string): void }; ClipboardEvent: new (type: string, init: object) => unknown };
      const data = new page.DataTransfer();
      data.setData('text/plain', 'Ann Example <ann@good.test>, bob@plain.test; not an address');
      (input as unknown as { dispatchEvent(e: unknown): void }).dispatchEvent(new page.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    const chips = page.getByRole('group', { name: 'To recipients' }).getByTestId('address-chip');
    await expect.poll(() => chips.allTextContents()).toEqual(['Ann Example <ann@good.test>×', 'bob@plain.test×', '⚠ not an address×']);
    expect(await page.locator('.field-problems').textContent()).toContain('“not an address” has a space');
    await noSeriousViolations();
    await to.click();
    await page.keyboard.press('Backspace');
    await expect.poll(() => chips.count()).toBe(2);
  });

  it('forecast chips per recipient domain: green, red and grey, re-worded when the choice changes', async () => {
    const { page } = app;
    const to = page.getByLabel('To', { exact: true });
    await to.fill('someone@dead.test');
    await to.press('Enter');
    const chip = (domain: string) => page.locator(`[data-domain="${domain}"]`);
    await page.locator('[data-domain="good.test"][data-verdict="deliverable"]').waitFor({ timeout: 60_000 });
    await page.locator('[data-domain="plain.test"][data-verdict="will-bounce"]').waitFor({ timeout: 60_000 });
    await page.locator('[data-domain="dead.test"][data-verdict="unknown"]').waitFor({ timeout: 60_000 });
    expect(await chip('good.test').getAttribute('class')).toContain('tone-good');
    expect(await chip('plain.test').getAttribute('class')).toContain('tone-bad');
    expect(await chip('plain.test').textContent()).toMatch(/will come back.*5\.7\.30/s);
    expect(await chip('dead.test').getAttribute('class')).toContain('tone-unknown');
    await noSeriousViolations();
    await page.getByRole('radio', { name: /^Default/ }).check();
    expect(await chip('plain.test').getAttribute('data-verdict')).toBe('policy-protected');
    await page.getByRole('radio', { name: /TLS optional/ }).check();
    expect(await chip('good.test').getAttribute('data-verdict')).toBe('policy-ignored');
  });

  it('a REQUIRETLS send to Postfix (no REQUIRETLS) is refused before anything is transmitted; the text is kept', async () => {
    const { page } = app;
    const account = await app.accounts.add(
      { name: 'Office', fromAddress: 'alice@hoplight.test', host: '127.0.0.1', port: postfix.submissionPort, security: 'starttls', user: postfix.user, authMethod: 'auto', caFile: pki.caFile, defaultSecurity: 'require-tls', passwordStorage: 'keychain' },
      postfix.password,
    );
    await page.reload();
    await page.getByLabel('From', { exact: true }).waitFor();
    await page.getByLabel('From', { exact: true }).selectOption(account.id);
    expect(await page.getByRole('radio', { name: /Require TLS on every hop/ }).isChecked()).toBe(true);
    await page.getByLabel('To', { exact: true }).fill('rcpt@good.test');
    await page.getByLabel('To', { exact: true }).press('Enter');
    await page.getByLabel('Subject', { exact: true }).fill('Must not leave');
    await page.getByLabel('Message', { exact: true }).fill('Typed text that must survive.');
    await page.keyboard.press('Control+Enter');
    const view = page.getByRole('region', { name: 'How the message travels' });
    await view.waitFor();
    expect(await view.getAttribute('data-outcome')).toBe('not-sent');
    expect(await view.getByRole('alert').getAttribute('data-code')).toBe('EREQUIRETLS');
    expect(await view.getByRole('alert').textContent()).toContain('Nothing of the message was transmitted.');
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Typed text that must survive.');
    // A permanent failure: the message is back in Drafts, with the reason on it and its security choice kept.
    await page.locator('.filing[data-folder="drafts"]').waitFor();
    expect(await page.locator('.returned').textContent()).toMatch(/This message was not sent.*REQUIRETLS/s);
    const { Drafts } = await import('../../electron/core/mailbox/drafts.js');
    const back = new Drafts(app.dataDir).list().drafts.find((d) => d.subject === 'Must not leave');
    expect(back).toMatchObject({ securityChoice: 'require-tls', text: 'Typed text that must survive.', returned: { code: 'EREQUIRETLS' } });
    expect(postfix.delivered()).toEqual([]);
    await noSeriousViolations();
    // The user's act: "Default" for this message. Sent, and the banner of the earlier refusal goes with it.
    await page.getByRole('radio', { name: /^Default/ }).check();
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('.filing[data-folder="sent"]').waitFor();
    expect(await page.locator('.returned').count()).toBe(0);
    expect(await page.locator('.hop-view [data-fact="Round trips"]').textContent()).toMatch(/^8 \(TCP, TLS and SMTP\); commands pipelined \(RFC 2920\), AUTH PLAIN sent with the envelope/);
  });

  it('cancel while waiting for the verdict of a stalled server: "uncertain", never "not delivered"', async () => {
    const { page } = app;
    const account = await app.accounts.add(
      { name: 'Stalling', fromAddress: 'me@hoplight.test', host: '127.0.0.1', port: stall.port, security: 'starttls', user: 'me', authMethod: 'auto', caFile: pki.caFile, defaultSecurity: 'default', passwordStorage: 'keychain' },
      'pw-for-stall',
    );
    await page.reload();
    await page.getByLabel('From', { exact: true }).waitFor();
    await page.getByLabel('From', { exact: true }).selectOption(account.id);
    await page.getByLabel('To', { exact: true }).fill('rcpt@good.test');
    await page.getByLabel('To', { exact: true }).press('Enter');
    await page.getByLabel('Subject', { exact: true }).fill('Stalls');
    await page.getByLabel('Message', { exact: true }).fill('Waiting forever.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const progress = page.getByRole('region', { name: 'Sending' });
    await progress.getByText('Waiting for the server’s verdict').waitFor();
    await progress.locator('[aria-current="step"]').getByText('Waiting for the server’s verdict').waitFor();
    await noSeriousViolations();
    await progress.getByRole('button', { name: 'Cancel' }).click();
    const view = page.getByRole('region', { name: 'How the message travels' });
    await view.waitFor();
    expect(await view.getAttribute('data-outcome')).toBe('uncertain');
    expect(await view.getByRole('heading', { level: 2 }).textContent()).toMatch(/Uncertain: .*may have been delivered/);
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Waiting forever.');
  });

  it('the check screen: Postfix by host and port, then a domain in the local DNSSEC world, findings by severity and the forecast per choice', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Check a server' }).click();
    await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill(String(postfix.submissionPort));
    await page.getByLabel('Security', { exact: true }).selectOption('starttls');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    // A check of Postfix takes well under a second: its progress may come and go before anyone looks (it is
    // asserted below on a server that never answers).
    const progress = page.getByRole('region', { name: 'Checking' });
    const result = page.getByRole('region', { name: `Result for 127.0.0.1:${postfix.submissionPort}` });
    await result.waitFor({ timeout: 60_000 });
    expect(await progress.count()).toBe(0);
    // Postfix 3.7 with Debian's defaults: TLS 1.0/1.1 accepted (a medium finding), no REQUIRETLS, AUTH only after TLS.
    expect(await result.locator('[data-version="TLSv1.3"] td').first().textContent()).toBe('yes');
    expect(await result.locator('[data-version="TLSv1"] td').first().textContent()).toBe('yes');
    expect(await result.locator('.finding-group[data-severity="medium"]').textContent()).toMatch(/TLS 1\.0 is accepted/);
    const facts = (await result.locator('.account-facts').allTextContents()).join(' ');
    expect(facts).toMatch(/REQUIRETLSnot advertised/);
    expect(facts).toMatch(/AUTHonly after TLS/);
    expect(await result.locator('.not-checked').count()).toBe(0); // everything was checked
    await noSeriousViolations();
    // Saved where the save dialog said: the same document as `hoplight check --json`.
    await result.getByRole('button', { name: 'Save as JSON…' }).click();
    await result.getByText(/^Saved to .*saved-check\.json$/).waitFor();
    const saved = JSON.parse(readFileSync(join(pki.dir, 'saved-check.json'), 'utf8')) as { host: string; port: number; findings: unknown[] };
    expect(saved).toMatchObject({ host: '127.0.0.1', port: postfix.submissionPort });
    expect(saved.findings.length).toBeGreaterThan(3);
    expect(savedNames[0]).toMatch(/^hoplight-check-127\.0\.0\.1_\d+-\d{4}-\d{2}-\d{2}\.json$/);

    // A server that never greets: Cancel ends the check at once, and nothing of it is kept or shown as a result.
    await page.getByLabel('Port', { exact: true }).fill(String((silent.address() as { port: number }).port));
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await progress.locator('[data-step="main"][data-state="running"]').waitFor();
    // Each probe is listed as it runs: the full session, the injection probe, the AUTH-before-TLS probe, each TLS version.
    await expect.poll(() => progress.locator('li').evaluateAll((items) => items.map((i) => i.getAttribute('data-step')))).toEqual(['main', 'injection', 'auth-before-tls', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
    expect(await progress.locator('li[data-state="running"]').count()).toBe(7);
    await noSeriousViolations();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByText('The check was cancelled; nothing of it was kept.').waitFor({ timeout: 5000 });
    expect(await page.getByLabel('Recent checks').locator('option').count()).toBe(1);

    await page.getByRole('radio', { name: /A recipient domain/ }).check();
    await page.getByLabel('Domain', { exact: true }).fill('good.test');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const domain = page.getByRole('region', { name: 'Result for good.test' });
    await domain.waitFor({ timeout: 60_000 });
    expect(await domain.locator('[data-choice="require-tls"]').getAttribute('data-verdict')).toBe('deliverable');
    expect(await domain.textContent()).toMatch(/mx\.good\.test \(10\); DNSSEC-validated/);
    await page.getByLabel('Recent checks').selectOption({ index: 1 });
    await result.waitFor();
    await noSeriousViolations();
    // Kept in the data folder: the screen opened anew lists both, the newest first.
    await page.getByRole('button', { name: 'Write' }).click();
    await page.getByRole('button', { name: 'Check a server' }).click();
    expect(await page.getByLabel('Recent checks').locator('option').allTextContents()).toEqual([expect.stringMatching(/^good\.test — /), expect.stringMatching(/^127\.0\.0\.1:\d+ — /)]);
    await page.getByRole('button', { name: 'Write' }).click();
  });

  it('ran without errors or CSP violations in the page', () => {
    expect(app.consoleErrors, app.consoleErrors.join('\n')).toEqual([]);
  });
});
