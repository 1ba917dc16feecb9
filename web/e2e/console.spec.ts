// The console in real Chromium against a real ledgerd with the demo ledger: each role's home,
// the volunteer's phone page measured (font and tap-target sizes), recording a visit, verifying
// it, invitations, sealing, scope, sign-out; axe and a screenshot on every page.
import { formatHours } from '../src/format/hours'
import { formatFen } from '../src/format/money'
import { adminApi, axeFindings, checkPage, demo, expect, screenshots, signIn, smallestMainText, smallestTapTarget, test } from './support'

test.describe.configure({ mode: 'serial' })
const phone = { width: 375, height: 667 }

async function memberMinutes(id: string): Promise<{ verified: number; pending: number; name: string; star: number }> {
  const m = await (await adminApi(`/v1/members/${id}`)).json()
  return { verified: m.verified_minutes, pending: m.pending_minutes, name: m.name, star: m.star }
}

test.afterAll(() => {
  console.log('axe summary (page: critical/serious/moderate/minor):')
  for (const r of axeFindings) console.log(`  ${r.page}: ${r.critical}/${r.serious}/${r.moderate}/${r.minor}`)
})

test('sign-in page: wrong password and too many tries get clear Chinese errors', async ({ page, cspViolations }) => {
  void cspViolations
  await page.goto('/login')
  await expect(page.locator('input[name=login]')).toBeVisible()
  await expect(page.locator('input[name=password]')).toBeVisible()
  await checkPage(page, 'login')
  await page.locator('input[name=login]').fill(demo.auditor.login)
  await page.locator('input[name=password]').fill('not-the-password')
  await page.getByRole('button', { name: '登录' }).click()
  await expect(page.getByRole('alert')).toHaveText('账号或密码不正确，请重新输入。')
  await checkPage(page, 'login-wrong-password')
  // Five failures for one login, then the sixth try is refused with the wait time.
  await page.locator('input[name=login]').fill('nobody-e2e')
  for (let i = 0; i < 5; i++) {
    await page.locator('input[name=password]').fill(`wrong-${i}`)
    await page.getByRole('button', { name: '登录' }).click()
    await expect(page.getByRole('alert')).toHaveText('账号或密码不正确，请重新输入。')
    await expect(page.getByRole('button', { name: '登录' })).toBeEnabled()
  }
  await page.locator('input[name=password]').fill('wrong-again')
  await page.getByRole('button', { name: '登录' }).click()
  await expect(page.getByRole('alert')).toHaveText(/^尝试次数过多，请在 \d+ (分钟|秒) 后再试。$/)
  console.log(`429 message: ${await page.getByRole('alert').textContent()}`)
})

for (const [role, home, heading] of [
  ['admin', '/admin', '总览'],
  ['coordinator', '/coordinator/queue', '待核验的服务'],
  ['auditor', '/auditor', '审计'],
  ['partner', '/partner', '我的捐赠与采购'],
] as const) {
  test(`${role} lands on its home`, async ({ page, cspViolations }) => {
    void cspViolations
    await signIn(page, role)
    await expect(page).toHaveURL(new RegExp(`${home}$`))
    await expect(page.getByRole('heading', { level: 1 })).toContainText(heading)
    await checkPage(page, `${role}-home`)
  })
}

test.describe('on a 375 × 667 phone', () => {
  test.use({ viewport: phone, isMobile: true, hasTouch: true })

  test('the volunteer lands on her page: hours, credits, star; text ≥ 18 px, targets ≥ 44 px', async ({ page, cspViolations }) => {
    void cspViolations
    const truth = await memberMinutes('v-wang')
    await signIn(page, 'member')
    await expect(page).toHaveURL(/\/me$/)
    await expect(page.getByTestId('verified-hours')).toHaveText(formatHours(truth.verified))
    await expect(page.getByTestId('pending-hours')).toHaveText(formatHours(truth.pending))
    // The demo's policy (api/demo_ledger.cc) gives her stars: the next one is named.
    expect(truth.star).toBeGreaterThan(0)
    await expect(page.getByTestId('to-next')).toContainText(truth.star < 5 ? `可升到 ${truth.star + 1} 星` : '已是最高星级')
    // Beijing time although the browser runs in America/New_York: the ledger writes +08:00, so the
    // wall-clock digits of started_at are what the page must show.
    const stream = await (await adminApi('/v1/streams/member-v-wang')).json()
    const latest = stream.events.filter((e: { type: string }) => e.type === 'ServiceLogged').map((e: { data: { started_at: string } }) => e.data.started_at).sort().pop() as string
    expect(latest).toMatch(/\+08:00$/)
    await expect(page.getByTestId('services').locator('li').first()).toContainText(`${latest.slice(0, 10)} ${latest.slice(11, 16)}`)
    // rd-wang: 120 minutes at 2000 fen/h plus her star's bonus, as the ledger computed it.
    const redeemed = stream.events.find((e: { type: string; data: { redemption_id?: string } }) => e.type === 'RedemptionMade' && e.data.redemption_id === 'rd-wang')
    expect(redeemed.data.amount_fen).toBeGreaterThanOrEqual(4000)
    await expect(page.getByTestId('redemptions')).toContainText(formatFen(redeemed.data.amount_fen))
    await checkPage(page, 'volunteer-home')
    await page.screenshot({ path: `${screenshots}/volunteer-phone-375x667.png` }) // the README's picture
    const font = await smallestMainText(page)
    const target = await smallestTapTarget(page)
    console.log(`volunteer page: smallest main text ${font.px}px ("${font.text}", ${font.count} text nodes); smallest tap target ${target.width}×${target.height}px (${target.what}, ${target.count} targets)`)
    expect(font.px).toBeGreaterThanOrEqual(18)
    expect(Math.min(target.width, target.height)).toBeGreaterThanOrEqual(44)
    // 大字: by keyboard, and every text grows.
    await page.getByTestId('big-text').focus()
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('big-text')).toHaveAttribute('aria-pressed', 'true')
    const big = await smallestMainText(page)
    console.log(`volunteer page with 大字: smallest main text ${big.px}px`)
    expect(big.px).toBeGreaterThan(font.px)
    await checkPage(page, 'volunteer-home-big')
    await page.getByTestId('big-text').click()
    await expect(page.getByTestId('big-text')).toHaveAttribute('aria-pressed', 'false')
  })

  test('the volunteer records a visit on her phone; it waits for verification', async ({ page, cspViolations }) => {
    void cspViolations
    const before = await memberMinutes('v-wang')
    await signIn(page, 'member')
    await page.getByTestId('record-link').click()
    await expect(page).toHaveURL(/\/me\/record$/)
    await expect(page.locator('input[name=elder_id]')).toHaveValue('e-zhao')
    await page.locator('input[name=minutes]').fill('90')
    await page.locator('select[name=kind]').selectOption('companionship')
    await page.locator('textarea[name=content]').fill('陪老人聊天、读报')
    await checkPage(page, 'volunteer-record')
    const font = await smallestMainText(page)
    const target = await smallestTapTarget(page)
    console.log(`record page: smallest main text ${font.px}px ("${font.text}"); smallest tap target ${target.width}×${target.height}px (${target.what})`)
    expect(font.px).toBeGreaterThanOrEqual(18)
    expect(Math.min(target.width, target.height)).toBeGreaterThanOrEqual(44)
    await page.getByRole('button', { name: '提交登记' }).click()
    // Her own visit is hers to record (the member's write scope, domain/scope_rules.cc).
    await expect(page.getByTestId('recorded')).toBeVisible()
    await checkPage(page, 'volunteer-recorded')
    await page.getByRole('link', { name: '回到我的首页' }).click()
    await page.goto('/me')
    await expect(page.getByTestId('pending-hours')).toHaveText(formatHours(before.pending + 90))
    // Her new visit is listed as waiting (the list is ordered by when visits began).
    await expect(page.getByTestId('services').locator('li', { hasText: '待核验' }).filter({ hasText: formatHours(90) }).first()).toBeVisible()
  })
})

test('keyboard only: the volunteer signs in and opens the visit form without a mouse', async ({ page, cspViolations }) => {
  void cspViolations
  await page.setViewportSize(phone)
  await page.goto('/login')
  await page.keyboard.press('Tab') // the skip link comes first
  await expect(page.locator('.skip-link')).toBeFocused()
  await page.keyboard.press('Tab')
  await expect(page.locator('input[name=login]')).toBeFocused()
  await page.keyboard.type(demo.member.login)
  await page.keyboard.press('Tab')
  await page.keyboard.type(demo.member.password)
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(/\/me$/)
  await expect(page.getByTestId('verified-hours')).toBeVisible()
  let reached = false
  for (let i = 0; i < 8 && !reached; i++) {
    await page.keyboard.press('Tab')
    reached = await page.getByTestId('record-link').evaluate((el) => el === document.activeElement)
  }
  expect(reached, 'the record link is reachable by Tab').toBe(true)
  const outline = await page.getByTestId('record-link').evaluate((el) => getComputedStyle(el).outlineStyle)
  expect(outline, 'focus is visible').not.toBe('none')
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(/\/me\/record$/)
})

test('a coordinator verifies the pending visit and the volunteer sees her hours change', async ({ page, browser, cspViolations }) => {
  void cspViolations
  const before = await memberMinutes('v-wang')
  expect(before.pending).toBe(90)
  await signIn(page, 'coordinator')
  const row = page.getByTestId('queue').locator('tbody tr', { hasText: before.name })
  await expect(row).toHaveCount(1)
  await expect(row.locator('input.field-input')).toHaveValue('e-zhao')
  await checkPage(page, 'coordinator-queue')
  await row.getByRole('button', { name: '核验通过' }).click()
  await expect(page.getByTestId('queue-message')).toHaveText('已核验 1 条。')
  await expect(page.getByTestId('queue-empty')).toBeVisible()
  const after = await memberMinutes('v-wang')
  expect(after.verified).toBe(before.verified + 90)
  expect(after.pending).toBe(0)

  const phoneContext = await browser.newContext({ viewport: phone, isMobile: true, baseURL: process.env.CONSOLE_URL })
  const her = await phoneContext.newPage()
  await signIn(her, 'member')
  await expect(her.getByTestId('verified-hours')).toHaveText(formatHours(before.verified + 90))
  await expect(her.getByTestId('month-hours')).toHaveText(formatHours(90))
  await expect(her.getByTestId('pending-hours')).toHaveText(formatHours(0))
  await expect(her.getByTestId('services').locator('li').first()).toContainText('已核验')
  await her.screenshot({ path: `${screenshots}/volunteer-home-after-verify.png`, fullPage: true })
  await phoneContext.close()
})

test('a coordinator invites a volunteer with a printable link and QR code; she sets her password and signs in', async ({ page, browser, cspViolations }) => {
  void cspViolations
  await signIn(page, 'coordinator')
  await page.getByRole('link', { name: '成员', exact: true }).click()
  await expect(page.getByTestId('members')).toContainText('v-li')
  await checkPage(page, 'coordinator-members')
  await page.getByRole('link', { name: 'v-li', exact: true }).click()
  await expect(page.getByTestId('member-detail')).toBeVisible()
  await page.locator('input[name=invite_login]').fill('13800000099')
  await page.getByTestId('invite').click()
  await expect(page.getByTestId('invitation-qr')).toBeVisible()
  const link = await page.getByTestId('invitation-link').getAttribute('href')
  expect(link).toMatch(/\/activate\?token=/)
  await checkPage(page, 'coordinator-invitation')

  const fresh = await browser.newContext({ viewport: phone, isMobile: true })
  const her = await fresh.newPage()
  await her.goto(link!)
  await her.locator('input[name=password]').fill('李阿姨的新密码2026')
  await her.locator('input[name=password_again]').fill('李阿姨的新密码2026')
  await checkPage(her, 'activate')
  await her.getByRole('button', { name: '设置密码' }).click()
  await expect(her.getByRole('status')).toHaveText('密码已设置，请用新密码登录。')
  await her.getByRole('link', { name: '去登录' }).click()
  await her.locator('input[name=login]').fill('13800000099')
  await her.locator('input[name=password]').fill('李阿姨的新密码2026')
  await her.getByRole('button', { name: '登录' }).click()
  await expect(her).toHaveURL(/\/me$/)
  await expect(her.getByRole('heading', { level: 1 })).toContainText('李')
  await fresh.close()
})

test('a coordinator reads the monthly report with charts and seals a month after seeing what will be sealed', async ({ page, cspViolations }) => {
  void cspViolations
  await signIn(page, 'coordinator')
  await page.goto('/reports/monthly?month=2026-10')
  await expect(page.getByTestId('seal-state')).toContainText('本月已封存')
  await expect(page.locator('.echart svg')).toHaveCount(3)
  await checkPage(page, 'coordinator-report')
  await page.goto('/reports/monthly?month=2026-11')
  await expect(page.getByTestId('seal-state')).toContainText('本月尚未封存')
  await page.getByTestId('seal').click()
  await expect(page.getByTestId('seal-confirm')).toContainText('b-shiyuan')
  await expect(page.getByTestId('seal-confirm')).toContainText('2026-11')
  await checkPage(page, 'coordinator-seal-confirm')
  await page.getByRole('button', { name: '确认封存' }).click()
  await expect(page.getByTestId('seal-state')).toContainText('本月已封存')
})

test('funds: balance, charts and the trail from partners through donations to uses', async ({ page, cspViolations }) => {
  void cspViolations
  const fund = await (await adminApi('/v1/funds/f-aid')).json()
  await signIn(page, 'coordinator')
  await page.getByRole('link', { name: '资金' }).click()
  await expect(page.getByTestId('balance')).toHaveText(new RegExp(`^[\\d,]+\\.\\d\\d 元$`))
  const shown = (await page.getByTestId('balance').textContent())!.replace(/[^\d]/g, '')
  expect(Number(shown)).toBe(fund.balance_fen)
  await expect(page.getByTestId('donations')).toContainText('d-avic')
  // The funds to pick come from GET /v1/funds (the coordinator's branch's); grants and goods in
  // kind are shown apart from the spendable balance.
  await expect(page.getByTestId('fund-pick')).toContainText('f-aid')
  await expect(page.getByTestId('grants')).toHaveText(new RegExp(`^[\\d,]+\\.\\d\\d 元$`))
  await expect(page.locator('.echart svg')).toHaveCount(3)
  await checkPage(page, 'funds')
})

test('auditor and admin pages', async ({ page, cspViolations }) => {
  void cspViolations
  await signIn(page, 'auditor')
  await expect(page.getByTestId('public-key')).toContainText('BEGIN PUBLIC KEY')
  await page.goto('/reports/monthly?branch_id=b-gaoliying&month=2026-10')
  await expect(page.getByTestId('report-cards')).toBeVisible()
  await checkPage(page, 'auditor-report')
  await page.goto('/funds/f-aid')
  await expect(page.getByTestId('trail')).toContainText('x-aid1')
  await page.getByTestId('sign-out').click()
  await signIn(page, 'admin')
  await expect(page.getByTestId('accounts')).toContainText('demo-coordinator')
  await page.goto('/soon/certificates')
  await checkPage(page, 'coming-soon')
})

test('a coordinator cannot reach another branch’s member through the URL', async ({ page, cspViolations }) => {
  void cspViolations
  const other = await memberMinutes('v-gao')
  await signIn(page, 'coordinator')
  await page.goto('/members/v-gao')
  await expect(page.getByTestId('not-found')).toBeVisible()
  await expect(page.getByTestId('member-detail')).toHaveCount(0)
  await expect(page.locator('body')).not.toContainText(other.name)
  await checkPage(page, 'coordinator-other-branch-member')
  await page.goto('/members/no-such-member')
  await expect(page.getByTestId('not-found')).toBeVisible()
})

test('sign-out ends the session on the server', async ({ page, cspViolations }) => {
  void cspViolations
  await page.setViewportSize(phone)
  await signIn(page, 'member')
  const cookie = (await page.context().cookies()).find((c) => c.name === 'zl_session')
  expect(cookie).toBeTruthy()
  await page.getByTestId('sign-out').click()
  await expect(page).toHaveURL(/\/login$/)
  await page.goto('/me')
  await expect(page).toHaveURL(/\/login\?next=/)
  const r = await fetch(`${process.env.LEDGER_URL}/v1/sessions/current`, { headers: { Cookie: `zl_session=${cookie!.value}` } })
  expect(r.status).toBe(401)
})
