import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { peerAvailable } from '../helpers/peers.js';

// electronegativity over the source and the built app (scripts/audit-electron.mjs), in a network namespace of its
// own. It needs the build (npm test builds first) and unshare.
const root = resolve(__dirname, '..', '..');
const script = join(root, 'scripts', 'audit-electron.mjs');
const available = peerAvailable('unshare (util-linux) and the built app', spawnSync('unshare', ['--help']).status === 0 && existsSync(join(root, 'dist', 'electron', 'main.cjs')), 'apt-get install util-linux; node scripts/build.mjs');

describe.skipIf(!available)('the Electron security audit (electronegativity)', () => {
  const weakened = mkdtempSync(join(tmpdir(), 'hoplight-weak-'));
  afterAll(() => rmSync(weakened, { recursive: true, force: true }));

  it('finds no high or medium finding that is not justified where it is raised', () => {
    const run = spawnSync(process.execPath, [script, '--json'], { cwd: root, encoding: 'utf8' });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { blocking: unknown[]; findings: { id: string }[]; justified: Record<string, string> };
    expect(summary.blocking).toEqual([]);
    // Each justification sits in main.ts beside the line it covers.
    for (const [id, file] of Object.entries(summary.justified)) expect(readFileSync(join(root, file), 'utf8')).toMatch(new RegExp(`eng-disable ${id}`));
  }, 120_000);

  it('a window without context isolation is caught (the audit can fail)', () => {
    for (const part of ['electron', 'renderer', 'shared', 'dist', 'package.json']) cpSync(join(root, part), join(weakened, part), { recursive: true });
    const main = join(weakened, 'electron', 'main.ts');
    writeFileSync(main, readFileSync(main, 'utf8').replace('contextIsolation: true', 'contextIsolation: false').replace('nodeIntegration: false', 'nodeIntegration: true'));
    const run = spawnSync(process.execPath, [script, '--root', weakened, '--json'], { cwd: root, encoding: 'utf8' });
    expect(run.status).toBe(1);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { blocking: { id: string }[] };
    expect(summary.blocking.map((f) => f.id)).toEqual(expect.arrayContaining(['CONTEXT_ISOLATION_JS_CHECK']));
  }, 120_000);
});
