// The onboarding import (批量导入) in real Chromium against the demo ledger: a coordinator checks
// a CSV with one bad row and sees the row, column and Chinese reason with nothing imported; then
// checks and imports the corrected file, and the new members are in the ledger and on the list.
import { adminApi, checkPage, expect, signIn, test } from './support'

const suffix = Date.now().toString(36)
const headings = '成员编号,类型(志愿者/老人/青年志愿者),所属站点,姓名,性别,出生年份,电话,独居(是/否),技能,登记日期\r\n'
// Today in Beijing: a month that is not sealed.
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
const good = `e2e-v-${suffix},志愿者,b-shiyuan,周玉芬,女,1968,,否,唱歌、手工,${today}\r\n`
const bad = `e2e-e-${suffix},老人,b-shiyuan,吴大爷,男,一九三八,,是,,${today}\r\n`
const fixed = `e2e-e-${suffix},老人,b-shiyuan,吴大爷,男,1938,,是,,${today}\r\n`

async function chooseCsv(page: import('@playwright/test').Page, text: string) {
  await page.getByTestId('import-upload').locator('input[type=file]').setInputFiles({
    name: '成员.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('\ufeff' + headings + text, 'utf8'),
  })
  await expect(page.getByTestId('import-file-name')).toContainText('成员.csv')
}

test('a coordinator imports members: a bad row is reported and nothing is written; the fixed file imports', async ({ page, cspViolations }) => {
  void cspViolations
  await signIn(page, 'coordinator')
  await page.getByRole('navigation').getByRole('link', { name: '批量导入' }).click()
  await expect(page).toHaveURL(/\/imports$/)
  await expect(page.getByRole('link', { name: /Excel 模板/ })).toHaveAttribute('href', '/templates/zhaiyi-import-template.xlsx')
  const template = await page.request.get('/templates/members.csv')
  expect(template.ok()).toBe(true)
  expect(await template.text()).toContain('成员编号')
  await checkPage(page, 'coordinator-imports')

  await chooseCsv(page, good + bad)
  await page.getByTestId('import-check').click()
  const problems = page.getByTestId('import-problems')
  await expect(problems.getByRole('alert')).toHaveText('表格中有 1 处错误，没有导入任何数据。请改正后重新上传。')
  const row = problems.locator('tbody tr')
  await expect(row).toHaveCount(1)
  await expect(row.locator('td').nth(0)).toHaveText('成员.csv 第 3 行')
  await expect(row.locator('td').nth(1)).toHaveText('出生年份')
  await expect(row.locator('td').nth(2)).toHaveText(/格式不对：应为四位数的年份/)
  await expect(page.getByTestId('import-run')).toBeDisabled()
  await checkPage(page, 'coordinator-imports-problems')
  expect((await adminApi(`/v1/members/e2e-v-${suffix}`)).status).toBe(404) // not even the good row

  await chooseCsv(page, good + fixed)
  await page.getByTestId('import-check').click()
  await expect(page.getByTestId('import-checked')).toContainText('成员 2 行，结对 0 行，服务 0 行：共 2 个事件')
  expect((await adminApi(`/v1/members/e2e-v-${suffix}`)).status).toBe(404) // a check writes nothing
  await page.getByTestId('import-run').click()
  await expect(page.getByTestId('import-done')).toContainText('导入完成：写入 2 个事件。')
  const volunteer = await (await adminApi(`/v1/members/e2e-v-${suffix}?min_position=0`)).json()
  expect(volunteer).toMatchObject({ member_id: `e2e-v-${suffix}`, kind: 'volunteer', branch_id: 'b-shiyuan', name: '周玉芬' })
  const elder = await (await adminApi(`/v1/members/e2e-e-${suffix}`)).json()
  expect(elder).toMatchObject({ kind: 'elder', name: '吴大爷' })
  await page.getByTestId('import-done').getByRole('link', { name: '去成员列表查看' }).click()
  await expect(page.getByText(`e2e-v-${suffix}`)).toBeVisible()
})
