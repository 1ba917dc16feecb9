import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import StarProgress from './StarProgress.vue'

describe('StarProgress', () => {
  it('says in words how many hours the next star is away', () => {
    const w = mount(StarProgress, { props: { star: 0, verifiedMinutes: 390 } })
    expect(w.get('[data-testid=to-next]').text()).toBe('6% · 再服务 93.5 小时可升到 1 星')
    expect(w.get('[role=progressbar]').attributes('aria-valuenow')).toBe('6')
    expect(w.get('[data-testid=star]').text()).toContain('0 星')
  })
  it('follows the policy in force when the member read gives its thresholds', () => {
    // The demo's policy: 4★ from 50 h, 5★ at 70 h; 54.5 h verified.
    const w = mount(StarProgress, { props: { star: 4, verifiedMinutes: 3270, starFromMinutes: 3000, nextStarMinutes: 4200 } })
    expect(w.get('[data-testid=to-next]').text()).toBe('22% · 再服务 15.5 小时可升到 5 星')
    const top = mount(StarProgress, { props: { star: 5, verifiedMinutes: 5000, starFromMinutes: 4200, nextStarMinutes: null } })
    expect(top.get('[data-testid=to-next]').text()).toContain('已是最高星级')
  })
  it('has no next star at five stars', () => {
    const w = mount(StarProgress, { props: { star: 5, verifiedMinutes: 100000 } })
    expect(w.get('[data-testid=to-next]').text()).toContain('已是最高星级')
    expect(w.get('[role=progressbar]').attributes('aria-valuenow')).toBe('100')
  })
})
