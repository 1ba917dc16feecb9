// Shared pieces of the e2e tests: the demo logins, signing in through the form, and the checks
// every page gets (axe-core: no serious or critical violation; no CSP violation; a screenshot).
import AxeBuilder from '@axe-core/playwright'
import { test as base, expect, type Page } from '@playwright/test'
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const demo = {
  admin: { login: 'demo-admin', password: 'zhaiyi-demo-admin' },
  coordinator: { login: 'demo-coordinator', password: 'zhaiyi-demo-coordinator' },
  auditor: { login: 'demo-auditor', password: 'zhaiyi-demo-auditor' },
  partner: { login: 'demo-partner', password: 'zhaiyi-demo-partner' },
  member: { login: '13800000001', password: 'zhaiyi-demo-volunteer' },
} as const
export type DemoRole = keyof typeof demo

export const screenshots = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../var/console-screenshots')
mkdirSync(screenshots, { recursive: true })

export const test = base.extend<{ cspViolations: string[] }>({
  baseURL: async ({}, use) => use(process.env.CONSOLE_URL),
  cspViolations: async ({ page }, use) => {
    const violations: string[] = []
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text())
    })
    page.on('pageerror', (e) => violations.push(`page error: ${e.message}`))
    await use(violations)
    expect(violations, 'no CSP violation or script error').toEqual([])
  },
})
export { expect }

export const axeFindings: Array<{ page: string; serious: number; critical: number; moderate: number; minor: number }> = []

/** Axe on the page as it is now (0 serious or critical allowed), then a full-page screenshot. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle')
  await expect(page.locator('[role=status]', { hasText: '正在加载' })).toHaveCount(0)
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze()
  const count = (impact: string) => result.violations.filter((v) => v.impact === impact).length
  const row = { page: name, serious: count('serious'), critical: count('critical'), moderate: count('moderate'), minor: count('minor') }
  axeFindings.push(row)
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  console.log(`axe ${name}: ${result.passes.length} rules pass; violations critical ${row.critical}, serious ${row.serious}, moderate ${row.moderate}, minor ${row.minor}` +
    result.violations.filter((v) => !bad.includes(v)).map((v) => ` [${v.impact} ${v.id}]`).join(''))
  await page.screenshot({ path: resolve(screenshots, `${name}.png`), fullPage: true })
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')}`)).toEqual([])
}

export async function signIn(page: Page, role: DemoRole): Promise<void> {
  await page.goto('/login')
  await page.locator('input[name=login]').fill(demo[role].login)
  await page.locator('input[name=password]').fill(demo[role].password)
  await page.getByRole('button', { name: '登录' }).click()
  await expect(page).not.toHaveURL(/\/login/)
}

/** Smallest computed font size (px) of the visible text in <main>, and the element that has it. */
export async function smallestMainText(page: Page): Promise<{ px: number; text: string; count: number }> {
  return page.evaluate(() => {
    let px = Infinity
    let text = ''
    let count = 0
    const walker = document.createTreeWalker(document.querySelector('main') ?? document.body, NodeFilter.SHOW_TEXT)
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement
      if (!el || !n.textContent?.trim()) continue
      const rect = el.getBoundingClientRect()
      const style = getComputedStyle(el)
      if (rect.width === 0 || rect.height === 0 || style.visibility === 'hidden' || el.closest('.sr-only')) continue
      count++
      const size = parseFloat(style.fontSize)
      if (size < px) {
        px = size
        text = n.textContent.trim().slice(0, 30)
      }
    }
    return { px, text, count }
  })
}

/** Smallest width and height (px) of the visible tap targets on the page. */
export async function smallestTapTarget(page: Page): Promise<{ width: number; height: number; what: string; count: number }> {
  return page.evaluate(() => {
    let width = Infinity
    let height = Infinity
    let what = ''
    let count = 0
    for (const el of document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, [role=button], [tabindex]:not([tabindex="-1"])')) {
      const r = el.getBoundingClientRect()
      if (r.width === 0 || r.height === 0 || el.classList.contains('skip-link')) continue
      count++
      if (Math.min(r.width, r.height) < Math.min(width, height)) what = `${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('name') || '').trim().slice(0, 20)}"`
      width = Math.min(width, r.width)
      height = Math.min(height, r.height)
    }
    return { width, height, what, count }
  })
}

/** A ledger request with the admin key (test setup only: seeding and reading the truth). */
export async function adminApi(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${process.env.LEDGER_URL}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${process.env.LEDGER_ADMIN_KEY_E2E}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
  })
}
