import { describe, expect, it } from 'vitest'
import type { Member, ServiceRequest } from '../api/ledger'
import { boardOf, candidatesFor } from './requests'

const req = (id: string, status: ServiceRequest['status'], at: string, urgent = false): ServiceRequest => ({
  request_id: id, elder_id: 'e-1', branch_id: 'b-1', need: 'home_visit', status, volunteer_id: status === 'open' ? null : 'v-1',
  service_ids: [], requested_at: at, resolved_at: null, urgent, wanted_by: null, requested_by: null,
})
const member = (id: string, kind: Member['kind'] = 'volunteer', active = true): Member => ({
  member_id: id, kind, branch_id: 'b-1', active, star: 0, verified_minutes: 0, pending_minutes: 0, credit_minutes: 0, gifted_minutes: 0, redeemed_minutes: 0, training_minutes: 0, income_fen: 0, awards: [],
  star_from_minutes: 0, next_star_minutes: 6000,
})

describe('boardOf', () => {
  it('puts requests in columns by status, urgent open ones first, cancelled ones nowhere', () => {
    const b = boardOf([
      req('r3', 'open', '2026-12-03T09:00:00+08:00'),
      req('r1', 'open', '2026-12-01T09:00:00+08:00'),
      req('r4', 'open', '2026-12-04T09:00:00+08:00', true),
      req('r2', 'assigned', '2026-12-02T09:00:00+08:00'),
      req('r5', 'resolved', '2026-11-02T09:00:00+08:00'),
      req('r6', 'cancelled', '2026-11-03T09:00:00+08:00'),
    ])
    expect(b.open.map((r) => r.request_id)).toEqual(['r4', 'r1', 'r3'])
    expect(b.assigned.map((r) => r.request_id)).toEqual(['r2'])
    expect(b.resolved.map((r) => r.request_id)).toEqual(['r5'])
  })
})

describe('candidatesFor', () => {
  it('offers active volunteers only, those who served the elder first', () => {
    const served = new Map([['v-c', new Set(['e-1'])], ['v-a', new Set(['e-2'])]])
    const c = candidatesFor('e-1', [member('v-a'), member('e-1', 'elder'), member('v-b', 'youth_volunteer'), member('v-c'), member('v-d', 'volunteer', false)], served)
    expect(c.map((x) => [x.member.member_id, x.paired])).toEqual([['v-c', true], ['v-a', false], ['v-b', false]])
  })
})
