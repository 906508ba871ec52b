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
    env: { HOPLIGHT_HOME: process.env.HOPLIGHT_HOME ?? mkdtempSync(join(tmpdir(), 'hoplight-test-home-')) },
  },
});
