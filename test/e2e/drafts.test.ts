import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandExists, peerAvailable } from '../helpers/peers.js';
import { simpleParser } from 'mailparser';
import { readFileSync } from 'node:fs';
import { CHROMIUM, openApp, openKillableApp, type AppUnderTest, type KillableApp } from './app-bridge.js';

const available = peerAvailable('Chromium', commandExists(CHROMIUM), 'apt-get install chromium, or run scripts/install-test-peers.sh');

describe.skipIf(!available)('drafts survive a reload and a restart of main', () => {
  let app: AppUnderTest | undefined;
  let killable: KillableApp | undefined;
  afterAll(async () => {
    await app?.close();
    await killable?.close();
  });

  it('what was typed is back after the page is reloaded and after main is restarted', async () => {
    app = await openApp();
    const { page, dataDir } = app;
    await page.getByRole('button', { name: 'Try the built-in sandbox' }).click();
    await page.getByLabel('Subject', { exact: true }).fill('Half-written');
    await page.getByLabel('Message', { exact: true }).fill('Words I typed and must not lose.');
    await page.getByText(/^Draft saved at /).waitFor();
    expect(readdirSync(join(dataDir, 'mailbox', 'Drafts', 'cur'))).toHaveLength(1);

    // The renderer goes away (reload): the draft comes back from the data folder.
    await page.reload();
    await page.getByLabel('Subject', { exact: true }).waitFor();
    expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toBe('Half-written');
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Words I typed and must not lose.');
    expect(await page.getByRole('group', { name: 'To recipients' }).getByTestId('address-chip').allTextContents()).toEqual(['friend@example.org×']);

    // Main goes away too (the handler table and its sandbox are disposed): a new one reads the same folder.
    await app.close();
    app = await openApp({ dataDir });
    const again = app.page;
    await again.getByLabel('Subject', { exact: true }).waitFor();
    expect(await again.getByLabel('Message', { exact: true }).inputValue()).toBe('Words I typed and must not lose.');
    expect(await again.getByRole('radio', { name: /Require TLS on every hop/ }).isChecked()).toBe(true);
    // The sandbox it was written for is stopped now; starting it again lets the draft be sent.
    await again.getByRole('button', { name: 'Start the sandbox' }).click();
    await again.getByRole('button', { name: 'Send', exact: true }).click();
    await again.locator('.hop-view[data-outcome="accepted"]').waitFor();
    // Sent, so no longer a draft.
    await expect.poll(() => readdirSync(join(dataDir, 'mailbox', 'Drafts', 'cur'))).toEqual([]);
    const violations = (await app.axe()).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(violations, JSON.stringify(violations)).toEqual([]);
    expect(app.consoleErrors).toEqual([]);
  });

  it('kill -9 of the browser, and separately of main, a second after the last keystroke: what was typed is back', async () => {
    killable = await openKillableApp();
    const { dataDir } = killable;
    let page = killable.page();
    await page.getByRole('button', { name: 'Try the built-in sandbox' }).click();
    await page.getByLabel('Subject', { exact: true }).fill('Typed before the crash');
    await page.getByLabel('Message', { exact: true }).fill('');
    await page.getByLabel('Message', { exact: true }).pressSequentially('Words typed one by one.', { delay: 20 });
    // Autosave comes at most about a second after the last change: a second later the browser dies (SIGKILL:
    // no beforeunload, no pagehide), and a new one opens on the same main.
    await new Promise((r) => setTimeout(r, 1000));
    expect(killable.consoleErrors).toEqual([]);
    await killable.killBrowser();
    await killable.openPage();
    page = killable.page();
    await page.getByLabel('Subject', { exact: true }).waitFor();
    expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toBe('Typed before the crash');
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Words typed one by one.');

    // Now main dies (SIGKILL: its handlers, timers and sandbox with it; in Electron the window goes too).
    await page.getByLabel('Message', { exact: true }).press('Control+End');
    await page.getByLabel('Message', { exact: true }).pressSequentially(' And these, just before main died.', { delay: 20 });
    await new Promise((r) => setTimeout(r, 1000));
    expect(killable.consoleErrors).toEqual([]);
    await killable.killMain();
    await killable.killBrowser();
    await killable.startMain();
    await killable.openPage();
    page = killable.page();
    await page.getByLabel('Subject', { exact: true }).waitFor();
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Words typed one by one. And these, just before main died.');

    // The data folder, read with ordinary tools: one draft, an RFC 5322 file mailparser reads; nothing set aside.
    const drafts = readdirSync(join(dataDir, 'mailbox', 'Drafts', 'cur'));
    expect(drafts).toHaveLength(1);
    const parsed = await simpleParser(readFileSync(join(dataDir, 'mailbox', 'Drafts', 'cur', drafts[0] as string)));
    expect(parsed.subject).toBe('Typed before the crash');
    expect(parsed.text?.trim()).toBe('Words typed one by one. And these, just before main died.');
    expect(readdirSync(join(dataDir, 'mailbox', 'Drafts', 'damaged'))).toEqual([]);
  });
});
