import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandExists, peerAvailable } from '../helpers/peers.js';
import { CHROMIUM, openApp, type AppUnderTest } from './app-bridge.js';

const available = peerAvailable('Chromium', commandExists(CHROMIUM), 'apt-get install chromium, or run scripts/install-test-peers.sh');

describe.skipIf(!available)('the composer, in Chromium, against the app’s handler table', () => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await openApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('starts the sandbox, sends with "Require TLS on every hop" and shows how hop 1 was protected', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Start the sandbox' }).click();
    await page.getByRole('button', { name: 'Use the sandbox in the composer' }).click();
    await page.getByLabel('From', { exact: true }).fill('Me <me@example.test>');
    await page.getByLabel('To', { exact: true }).fill('you@example.test, other@example.test');
    await page.getByLabel('Subject', { exact: true }).fill('Sent from the composer');
    await page.getByLabel('Message', { exact: true }).fill('Confidential, please.');
    await page.getByLabel(/Require TLS on every hop/).check();
    await page.getByRole('button', { name: 'Send' }).click();

    const report = page.locator('section[aria-label="Security report"]');
    await report.waitFor();
    expect(await report.getAttribute('data-outcome')).toBe('accepted');
    expect(await report.locator('[data-field="tls"]').textContent()).toMatch(/^TLSv1\.3, /);
    expect(await report.locator('[data-field="requiretls"]').textContent()).toBe('advertised yes, requested yes, accepted yes');
    await page.getByRole('list', { name: 'Received messages' }).getByText('REQUIRETLS').first().waitFor();
    expect(await page.getByRole('list', { name: 'Received messages' }).textContent()).toContain('me@example.test → you@example.test, other@example.test');
  });

  it('bad input is named and the typed message is kept', async () => {
    const { page } = app;
    await page.getByLabel('To', { exact: true }).fill('not an address');
    await page.getByLabel('Message', { exact: true }).fill('Text I must not lose.');
    await page.getByRole('button', { name: 'Send' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.getAttribute('data-code')).toBe('EINPUT');
    expect(await alert.textContent()).toContain('to[0]');
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Text I must not lose.');
    expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toBe('Sent from the composer');
  });

  it('ran without errors or CSP violations in the page', () => {
    expect(app.consoleErrors, app.consoleErrors.join('\n')).toEqual([]);
  });
});
