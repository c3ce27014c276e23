import { defineConfig } from 'vitest/config';

/** The browser journey (tests/browser): real server + built UI + Chromium. Run: npm run test:browser */
export default defineConfig({
  test: {
    include: ['tests/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
