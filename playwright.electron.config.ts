// The real-Electron smoke test (`npm run test:electron`): needs an Electron binary, so it is
// not part of `npm test` and cannot run on the build machines (docs/desktop.md).
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'test/electron',
  testMatch: '**/*.spec.ts',
  workers: 1,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results/electron',
});
