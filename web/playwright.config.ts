// End-to-end tests in Debian's Chromium (never a downloaded browser) against a real ledgerd with
// the demo ledger, started by e2e/global-setup.ts on a free port in a temporary data directory.
import { defineConfig } from '@playwright/test'

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] },
    locale: 'zh-CN',
    timezoneId: 'America/New_York', // Beijing time must not depend on the browser's zone
    trace: 'off',
  },
})
