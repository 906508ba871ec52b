import { defineConfig } from 'vitest/config';

// `npm run screenshots`: renders every screen and state of the desktop app (light and dark) from the production
// build into docs/screenshots. Not part of `npm test`: it asserts nothing beyond reaching each state.
export default defineConfig({
  test: { include: ['test/screenshots/**/*.shots.ts'], testTimeout: 300_000, hookTimeout: 300_000, fileParallelism: false },
});
