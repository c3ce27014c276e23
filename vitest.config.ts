import { defineConfig } from 'vitest/config';

/** Unit, database and HTTP tests. The engine comes from ACCORD_TEST_ENGINE (scripts/test.mjs sets it). */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['tests/browser/**', 'node_modules/**'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
