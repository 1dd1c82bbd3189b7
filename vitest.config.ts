import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'test/electron/**', 'node_modules/**'],
    environment: 'node',
    setupFiles: ['test/setup-home.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // CLI and API tests spawn real processes; two cores are all there is.
    maxWorkers: 2,
  },
});
