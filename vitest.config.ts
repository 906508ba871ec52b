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
  },
});
