// Builds Hoplight: main, preload and CLI with esbuild (CommonJS bundles for Node/Electron), the renderer with Vite.
// `--node-only` skips the renderer (used by `npm install`'s prepare step, so `npx hoplight` works at once).
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

const nodeOnly = process.argv.includes('--node-only');
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning' };

await rm('dist/electron', { recursive: true, force: true });
await rm('dist/cli', { recursive: true, force: true });
await Promise.all([
  // Main and CLI load their npm dependencies from node_modules at run time.
  build({ ...common, entryPoints: ['electron/main.ts'], outfile: 'dist/electron/main.cjs', packages: 'external' }),
  build({ ...common, entryPoints: ['electron/cli/main.ts'], outfile: 'dist/cli/hoplight.cjs', packages: 'external' }),
  // A sandboxed preload can require only 'electron': everything else is bundled into one file.
  build({ ...common, entryPoints: ['electron/preload.ts'], outfile: 'dist/electron/preload.cjs', external: ['electron'] }),
]);

if (!nodeOnly) {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: 'vite.config.ts', logLevel: 'warn' });
}
