import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AccountsService } from '../../electron/core/accounts/accounts-service.js';
import { AccountStore, openAccountsFile } from '../../electron/core/accounts/account-store.js';
import { MemoryCredentialStore, type CredentialStore } from '../../electron/core/accounts/credential-store.js';
import { createHandlers, type HandlerDeps, type Handlers } from '../../electron/ipc/handler-table.js';
import { INVOKE_CHANNELS, type InvokeChannel } from '../../shared/ipc/contract.js';

const root = resolve(__dirname, '..', '..');
const AXE_SOURCE = readFileSync(join(root, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const rendererDir = join(root, 'dist', 'renderer');
/** Debian's Chromium. */
export const CHROMIUM = '/usr/bin/chromium';

/** The renderer in Chromium, wired to the app's own handler table through a test bridge. */
export interface AppUnderTest {
  readonly page: Page;
  readonly dataDir: string;
  /** The app's accounts service, for a test to add accounts as if through the accounts screen. */
  readonly accounts: AccountsService;
  /** Runs axe-core in the page (injected through the debugger, so the page's CSP stays as strict as in the app). */
  axe(): Promise<{ id: string; impact: string | null; help: string; nodes: number }[]>;
  readonly consoleErrors: string[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.map': 'application/json' };

function serveRenderer(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '') || 'index.html';
    const file = join(rendererDir, path);
    if (!file.startsWith(rendererDir) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    done({ server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/index.html` });
  }));
}

/** What a test can set about the app it opens: how forecasts are checked, the colour scheme, the window size. */
export interface OpenAppOptions {
  readonly forecast?: HandlerDeps['forecast'];
  readonly colorScheme?: 'light' | 'dark';
  readonly viewport?: { width: number; height: number };
  /** Reuse a data folder (to reopen the app on what an earlier run left). */
  readonly dataDir?: string;
  /** Stands in for the system's file picker. */
  readonly pickFiles?: () => Promise<string[]>;
  /** Stands in for the system's save dialog. */
  readonly saveFile?: (suggestedName: string) => Promise<string | undefined>;
  /** The keychain (an in-memory one by default; a test with a real Secret Service passes the app's own adapter). */
  readonly credentials?: CredentialStore;
}

/** Builds the renderer (never test a stale one), serves it, opens it in Chromium with the bridge in place of the preload. */
export async function openApp(options: OpenAppOptions = {}): Promise<AppUnderTest> {
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`renderer build failed: ${built.stderr}`);
  const bridge = await build({ entryPoints: [join(__dirname, 'bridge-client.ts')], bundle: true, format: 'iife', write: false, platform: 'browser' });
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'hoplight-e2e-'));
  const { server, url } = await serveRenderer();
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  const page: Page = await browser.newPage({ colorScheme: options.colorScheme ?? 'light', viewport: options.viewport ?? { width: 1100, height: 800 } });
  const accounts = new AccountsService(() => new AccountStore(openAccountsFile(dataDir)), options.credentials ?? new MemoryCredentialStore());
  const handlers: Handlers = createHandlers({
    dataDir,
    // The accounts file for real (conf, as the CLI uses it); an in-memory keychain, since no Secret Service runs here.
    accounts,
    ...(options.forecast ? { forecast: options.forecast } : {}),
    ...(options.pickFiles ? { pickFiles: options.pickFiles } : {}),
    ...(options.saveFile ? { saveFile: options.saveFile } : {}),
    // Runs in the page, where bridge-client.ts defined __hoplightEmit.
    emit: (channel, payload) =>
      void page.evaluate(([c, p]) => (globalThis as unknown as { __hoplightEmit(c: string, p: unknown): void }).__hoplightEmit(c, p), [channel, payload] as const),
  });
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.exposeFunction('__hoplightInvoke', (channel: string, request: unknown) => {
    if (!INVOKE_CHANNELS.includes(channel as InvokeChannel)) throw new Error(`unknown channel ${channel}`);
    return handlers.table[channel as InvokeChannel](request);
  });
  await page.addInitScript({ content: bridge.outputFiles[0]?.text ?? '' });
  await page.goto(url);
  return {
    page,
    dataDir,
    accounts,
    axe: async () => {
      await page.evaluate(AXE_SOURCE);
      const results = await page.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run(context: unknown, options: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[] }> } }).axe;
        return (await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] })).violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
      });
      return results;
    },
    consoleErrors,
    close: async () => {
      await browser.close();
      await handlers.dispose();
      await new Promise((r) => server.close(r));
    },
  };
}
