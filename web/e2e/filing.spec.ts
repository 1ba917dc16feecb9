// Downloads in real Chromium against the demo ledger: the admin picks a sealed month and saves
// its filing package (an .xlsx, a zip container); a partner saves its statement as Excel and as
// CSV (UTF-8 with a byte order mark) and is told when the period is backwards.
import { readFile } from 'node:fs/promises'
import { adminApi, checkPage, expect, signIn, test } from './support'

test.describe.configure({ mode: 'serial' })

test('the admin downloads a sealed month’s filing package', async ({ page, cspViolations }) => {
  void cspViolations
  // The demo sealed 2026-10 programme-wide and head office acknowledged it: a branch's seal now
  // is refused as already sealed.
  const sealed = await adminApi('/v1/events', {
    method: 'POST',
    body: JSON.stringify({ id: 'ev-e2e-seal-gaoliying-2026-10', type: 'MonthlyReportSealed', occurred_at: '2026-11-02T11:00:00+08:00', data: { branch_id: 'b-gaoliying', month: '2026-10' } }),
  })
  expect(sealed.status).toBe(422)
  const report = await (await adminApi('/v1/reports/monthly?month=2026-10')).json()
  expect(report.sealed).toBe(true)
  expect(report.filing.receipt_ref).toBe('总行备案-2026-10')
  await signIn(page, 'admin')
  await page.getByRole('navigation').getByRole('link', { name: '每月报送' }).click()
  await expect(page).toHaveURL(/\/reports\/filing$/)
  await page.getByTestId('filing-month').fill('2026-10')
  await checkPage(page, 'admin-filing')
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('filing-download').click()])
  expect(download.suggestedFilename()).toBe('filing-2026-10.xlsx')
  const bytes = await readFile((await download.path())!)
  expect(bytes.subarray(0, 2).toString()).toBe('PK')
  // A month nobody sealed: the page says why there is nothing to file.
  await page.getByTestId('filing-month').fill('2030-01')
  await page.getByTestId('filing-download').click()
  await expect(page.getByRole('alert')).toHaveText('该月尚未封存：封存后才能下载报送包。')
})

test('a partner downloads its statement as Excel and CSV', async ({ page, cspViolations }) => {
  void cspViolations
  await signIn(page, 'partner')
  const form = page.getByTestId('statement-form')
  await expect(form).toBeVisible()
  await checkPage(page, 'partner-statement')
  let [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('statement-download').click()])
  expect(download.suggestedFilename()).toMatch(/^statement-.+\.xlsx$/)
  expect((await readFile((await download.path())!)).subarray(0, 2).toString()).toBe('PK')
  await form.locator('select').selectOption('csv')
  ;[download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('statement-download').click()])
  const csv = await readFile((await download.path())!)
  expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
  expect(csv.toString('utf8')).toContain('捐赠与购买')
  await form.locator('input[type=date]').first().fill('2026-12-01')
  await form.locator('input[type=date]').last().fill('2026-01-01')
  await page.getByTestId('statement-download').click()
  await expect(form.getByRole('alert')).toHaveText('起始日期不能晚于截止日期。')
})
