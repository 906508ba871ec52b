import { fork, spawnSync, type ChildProcess } from 'node:child_process';
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
  /** Stands in for the system's picker of one message file. */
  readonly pickMessage?: () => Promise<string | undefined>;
  /** Stands in for the system's save dialog. */
  readonly saveFile?: (suggestedName: string) => Promise<string | undefined>;
  /** The keychain (an in-memory one by default; a test with a real Secret Service passes the app's own adapter). */
  readonly credentials?: CredentialStore;
}

/** Builds the renderer (never test a stale one) and the page's bridge script. */
async function buildForTest(): Promise<string> {
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`renderer build failed: ${built.stderr}`);
  const bridge = await build({ entryPoints: [join(__dirname, 'bridge-client.ts')], bundle: true, format: 'iife', write: false, platform: 'browser' });
  return bridge.outputFiles[0]?.text ?? '';
}

/** A Chromium page on the served renderer, its invokes going to `invoke`; events are delivered with `emitTo`. */
const CHROMIUM_LAUNCH = {
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
};

async function launchPage(
  url: string,
  bridgeScript: string,
  invoke: (channel: InvokeChannel, request: unknown) => Promise<unknown>,
  options: OpenAppOptions,
  consoleErrors: string[],
  killable = false,
): Promise<{ browser: Browser; page: Page; process?: ChildProcess }> {
  // A browser server when the test kills it: its process is then at hand for a SIGKILL.
  const server = killable ? await chromium.launchServer(CHROMIUM_LAUNCH) : undefined;
  const browser: Browser = server ? await chromium.connect(server.wsEndpoint()) : await chromium.launch(CHROMIUM_LAUNCH);
  const page: Page = await browser.newPage({ colorScheme: options.colorScheme ?? 'light', viewport: options.viewport ?? { width: 1100, height: 800 } });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.exposeFunction('__hoplightInvoke', (channel: string, request: unknown) => {
    if (!INVOKE_CHANNELS.includes(channel as InvokeChannel)) throw new Error(`unknown channel ${channel}`);
    return invoke(channel as InvokeChannel, request);
  });
  await page.addInitScript({ content: bridgeScript });
  await page.goto(url);
  return { browser, page, ...(server ? { process: server.process() } : {}) };
}

/** Delivers an event in the page, where bridge-client.ts defined __hoplightEmit. */
function emitTo(page: Page | undefined, channel: string, payload: unknown): void {
  void page
    ?.evaluate(([c, p]) => (globalThis as unknown as { __hoplightEmit(c: string, p: unknown): void }).__hoplightEmit(c, p), [channel, payload] as const)
    .catch(() => undefined); // the page is gone (killed or closed)
}

/** Builds the renderer, serves it, opens it in Chromium with the bridge in place of the preload. */
export async function openApp(options: OpenAppOptions = {}): Promise<AppUnderTest> {
  const bridgeScript = await buildForTest();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'hoplight-e2e-'));
  const { server, url } = await serveRenderer();
  // The page events go to (set once it is open).
  const current: { page?: Page } = {};
  const accounts = new AccountsService(() => new AccountStore(openAccountsFile(dataDir)), options.credentials ?? new MemoryCredentialStore());
  const handlers: Handlers = createHandlers({
    dataDir,
    // The accounts file for real (conf, as the CLI uses it); an in-memory keychain unless the test passes a real one.
    accounts,
    ...(options.forecast ? { forecast: options.forecast } : {}),
    ...(options.pickFiles ? { pickFiles: options.pickFiles } : {}),
    ...(options.saveFile ? { saveFile: options.saveFile } : {}),
    ...(options.pickMessage ? { pickMessage: options.pickMessage } : {}),
    emit: (channel, payload) => emitTo(current.page, channel, payload),
  });
  const consoleErrors: string[] = [];
  const { browser, page } = await launchPage(url, bridgeScript, (channel, request) => handlers.table[channel](request), options, consoleErrors);
  current.page = page;
  return {
    page,
    dataDir,
    accounts,
    axe: () => runAxe(page),
    consoleErrors,
    close: async () => {
      await browser.close();
      await handlers.dispose();
      await new Promise((r) => server.close(r));
    },
  };
}

async function runAxe(page: Page): Promise<{ id: string; impact: string | null; help: string; nodes: number }[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[] }> } }).axe;
    return (await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] })).violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  });
}

/** The app with its main side in a process of its own and a browser that can be killed: for crash journeys. */
export interface KillableApp {
  readonly dataDir: string;
  /** The page of the browser now running (a new one after reopenPage). */
  page(): Page;
  /** SIGKILL to the main-side process: no handler runs, nothing is flushed. */
  killMain(): Promise<void>;
  /** A new main-side process on the same data folder. */
  startMain(): Promise<void>;
  /** SIGKILL to the browser (renderer included): no beforeunload, no pagehide. */
  killBrowser(): Promise<void>;
  /** A new browser and page on the same main. */
  openPage(): Promise<void>;
  readonly consoleErrors: string[];
  close(): Promise<void>;
}

/** Opens the app with a forked main side (test/e2e/bridge-main.ts) that a test can kill and start again. */
export async function openKillableApp(options: OpenAppOptions = {}): Promise<KillableApp> {
  const bridgeScript = await buildForTest();
  const mainBundle = join(root, 'dist', 'test', 'bridge-main.cjs');
  await build({ entryPoints: [join(__dirname, 'bridge-main.ts')], outfile: mainBundle, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', logLevel: 'warning' });
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'hoplight-e2e-kill-'));
  const { server, url } = await serveRenderer();
  const consoleErrors: string[] = [];
  let main: ChildProcess | undefined;
  let browser: Browser | undefined;
  let browserProcess: ChildProcess | undefined;
  let page: Page | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  const startMain = async (): Promise<void> => {
    const child = fork(mainBundle, [], { cwd: root, env: { ...process.env, HOPLIGHT_BRIDGE_DATA: dataDir }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((ready, fail) => {
      child.once('error', fail);
      child.once('exit', (code) => fail(new Error(`bridge-main exited with ${code} before it was ready`)));
      child.on('message', (message: { kind: string; id?: number; result?: unknown; error?: string; channel?: string; payload?: unknown }) => {
        if (message.kind === 'ready') ready();
        else if (message.kind === 'event') emitTo(page, message.channel as string, message.payload);
        else if (message.kind === 'result') {
          const waiting = pending.get(message.id as number);
          pending.delete(message.id as number);
          if (message.error) waiting?.reject(new Error(message.error));
          else waiting?.resolve(message.result);
        }
      });
    });
    child.removeAllListeners('exit');
    child.on('exit', () => {
      for (const [id, waiting] of pending) {
        pending.delete(id);
        waiting.reject(new Error('the main process went away'));
      }
    });
    main = child;
  };
  const invoke = (channel: InvokeChannel, request: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (!main?.connected) return reject(new Error('the main process is not running'));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      main.send({ id, channel, request });
    });
  const killMain = async (): Promise<void> => {
    const child = main;
    main = undefined;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await gone;
  };
  const openPage = async (): Promise<void> => {
    ({ browser, page, process: browserProcess } = await launchPage(url, bridgeScript, invoke, options, consoleErrors, true));
  };
  const killBrowser = async (): Promise<void> => {
    const processOf = browserProcess;
    page = undefined;
    browserProcess = undefined;
    if (!processOf) throw new Error('the browser has no process to kill');
    const gone = new Promise((done) => processOf.once('exit', done));
    processOf.kill('SIGKILL');
    await gone;
    browser = undefined;
  };
  await startMain();
  await openPage();
  return {
    dataDir,
    page: () => {
      if (!page) throw new Error('no page is open');
      return page;
    },
    killMain,
    startMain,
    killBrowser,
    openPage,
    consoleErrors,
    close: async () => {
      await browser?.close();
      if (main?.connected) {
        const child = main;
        const gone = new Promise((done) => child.once('exit', done));
        child.disconnect();
        await gone;
      }
      await new Promise((r) => server.close(r));
    },
  };
}
