// Lighthouse on the sign-in and volunteer pages, against the same ledgerd as the other e2e tests
// (runs last: the file sorts after console.spec.ts and the run has one worker).
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from '@playwright/test'

test('Lighthouse: sign-in and volunteer pages (mobile)', async () => {
  test.setTimeout(400_000)
  const script = fileURLToPath(new URL('../scripts/lighthouse.mjs', import.meta.url))
  const run = spawnSync(process.execPath, [script, process.env.CONSOLE_URL!], { encoding: 'utf8', timeout: 390_000 })
  console.log(run.stdout.trim())
  if (run.stderr.trim()) console.log(run.stderr.trim().slice(-2000))
  expect(run.status, 'lighthouse.mjs exit status').toBe(0)
})
