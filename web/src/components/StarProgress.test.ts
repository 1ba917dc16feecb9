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
  it('has no next star at five stars', () => {
    const w = mount(StarProgress, { props: { star: 5, verifiedMinutes: 100000 } })
    expect(w.get('[data-testid=to-next]').text()).toContain('已是最高星级')
    expect(w.get('[role=progressbar]').attributes('aria-valuenow')).toBe('100')
  })
})
