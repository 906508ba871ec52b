// Runs electronegativity (Doyensec's Electron security linter) over the app's source and its built files, cut off
// from the network: the tool fetches translations and Electron's release list, and nothing may leave this machine.
// It runs inside a new network namespace (unshare -n as root, unshare -rn otherwise), so those fetches fail fast.
// The check that needs the release list (AvailableSecurityFixesGlobalCheck) is left out; Electron's version is
// read from the installed package instead of guessed.
//
// Exit 0 when no HIGH or MEDIUM finding is left. In the source, a finding is justified by an `eng-disable CHECK`
// comment on its line, with the reason beside it; the bundle drops comments, so a finding in the built app passes
// only when the same check is justified in the source. Prints every finding and, with --json, a JSON summary.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

// --root DIR audits another tree laid out like this one (the tests use it to prove a weakened app is caught).
const rootFlag = process.argv.indexOf('--root');
const root = rootFlag > 0 ? resolve(process.argv[rootFlag + 1]) : resolve(import.meta.dirname, '..');
const require = createRequire(join(resolve(import.meta.dirname, '..'), 'package.json'));
const tool = join(dirname(require.resolve('@doyensec/electronegativity/package.json')), 'dist', 'index.js');
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
const json = process.argv.includes('--json');

/** Every `eng-disable ID` in the source, with the file it is in. */
function justifications(dir) {
  const found = new Map();
  for (const entry of readdirSync(dir, { recursive: true })) {
    const file = join(dir, entry);
    if (!/\.(ts|tsx|js|html)$/.test(file) || !statSync(file).isFile()) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/eng-disable[ \t]+([A-Z_]+)/g)) found.set(m[1], file.slice(root.length + 1));
  }
  return found;
}

function isolated(args) {
  const attempts = process.getuid?.() === 0 ? [['-n'], ['-rn']] : [['-rn']];
  for (const flags of attempts) {
    const run = spawnSync('unshare', [...flags, process.execPath, tool, ...args], { encoding: 'utf8', env: { ...process.env, LANG: 'en-US' } });
    if (run.error?.code === 'ENOENT') break;
    if (run.status === 0 || !/unshare: /.test(run.stderr)) return run;
  }
  console.error('audit-electron: cannot run electronegativity without network access here (no unshare, or namespaces are not allowed).');
  process.exit(2);
}

function csvRows(text) {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => {
      const cells = [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((m) => m[1].replace(/^"|"$/g, '').replace(/""/g, '"'));
      return { id: cells[0], severity: cells[1], confidence: cells[2], file: cells[3], location: cells[4], sample: cells[5]?.slice(0, 120) };
    });
}

function scan(name, dir) {
  const out = join(dir, '..', `${name}.csv`);
  const run = isolated(['-i', dir, '-r', '-v', 'false', '-e', electronVersion, '-x', 'AvailableSecurityFixesGlobalCheck', '-o', out]);
  if (run.status !== 0) {
    console.error(`audit-electron: electronegativity failed on the ${name}:\n${run.stdout}\n${run.stderr}`);
    process.exit(2);
  }
  return csvRows(readFileSync(out, 'utf8'));
}

const work = mkdtempSync(join(tmpdir(), 'hoplight-audit-'));
try {
  // The source: main, preload, IPC and the renderer with its CSP, scanned as one app (global checks such as
  // "navigation is limited" and "a CSP exists" look across files).
  const source = join(work, 'source');
  mkdirSync(source);
  for (const part of ['electron', 'renderer', 'shared', 'package.json']) cpSync(join(root, part), join(source, part), { recursive: true });
  // The built app, as electron-builder packs it; electronegativity reads .js, not .cjs.
  const built = join(work, 'built');
  cpSync(join(root, 'dist'), built, { recursive: true });
  cpSync(join(root, 'package.json'), join(built, 'package.json'));
  for (const entry of readdirSync(built, { recursive: true })) if (entry.endsWith('.cjs')) renameSync(join(built, entry), join(built, entry.replace(/\.cjs$/, '.js')));
  for (const entry of readdirSync(built, { recursive: true })) if (entry.endsWith('.map')) rmSync(join(built, entry));

  const justified = justifications(join(root, 'electron'));
  const findings = [...scan('source', source).map((f) => ({ ...f, scan: 'source' })), ...scan('built app', built).map((f) => ({ ...f, scan: 'built' }))];
  const serious = (f) => f.severity === 'HIGH' || f.severity === 'MEDIUM';
  const blocking = findings.filter((f) => serious(f) && !(f.scan === 'built' && justified.has(f.id)));
  for (const f of findings) {
    const note = serious(f) ? (blocking.includes(f) ? 'NOT JUSTIFIED' : `justified in ${justified.get(f.id)}`) : 'low/informational';
    console.log(`${f.scan.padEnd(6)} ${f.severity.padEnd(13)} ${f.id} ${f.file}:${f.location}  (${note})`);
  }
  console.log(`electronegativity ${JSON.parse(readFileSync(join(dirname(tool), '..', 'package.json'), 'utf8')).version} for Electron ${electronVersion}: ${findings.length} findings, ${blocking.length} high or medium not justified; justified in the source: ${[...justified.keys()].join(', ') || 'none'}.`);
  if (json) console.log(JSON.stringify({ electronVersion, findings, blocking, justified: Object.fromEntries(justified) }));
  process.exitCode = blocking.length ? 1 : 0;
} finally {
  rmSync(work, { recursive: true, force: true });
}
