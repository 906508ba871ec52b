import { X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyringCredentialStore } from '../../electron/adapters/keyring-credential-store.js';
import { startLocalSubmissionServer, type LocalServer } from '../../electron/core/sandbox/local-submission-server.js';
import { startSandbox, type RunningSandbox } from '../../electron/core/sandbox/sandbox.js';
import { makeTestPki, type TestPki } from '../helpers/pki.js';
import { commandExists, peerAvailable } from '../helpers/peers.js';
import { filesUnder, keychainLookup, secretServiceInstalled, startSecretService, type SecretService } from '../helpers/secret-service.js';
import { containsSecret } from '../helpers/submit.js';
import { CHROMIUM, openApp, type AppUnderTest } from './app-bridge.js';

// The accounts screen from the production build in Chromium, with the app's own keychain adapter talking to a real
// Secret Service (gnome-keyring on a private session bus), against a sandbox submission server.
const available =
  peerAvailable('Chromium', commandExists(CHROMIUM), 'apt-get install chromium, or run scripts/install-test-peers.sh') &&
  peerAvailable('gnome-keyring + dbus', secretServiceInstalled(), 'apt-get install gnome-keyring dbus, or run scripts/install-test-peers.sh');

describe.skipIf(!available)('the accounts screen, with a real keychain', () => {
  let app: AppUnderTest;
  let keychain: SecretService;
  let sandbox: RunningSandbox;
  let pki: TestPki;
  // A server with a self-signed certificate, as a small office's own server may have.
  let selfSigned: LocalServer;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    keychain = await startSecretService();
    // @napi-rs/keyring finds the session bus through this process's environment.
    for (const key of ['DBUS_SESSION_BUS_ADDRESS', 'XDG_DATA_HOME', 'XDG_RUNTIME_DIR']) {
      saved[key] = process.env[key];
      process.env[key] = keychain.env[key];
    }
    sandbox = await startSandbox({ dataDir: mkdtempSync(join(tmpdir(), 'hoplight-e2e-sandbox-')), starttlsPort: 0, implicitPort: 0 });
    pki = makeTestPki();
    selfSigned = await startLocalSubmissionServer({ starttlsPort: 0, tls: pki.selfSigned, auth: { user: 'office', password: 'pw-office-1' }, advertiseRequireTls: true, onMessage: () => undefined });
    app = await openApp({ credentials: new KeyringCredentialStore() });
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.server.close();
    await selfSigned?.close();
    await keychain?.stop();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  const noSeriousViolations = async (): Promise<void> => {
    const violations = (await app.axe()).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
  };

  it('adds an account with settings typed by hand, tests it (verified TLS, login, no mail sent), then removes it and its keychain secret', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Add your account' }).click();
    await page.getByLabel('Your e-mail address').fill('me@sandbox.hoplight.test');
    await page.getByRole('button', { name: 'Enter the settings myself' }).click();
    await page.getByLabel('Server', { exact: true }).fill(sandbox.host);
    await page.getByLabel('Port', { exact: true }).fill(String(sandbox.starttlsPort));
    await page.getByLabel('Connection', { exact: true }).selectOption('starttls');
    await page.getByLabel('User', { exact: true }).fill(sandbox.user);
    await page.getByLabel(/^Extra CA file/).fill(sandbox.caFile);
    await page.getByLabel(/^Password/).fill(sandbox.password);
    await noSeriousViolations();
    await page.getByRole('button', { name: 'Add the account' }).click();
    await page.getByLabel('Subject', { exact: true }).waitFor();

    const [account] = await app.accounts.list();
    expect(account?.passwordStored).toBe(true);
    expect(keychainLookup(keychain.env, account!.id)).toBe(sandbox.password); // in the real keychain
    for (const file of filesUnder(app.dataDir)) expect(containsSecret(file.bytes.toString('latin1'), sandbox.password), file.path).toBe(false);

    await page.getByRole('button', { name: 'Accounts' }).click();
    const row = page.locator('[data-account="me@sandbox.hoplight.test"]');
    expect(await row.locator('[data-fact="password"]').textContent()).toBe('Stored in your system’s keychain');
    await row.getByRole('button', { name: 'Test account' }).click();
    const result = row.getByRole('status', { name: /^Test of/ });
    await result.waitFor({ timeout: 30_000 });
    expect(await result.textContent()).toMatch(/The account works: connected, verified TLS, logged in\. No mail was sent\./);
    expect(await result.locator('[data-step]').evaluateAll((items) => items.map((i) => `${i.getAttribute('data-step')}:${i.getAttribute('data-ok')}`))).toEqual(['connect:true', 'tls:true', 'auth:true', 'posture:true']);
    expect(await page.content()).not.toContain(sandbox.password);
    await noSeriousViolations();

    await row.getByRole('button', { name: 'Edit' }).click();
    await row.getByLabel('New messages').selectOption('require-tls');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await app.accounts.list())[0]?.defaultSecurity).toBe('require-tls');

    await row.getByRole('button', { name: 'Remove…' }).click();
    const dialog = page.getByRole('alertdialog', { name: /Remove/ });
    await dialog.waitFor();
    await noSeriousViolations();
    await dialog.getByRole('button', { name: 'Remove the account' }).click();
    await page.getByText('No account yet.').waitFor();
    expect(await app.accounts.list()).toEqual([]);
    expect(keychainLookup(keychain.env, account!.id)).toBeNull();
  });

  it('a self-signed server: Test shows the presented certificate in full; pinning needs a confirmation, then TLS and login work with the pin', async () => {
    const { page } = app;
    await app.accounts.add(
      { name: 'Office', fromAddress: 'me@office.test', host: '127.0.0.1', port: selfSigned.starttlsPort as number, security: 'starttls', user: 'office', authMethod: 'auto', defaultSecurity: 'require-tls', passwordStorage: 'keychain' },
      'pw-office-1',
    );
    await page.reload();
    await page.getByRole('button', { name: 'Accounts' }).click();
    const row = page.locator('[data-account="Office"]');
    await row.getByRole('button', { name: 'Test account' }).click();
    const result = row.getByRole('status', { name: /^Test of/ });
    await result.waitFor({ timeout: 30_000 });
    expect(await result.locator('[data-step]').evaluateAll((items) => items.map((i) => `${i.getAttribute('data-step')}:${i.getAttribute('data-ok')}`))).toEqual(['connect:true', 'tls:false', 'posture:true']);
    // What the server presented on this session, in full, before any offer to pin.
    const presented = row.getByRole('region', { name: 'The certificate the server presented' });
    const fingerprint = new X509Certificate(pki.selfSigned.certPem).fingerprint256;
    expect(await presented.locator('[data-fact="fingerprint"]').textContent()).toBe(fingerprint);
    expect(await presented.textContent()).toMatch(/it is self-signed/);
    expect(await presented.textContent()).toMatch(/NamesDNS:localhost, IP Address:127\.0\.0\.1/);
    await noSeriousViolations();

    await presented.getByRole('button', { name: 'Pin this certificate…' }).click();
    const dialog = page.getByRole('alertdialog', { name: /Pin this certificate for “Office”/ });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(fingerprint);
    await noSeriousViolations();
    // Declining pins nothing.
    await dialog.getByRole('button', { name: 'Don’t pin' }).click();
    expect((await app.accounts.show('Office')).pinSha256).toBeUndefined();

    await presented.getByRole('button', { name: 'Pin this certificate…' }).click();
    await page.getByRole('button', { name: 'It matches: pin it' }).click();
    // Tested again at once, with the pin.
    await expect.poll(async () => (await app.accounts.show('Office')).pinSha256).toBe(fingerprint);
    const again = row.getByRole('status', { name: /^Test of/ });
    await again.getByText(/The account works/).waitFor({ timeout: 30_000 });
    expect(await again.locator('[data-step="tls"]').textContent()).toMatch(/certificate pinned/);
    expect(await row.locator('.refused-certificate').count()).toBe(0);
    await noSeriousViolations();

    await row.getByRole('button', { name: 'Remove the pin' }).click();
    await expect.poll(async () => (await app.accounts.show('Office')).pinSha256).toBeUndefined();
    await app.accounts.remove('Office');
  });

  it('ran without errors or CSP violations in the page', () => {
    expect(app.consoleErrors, app.consoleErrors.join('\n')).toEqual([]);
  });
});
