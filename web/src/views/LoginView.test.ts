import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import LoginView from './LoginView.vue'

function problem(status: number, code: string, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify({ type: 'about:blank', title: code, status, detail: code, code }), {
    status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
  })
}

async function submitWith(answer: Response) {
  const fetchMock = vi.fn().mockResolvedValue(answer)
  vi.stubGlobal('fetch', fetchMock)
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<p/>' } }] })
  const w = mount(LoginView, { global: { plugins: [router] } })
  await w.get('input[name=login]').setValue('13800000001')
  await w.get('input[name=password]').setValue('secret-words')
  await w.get('form').trigger('submit')
  await flushPromises()
  return { w, fetchMock, router }
}

afterEach(() => vi.unstubAllGlobals())

describe('LoginView', () => {
  it('says in Chinese that the login or password is wrong', async () => {
    const { w, fetchMock } = await submitWith(problem(401, 'invalid_credentials'))
    expect(w.get('[role=alert]').text()).toBe('账号或密码不正确，请重新输入。')
    const request = fetchMock.mock.calls[0][0] as Request
    expect(request.method).toBe('POST')
    expect(new URL(request.url).pathname).toBe('/v1/sessions')
    expect(await request.json()).toEqual({ login: '13800000001', password: 'secret-words' })
  })
  it('gives the wait time of a 429 from Retry-After', async () => {
    const { w } = await submitWith(problem(429, 'rate_limited', { 'Retry-After': '125' }))
    expect(w.get('[role=alert]').text()).toBe('尝试次数过多，请在 3 分钟 后再试。')
  })
  it('counts seconds under a minute', async () => {
    const { w } = await submitWith(problem(429, 'rate_limited', { 'Retry-After': '40' }))
    expect(w.get('[role=alert]').text()).toBe('尝试次数过多，请在 40 秒 后再试。')
  })
  it('goes to the role’s home after signing in', async () => {
    const session = { account_id: 'a', login: 'x', role: 'member', member_id: 'v-wang', csrf_token: 't', expires_at: '2026-12-31T00:00:00+08:00' }
    const { router } = await submitWith(new Response(JSON.stringify(session), { status: 201, headers: { 'Content-Type': 'application/json' } }))
    expect(router.currentRoute.value.path).toBe('/me')
  })
})
