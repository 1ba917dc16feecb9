// Certificates of volunteer service in real Chromium against the demo ledger: a coordinator issues
// one for a volunteer of her branch on the member page, opens its printable page (figures, 有效);
// the page works in a fresh browser without sign-in; after revoking it shows 已撤销. Then she grants
// the volunteer an award and registers a relation on the same page, and the certificate lists the award.
import { servicesOf } from '../src/domain/services'
import { formatHours } from '../src/format/hours'
import type { StoredEvent } from '../src/api/ledger'
import { adminApi, checkPage, expect, screenshots, signIn, test } from './support'

test.describe.configure({ mode: 'serial' })

let certificateId = ''

test('a coordinator issues a certificate on a volunteer’s page; its page shows the figures and 有效', async ({ page, cspViolations }) => {
  void cspViolations
  // The truth, counted from the volunteer's stream: verified services begun in October (Beijing).
  const stream = await (await adminApi('/v1/streams/member-v-wang')).json()
  const counted = servicesOf(stream.events as StoredEvent[]).filter((s) => s.state === 'verified' && s.startedAt.slice(0, 7) === '2026-10')
  const minutes = counted.reduce((sum, s) => sum + s.minutes, 0)
  expect(counted.length).toBeGreaterThan(0)

  await signIn(page, 'coordinator')
  await page.getByRole('navigation').getByRole('link', { name: '服务证明' }).click()
  await expect(page).toHaveURL(/\/certificates$/)
  await expect(page.getByTestId('certificates-info')).toContainText('成员详情页')
  await checkPage(page, 'coordinator-certificates')

  await page.goto('/members/v-wang')
  // A period that ends before it starts is refused in the page; nothing is issued.
  await page.locator('input[name=certificate_from]').fill('2026-10-31')
  await page.locator('input[name=certificate_to]').fill('2026-10-01')
  await page.getByTestId('certificate-issue').click()
  await expect(page.getByRole('alert')).toHaveText('截止日期不能早于起始日期。')
  await page.locator('input[name=certificate_from]').fill('2026-10-01')
  await page.locator('input[name=certificate_to]').fill('2026-10-31')
  await page.getByTestId('certificate-issue').click()
  await expect(page.getByTestId('certificate-issued')).toContainText(/ZYK-\d{4}-\d{6}/)
  certificateId = (await page.getByTestId('certificate-issued').locator('strong').textContent())!.trim()
  await expect(page.getByTestId(`certificate-${certificateId}`)).toContainText('有效')
  await checkPage(page, 'coordinator-member-certificate-issued')

  const truth = await (await adminApi(`/v1/certificates/${certificateId}`)).json()
  expect(truth.status).toBe('valid')
  expect(truth.credential.credentialSubject.verified_minutes).toBe(minutes)
  expect(truth.credential.credentialSubject.services).toBe(counted.length)

  await page.getByTestId('certificate-issued').getByRole('link').click()
  await expect(page).toHaveURL(new RegExp(`/certificates/${certificateId}$`))
  await expect(page.getByTestId('certificate-number')).toHaveText(certificateId)
  await expect(page.getByTestId('certificate-name')).toHaveText(truth.credential.credentialSubject.name)
  await expect(page.getByTestId('certificate-hours')).toHaveText(formatHours(minutes))
  await expect(page.getByTestId('certificate-services')).toHaveText(`${counted.length} 次`)
  await expect(page.getByTestId('certificate-period')).toHaveText('2026-10-01 至 2026-10-31')
  await expect(page.getByTestId('certificate-verdict')).toContainText('有效')
  await expect(page.getByTestId('certificate-verdict')).toContainText('✓')
  await expect(page.getByTestId('certificate-reason')).toHaveCount(0)
  await expect(page.getByTestId('certificate-link')).toHaveText(new URL(`/certificates/${certificateId}`, page.url()).href)
  await expect(page.getByTestId('certificate-qr')).toBeVisible()
  await expect(page.getByRole('navigation')).toHaveCount(0) // no staff navigation on the certificate
  await checkPage(page, 'certificate-valid')
})

test('the certificate page works in a fresh browser without sign-in, and prints on one A4 page', async ({ browser }) => {
  expect(certificateId).not.toBe('')
  const context = await browser.newContext({ baseURL: process.env.CONSOLE_URL, locale: 'zh-CN' })
  const page = await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (e) => problems.push(e.message))
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) problems.push(m.text()) })
  await page.goto(`/certificates/${certificateId}`)
  await expect(page).toHaveURL(new RegExp(`/certificates/${certificateId}$`)) // not sent to /login
  await expect(page.getByTestId('certificate-verdict')).toContainText('有效')
  await expect(page.getByRole('button', { name: '打印' })).toBeVisible()
  await checkPage(page, 'certificate-public')
  await page.emulateMedia({ media: 'print' })
  await expect(page.getByRole('button', { name: '打印' })).toBeHidden()
  await page.screenshot({ path: `${screenshots}/certificate-print.png`, fullPage: true })
  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true })
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length
  console.log(`certificate as PDF: ${pages} A4 page(s), ${pdf.length} bytes`)
  expect(pages).toBe(1)
  // An unknown number is said in words.
  await page.emulateMedia({ media: 'screen' })
  await page.goto('/certificates/ZYK-1999-000000')
  await expect(page.getByTestId('certificate-not-found')).toContainText('没有这份证明')
  expect(problems).toEqual([])
  await context.close()
})

test('after the coordinator revokes it, the certificate page shows 已撤销 with the reason', async ({ page, cspViolations }) => {
  void cspViolations
  expect(certificateId).not.toBe('')
  await signIn(page, 'coordinator')
  await page.goto('/members/v-wang')
  const row = page.getByTestId(`certificate-${certificateId}`)
  await row.getByRole('button', { name: '撤销' }).click()
  await expect(row.getByRole('button', { name: '确认撤销' })).toBeDisabled() // a reason first
  await row.locator('input[name=revoke_reason]').fill('期间填写有误，重新开具')
  await checkPage(page, 'coordinator-certificate-revoke-confirm')
  await row.getByRole('button', { name: '确认撤销' }).click()
  await expect(page.getByRole('status').filter({ hasText: '已撤销证明' })).toBeVisible()
  await expect(row).toContainText('已撤销（期间填写有误，重新开具）')
  const truth = await (await adminApi(`/v1/certificates/${certificateId}`)).json()
  expect(truth.status).toBe('revoked')
  await row.getByRole('link', { name: certificateId }).click()
  await expect(page.getByTestId('certificate-verdict')).toContainText('已撤销')
  await expect(page.getByTestId('certificate-verdict')).toContainText('⊘')
  await expect(page.getByTestId('certificate-verdict')).not.toContainText('有效')
  await expect(page.getByTestId('certificate-reason')).not.toBeEmpty()
  await checkPage(page, 'certificate-revoked')
})

test('a coordinator grants an award and registers a relation on a volunteer’s page; her certificate shows the award', async ({ page, cspViolations }) => {
  void cspViolations
  expect(certificateId).not.toBe('')
  await signIn(page, 'coordinator')
  await page.goto('/members/v-wang')
  // A title first: nothing is recorded without one.
  const before = (await (await adminApi('/v1/members/v-wang')).json()).awards.length
  await page.getByTestId('award-submit').click()
  await expect(page.getByRole('alert')).toHaveText('请填写表彰名称。')
  await page.locator('input[name=award_title]').fill('优秀志愿者')
  await page.locator('input[name=award_level]').fill('区级')
  await page.locator('input[name=award_grantor]').fill('石园街道办事处')
  await page.getByTestId('award-submit').click()
  await expect(page.getByRole('status').filter({ hasText: '已登记表彰' })).toBeVisible()
  await expect(page.getByTestId('awards')).toContainText('优秀志愿者（区级 · 石园街道办事处）')
  const member = await (await adminApi('/v1/members/v-wang')).json()
  expect(member.awards.length).toBe(before + 1)
  expect(member.awards.at(-1)).toMatchObject({ title: '优秀志愿者', level: '区级', grantor: '石园街道办事处' })

  // A relation: a member of another branch is refused in words; one of her branch is listed.
  await page.locator('input[name=relative_id]').fill('v-zhang')
  await page.locator('select[name=relation]').selectOption('sibling')
  await page.getByTestId('relation-submit').click()
  await expect(page.getByRole('alert')).toContainText('跨站点')
  await page.locator('input[name=relative_id]').fill('v-li')
  await page.locator('select[name=relation]').selectOption('sibling')
  await page.getByTestId('relation-submit').click()
  await expect(page.getByRole('status').filter({ hasText: '已登记亲属关系' })).toBeVisible()
  await expect(page.getByTestId('relations')).toContainText('兄弟姐妹：v-li')
  await checkPage(page, 'coordinator-member-file')

  // The printable certificate, opened from her page, lists the award.
  await page.getByTestId(`certificate-${certificateId}`).getByRole('link', { name: certificateId }).click()
  await expect(page.getByTestId('certificate-awards')).toContainText('优秀志愿者（区级 · 石园街道办事处）')
  await checkPage(page, 'certificate-with-awards')
})
