// Browser e2e of the console in Debian's Chromium (Playwright's own browser download is unreachable).
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './console',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  workers: 1,
  // Test artifacts (screenshots, traces) go beside, not into, test-results/: Playwright empties its
  // outputDir at start, which would delete the vitest reports written there before.
  outputDir: 'playwright-output',
  // The JSON report is what scripts/test-summary.mjs counts (e2e/playwright-report/results.json).
  reporter: process.env.CI
    ? [['list'], ['junit', { outputFile: 'test-results/playwright-junit.xml' }], ['json', { outputFile: 'playwright-report/results.json' }]]
    : 'list',
  use: {
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-dev-shm-usage',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
