import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real peers (Postfix, Exim, Chromium) start per file; give them room, and run files one at a time on
    // 2-core machines so timing-sensitive peers are not starved.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    reporters: process.env.CI ? ['verbose'] : ['default'],
    // A data folder of the run's own for anything (a CLI child, a cache) that does not set one: the tests never
    // read or write the real ~/.config/Hoplight.
    // `npm test` runs with --coverage: V8 coverage of the domain logic, printed at the end of the run. Code that
    // runs in child processes (the CLI the tests spawn) is not counted, so these figures are a floor.
    coverage: {
      provider: 'v8',
      include: ['electron/core/**/*.ts'],
      exclude: ['electron/core/types/**'],
      reporter: ['text-summary', ['text', { skipFull: true, maxCols: 120 }]],
      reportsDirectory: join(tmpdir(), 'hoplight-coverage'),
      // Where transport security is decided the floor is high; the run fails below it.
      thresholds: {
        lines: 85,
        'electron/core/smtp/**': { lines: 88, branches: 80 },
        'electron/core/tls/**': { lines: 90, branches: 80 },
        'electron/core/posture/**': { lines: 85, branches: 80 },
        'electron/core/message/**': { lines: 90, branches: 80 },
        'electron/core/analyze/**': { lines: 90, branches: 80 },
      },
    },
    env: { HOPLIGHT_HOME: process.env.HOPLIGHT_HOME ?? mkdtempSync(join(tmpdir(), 'hoplight-test-home-')) },
  },
});
