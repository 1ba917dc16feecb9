// Service requests (订单式) in real Chromium against the demo ledger: a coordinator records a
// request on the board, assigns it to a volunteer who served the elder (offered first), the
// volunteer sees it under "派给我的需求", and once a service for it is verified it is resolved.
import { servicesOf } from '../src/domain/services'
import type { StoredEvent } from '../src/api/ledger'
import { adminApi, checkPage, expect, signIn, test } from './support'

test.describe.configure({ mode: 'serial' })

const description = `帮忙更换厨房灯泡 ${Date.now()}`
let requestId = ''

test('a coordinator records a request and assigns it, volunteers who served the elder offered first', async ({ page, cspViolations }) => {
  void cspViolations
  await signIn(page, 'coordinator')
  await page.getByRole('navigation').getByRole('link', { name: '服务需求' }).click()
  await expect(page).toHaveURL(/\/coordinator\/requests$/)
  await checkPage(page, 'coordinator-requests')
  await page.getByTestId('request-new').click()
  // Without an elder and a description nothing is recorded.
  await page.getByTestId('request-form').getByRole('button', { name: '登记需求' }).click()
  await expect(page.getByRole('alert')).toHaveText('请选择老人并填写需求说明。')
  await page.locator('select[name=elder_id]').selectOption('e-zhao')
  await page.locator('select[name=need]').selectOption('repair')
  await page.locator('input[name=description]').fill(description)
  await page.locator('input[name=urgent]').check()
  await checkPage(page, 'coordinator-request-form')
  await page.getByTestId('request-form').getByRole('button', { name: '登记需求' }).click()
  const card = page.getByTestId('requests-open').locator('article', { hasText: description })
  await expect(card).toBeVisible()
  await expect(card).toContainText('⚠ 紧急')
  requestId = (await card.getAttribute('data-testid'))!.replace(/^request-/, '')
  const created = await (await adminApi(`/v1/requests/${requestId}`)).json()
  expect(created).toMatchObject({ status: 'open', elder_id: 'e-zhao', need: 'repair', urgent: true, volunteer_id: null })

  // The first volunteer offered has served e-zhao, by her own stream.
  const first = await card.locator('select[name=volunteer_id] option').first()
  const volunteer = (await first.getAttribute('value'))!
  await expect(first).toContainText('服务过该老人')
  const stream = await (await adminApi(`/v1/streams/member-${volunteer}`)).json()
  expect(servicesOf(stream.events as StoredEvent[]).some((s) => s.elderId === 'e-zhao')).toBe(true)
  await card.getByRole('button', { name: '指派' }).click()
  await expect(page.getByTestId('requests-assigned').locator('article', { hasText: description })).toBeVisible()
  await expect(page.getByTestId('requests-open').locator('article', { hasText: description })).toHaveCount(0)
  const assigned = await (await adminApi(`/v1/requests/${requestId}`)).json()
  expect(assigned).toMatchObject({ status: 'assigned', volunteer_id: volunteer })
  await checkPage(page, 'coordinator-requests-assigned')
})

test('the volunteer sees the request assigned to her; once its service is verified it is resolved', async ({ page, browser, cspViolations }) => {
  void cspViolations
  expect(requestId).not.toBe('')
  const assigned = await (await adminApi(`/v1/requests/${requestId}`)).json()
  expect(assigned.volunteer_id).toBe('v-wang') // the demo volunteer who signs in below
  await page.setViewportSize({ width: 375, height: 667 })
  await signIn(page, 'member')
  await page.getByTestId('my-requests-link').click()
  await expect(page).toHaveURL(/\/me\/requests$/)
  const item = page.getByTestId('my-requests').locator('li', { hasText: description })
  await expect(item).toContainText('已指派')
  await expect(item).toContainText('维修')
  await checkPage(page, 'volunteer-requests')

  // The visit for it, logged and verified (seeded with the admin key), resolves the request.
  const now = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 16)
  const serviceId = `svc-${requestId}`
  for (const event of [
    { id: `log-${requestId}`, type: 'ServiceLogged', occurred_at: `${now}:00+08:00`, data: { service_id: serviceId, volunteer_id: 'v-wang', elder_id: 'e-zhao', kind: 'other', started_at: `${now}:00+08:00`, minutes: 30, request_id: requestId } },
    { id: `ok-${requestId}`, type: 'ServiceVerified', occurred_at: `${now}:00+08:00`, data: { service_id: serviceId, confirmed_by: 'e-zhao' } },
  ]) {
    const r = await adminApi('/v1/events', { method: 'POST', body: JSON.stringify(event) })
    expect(r.status, await r.text()).toBe(201)
  }
  await expect.poll(async () => (await (await adminApi(`/v1/requests/${requestId}`)).json()).status).toBe('resolved')
  await page.reload()
  await expect(page.getByTestId('my-requests').locator('li', { hasText: description })).toContainText('✓ 已解决')

  const context = await browser.newContext({ baseURL: process.env.CONSOLE_URL, locale: 'zh-CN' })
  const staff = await context.newPage()
  await signIn(staff, 'coordinator')
  await staff.goto('/coordinator/requests')
  await expect(staff.getByTestId('requests-resolved').locator('article', { hasText: 'e-zhao' }).first()).toBeVisible()
  await expect(staff.getByTestId(`request-${requestId}`)).toContainText('解决时间')
  await checkPage(staff, 'coordinator-requests-resolved')
  await context.close()
})
