// End-to-end tests of the built renderer in Debian's Chromium (no Playwright browser download),
// over the test transport (test/e2e/support). Each test gets its own vault in a temp folder.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './test/e2e/support/global-setup.ts',
  fullyParallel: true,
  workers: 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: true,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results/e2e',
  use: {
    // `npm run screenshots` takes the committed pictures at 1600×1000 (the narrow ones set 820×560 themselves).
    viewport: process.env.KEYDEN_SCREENSHOTS_DIR ? { width: 1600, height: 1000 } : { width: 1280, height: 800 },
    colorScheme: 'light',
    locale: 'en-US',
    timezoneId: 'UTC',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
