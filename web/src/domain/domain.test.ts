import { describe, expect, it } from 'vitest'
import type { StoredEvent } from '../api/ledger'
import { redemptionsOf, servicesOf, verifiedMinutesIn } from './services'
import { starProgress } from './stars'

let position = 0
function ev(id: string, type: string, data: Record<string, unknown>, occurred = '2026-10-05T10:00:00+08:00'): StoredEvent {
  position++
  return { position, id, type, stream: 'member-v-1', version: position, occurred_at: occurred, recorded_at: occurred, actor: 'a', data, prev_hash: '', hash: '' }
}
const logged = (n: number, started: string, minutes: number) =>
  ev(`ev-s${n}`, 'ServiceLogged', { service_id: `s${n}`, volunteer_id: 'v-1', elder_id: 'e-1', kind: 'home_visit', started_at: started, minutes })

describe('servicesOf', () => {
  it('follows each service to its latest state, newest first', () => {
    const events = [
      logged(1, '2026-10-03T09:00:00+08:00', 90),
      ev('ev-s1-ok', 'ServiceVerified', { service_id: 's1', confirmed_by: 'e-1' }),
      logged(2, '2026-10-10T09:00:00+08:00', 60),
      ev('ev-s2-no', 'ServiceRejected', { service_id: 's2', reason: '重复登记' }),
      logged(3, '2026-11-01T00:30:00+08:00', 45),
      logged(4, '2026-10-20T09:00:00+08:00', 30),
      ev('r4', 'EventReversed', { reversal_id: 'r4', reverses_id: 'ev-s4', reason: '录错' }),
    ]
    const s = servicesOf(events)
    expect(s.map((x) => [x.serviceId, x.state])).toEqual([
      ['s3', 'pending'],
      ['s4', 'reversed'],
      ['s2', 'rejected'],
      ['s1', 'verified'],
    ])
    expect(s[3].confirmedBy).toBe('e-1')
    expect(verifiedMinutesIn(s, '2026-10')).toBe(90)
    expect(verifiedMinutesIn(s, '2026-11')).toBe(0)
  })
  it('puts a verification undone back to pending', () => {
    const s = servicesOf([
      logged(1, '2026-10-03T09:00:00+08:00', 90),
      ev('ev-s1-ok', 'ServiceVerified', { service_id: 's1', confirmed_by: 'e-1' }),
      ev('r1', 'EventReversed', { reversal_id: 'r1', reverses_id: 'ev-s1-ok', reason: '错' }),
    ])
    expect(s[0].state).toBe('pending')
  })
})

describe('redemptionsOf', () => {
  it('lists redemptions with the amount the server computed', () => {
    const r = redemptionsOf([
      ev('ev-rd', 'RedemptionMade', { redemption_id: 'rd', minutes: 120, reward: 'cash', amount_fen: 4000 }),
      ev('ev-rd2', 'RedemptionMade', { redemption_id: 'rd2', minutes: 60, reward: 'training', course: '护理' }, '2026-10-30T10:00:00+08:00'),
    ])
    expect(r.map((x) => [x.redemptionId, x.amountFen])).toEqual([['rd2', null], ['rd', 4000]])
  })
})

describe('starProgress', () => {
  it.each([
    [0, 0, 1, 6000, 0],
    [0, 390, 1, 5610, 6],
    [1, 6000, 2, 12000, 0],
    [1, 12000, 2, 6000, 50],
    [4, 70000, 5, 20000, 33],
  ])('star %i with %i minutes → next %i in %i minutes, %i%%', (star, minutes, next, toGo, percent) => {
    expect(starProgress(star, minutes)).toEqual({ star, nextStar: next, minutesToNext: toGo, percent })
  })
  it('has no next star at the top', () => {
    expect(starProgress(5, 100000)).toEqual({ star: 5, nextStar: null, minutesToNext: 0, percent: 100 })
  })
})

import { trailSankey } from './sankey'
describe('trailSankey', () => {
  it('adds up partner → source → use links in fen, without reversed outflows', () => {
    const d = trailSankey(
      [
        { outflow_id: 'x1', type: 'DisbursementMade', purpose: 'elder_aid', amount_fen: 300000, sources: [{ source_id: 'd-a', partner_id: 'p-a', amount_fen: 300000 }] },
        { outflow_id: 'x2', type: 'DisbursementMade', purpose: 'elder_aid', amount_fen: 150000, sources: [{ source_id: 'd-a', partner_id: 'p-a', amount_fen: 100000 }, { source_id: 'd-b', partner_id: 'p-b', amount_fen: 50000 }] },
        { outflow_id: 'x3', type: 'ExpenseRecorded', category: 'materials', amount_fen: 7, reversed: true, sources: [{ source_id: 'd-b', partner_id: 'p-b', amount_fen: 7 }] },
      ],
      (p) => `捐赠方 ${p}`,
      (o) => `用途 ${o.purpose || o.category}`,
    )
    expect(d.links).toEqual([
      { source: '捐赠方 p-a', target: 'd-a', value: 400000 },
      { source: 'd-a', target: '用途 elder_aid', value: 400000 },
      { source: '捐赠方 p-b', target: 'd-b', value: 50000 },
      { source: 'd-b', target: '用途 elder_aid', value: 50000 },
    ])
    expect(d.nodes.map((n) => n.name)).toEqual(['捐赠方 p-a', 'd-a', '用途 elder_aid', '捐赠方 p-b', 'd-b'])
  })
})

import { minutesPerWeek, servicesByKind } from './monthly'
describe('monthly groupings', () => {
  it('puts verified services of the Beijing month into weeks of seven days and kinds', () => {
    const s = servicesOf([
      logged(21, '2026-10-01T08:00:00+08:00', 60),
      ev('ok21', 'ServiceVerified', { service_id: 's21', confirmed_by: 'e' }),
      logged(22, '2026-10-07T23:30:00+08:00', 30),
      ev('ok22', 'ServiceVerified', { service_id: 's22', confirmed_by: 'e' }),
      logged(23, '2026-10-31T16:30:00Z', 45), // 2026-11-01 00:30 in Beijing: not October
      ev('ok23', 'ServiceVerified', { service_id: 's23', confirmed_by: 'e' }),
      logged(24, '2026-10-29T10:00:00+08:00', 50), // pending: not counted
    ])
    expect(minutesPerWeek(s, '2026-10')).toEqual([90, 0, 0, 0, 0])
    expect(minutesPerWeek(s, '2026-11')).toEqual([45, 0, 0, 0, 0])
    expect(servicesByKind(s, '2026-10')).toEqual([['home_visit', 2]])
  })
})
