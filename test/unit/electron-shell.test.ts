import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS } from '../../shared/ipc/contract.js';

// Electron's binary cannot run here, so the built main bundle is loaded under Node with a recording stand-in for
// the few Electron APIs it touches. This checks the wiring of the thin shell: the window's lock-down, navigation
// and window-open denial, and one ipcMain handler per contract channel that refuses foreign senders.
const root = resolve(__dirname, '..', '..');

interface Recorded {
  windowOptions?: { webPreferences: Record<string, unknown> };
  handlers: Map<string, (event: unknown, payload: unknown) => unknown>;
  appEvents: Map<string, (...args: unknown[]) => void>;
  userData?: string;
  loaded?: string;
}

const recorded: Recorded = { handlers: new Map(), appEvents: new Map() };

function electronStandIn(): unknown {
  class BrowserWindow {
    static windows: BrowserWindow[] = [];
    webContents = { id: 1, send: () => undefined };
    constructor(options: Recorded['windowOptions']) {
      recorded.windowOptions = options;
      BrowserWindow.windows.push(this);
    }
    static fromWebContents(contents: unknown): BrowserWindow | undefined {
      return BrowserWindow.windows.find((w) => w.webContents === contents);
    }
    static getAllWindows(): BrowserWindow[] {
      return BrowserWindow.windows;
    }
    on(): void {}
    loadFile(path: string): Promise<void> {
      recorded.loaded = path;
      return Promise.resolve();
    }
  }
  return {
    app: {
      setPath: (name: string, value: string) => name === 'userData' && (recorded.userData = value),
      on: (event: string, listener: (...args: unknown[]) => void) => recorded.appEvents.set(event, listener),
      whenReady: () => Promise.resolve(),
      quit: () => undefined,
    },
    BrowserWindow,
    ipcMain: { handle: (channel: string, handler: (event: unknown, payload: unknown) => unknown) => recorded.handlers.set(channel, handler) },
    session: { defaultSession: { setPermissionRequestHandler: () => undefined } },
    shell: { openExternal: () => Promise.resolve() },
  };
}

beforeAll(async () => {
  // Always rebuild main and preload, so the test never reads a stale bundle; the renderer only if missing.
  const renderer = existsSync(join(root, 'dist', 'renderer', 'index.html'));
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), ...(renderer ? ['--node-only'] : [])], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
  const moduleWithLoad = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = moduleWithLoad._load;
  const standIn = electronStandIn();
  moduleWithLoad._load = (request: string, ...rest: unknown[]) => (request === 'electron' ? standIn : original(request, ...rest));
  process.env.HOPLIGHT_HOME = join(root, 'dist', 'test-home');
  try {
    Module.createRequire(join(root, 'package.json'))(join(root, 'dist', 'electron', 'main.cjs'));
    await new Promise((r) => setTimeout(r, 0)); // let app.whenReady() resolve
  } finally {
    moduleWithLoad._load = original;
  }
});

describe('the Electron shell (built dist/electron/main.cjs)', () => {
  it('locks the window down', () => {
    expect(recorded.windowOptions?.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
    expect(String(recorded.windowOptions?.webPreferences.preload)).toMatch(/preload\.cjs$/);
    expect(recorded.loaded).toMatch(/dist[/\\]renderer[/\\]index\.html$/);
  });

  it('uses the shared data folder', () => {
    expect(recorded.userData).toBe(join(root, 'dist', 'test-home'));
  });

  it('registers exactly one handler per contract channel, refusing calls from other senders', async () => {
    expect([...recorded.handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());
    const result = (await recorded.handlers.get('sandbox:status')?.({ sender: { id: 99 }, senderFrame: { url: 'https://evil.example/' } }, undefined)) as { ok: boolean };
    expect(result.ok).toBe(false);
  });

  it('denies navigation and new windows in every web contents', () => {
    const listeners = new Map<string, (event: { preventDefault(): void }) => void>();
    let openHandler: ((details: { url: string }) => { action: string }) | undefined;
    const contents = { on: (name: string, fn: (event: { preventDefault(): void }) => void) => listeners.set(name, fn), setWindowOpenHandler: (fn: typeof openHandler) => (openHandler = fn) };
    recorded.appEvents.get('web-contents-created')?.({}, contents);
    let prevented = false;
    listeners.get('will-navigate')?.({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    expect(openHandler?.({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
    expect(openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
  });

  it('serves the renderer with a strict Content-Security-Policy', () => {
    const html = readFileSync(join(root, 'dist', 'renderer', 'index.html'), 'utf8');
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
  });

  it('keeps the preload to one bundled file that requires only electron', () => {
    const preload = readFileSync(join(root, 'dist', 'electron', 'preload.cjs'), 'utf8');
    const requires = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect([...new Set(requires)]).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld("hoplight"');
  });
});
