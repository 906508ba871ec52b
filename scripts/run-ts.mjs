// Runs a TypeScript entry point (benchmarks) under plain Node: esbuild bundles it to a temporary CommonJS file.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs FILE.ts [args…]');
  process.exit(2);
}
// Inside the project, so the bundle's require() calls find node_modules.
mkdirSync(resolve('node_modules/.cache'), { recursive: true });
const dir = mkdtempSync(resolve('node_modules/.cache/hoplight-run-'));
const outfile = join(dir, 'entry.cjs');
await build({ entryPoints: [resolve(entry)], bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', outfile, logLevel: 'warning', absWorkingDir: process.cwd() });
process.argv = [process.argv[0], resolve(entry), ...rest];
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
createRequire(join(process.cwd(), 'package.json'))(outfile);
