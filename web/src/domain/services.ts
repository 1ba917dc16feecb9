// Reads a volunteer's stream into what the pages show: her services with their state, and her
// redemptions. The ledger's projections hold the totals; this only lists and groups the events.
import type { StoredEvent } from '../api/ledger'
import { beijingMonth } from '../format/time'

export type ServiceState = 'pending' | 'verified' | 'rejected' | 'reversed'

export interface Service {
  serviceId: string
  eventId: string
  volunteerId: string
  elderId: string
  kind: string
  startedAt: string
  minutes: number
  content: string
  state: ServiceState
  confirmedBy: string
  reason: string
}

export interface Redemption {
  redemptionId: string
  minutes: number
  reward: string
  amountFen: number | null
  course: string
  at: string
  reversed: boolean
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')
const int = (v: unknown): number => (typeof v === 'number' && Number.isInteger(v) ? v : 0)

/** The services of a stream, newest first, each with its latest state. */
export function servicesOf(events: StoredEvent[]): Service[] {
  const byId = new Map<string, Service>()
  const byEventId = new Map<string, Service>()
  for (const e of events) {
    const d = e.data
    if (e.type === 'ServiceLogged') {
      const s: Service = {
        serviceId: str(d.service_id),
        eventId: e.id,
        volunteerId: str(d.volunteer_id),
        elderId: str(d.elder_id),
        kind: str(d.kind),
        startedAt: str(d.started_at),
        minutes: int(d.minutes),
        content: str(d.content),
        state: 'pending',
        confirmedBy: '',
        reason: '',
      }
      byId.set(s.serviceId, s)
      byEventId.set(e.id, s)
    } else if (e.type === 'ServiceVerified') {
      const s = byId.get(str(d.service_id))
      if (s) {
        s.state = 'verified'
        s.confirmedBy = str(d.confirmed_by)
        byEventId.set(e.id, s)
      }
    } else if (e.type === 'ServiceRejected') {
      const s = byId.get(str(d.service_id))
      if (s) {
        s.state = 'rejected'
        s.reason = str(d.reason)
        byEventId.set(e.id, s)
      }
    } else if (e.type === 'EventReversed') {
      const s = byEventId.get(str(d.reverses_id))
      if (s && s.eventId === str(d.reverses_id)) s.state = 'reversed'
      else if (s) s.state = 'pending' // a verification undone: waiting again
    }
  }
  return [...byId.values()].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))
}

/** The redemptions of a stream, newest first. */
export function redemptionsOf(events: StoredEvent[]): Redemption[] {
  const out = new Map<string, Redemption>()
  for (const e of events) {
    const d = e.data
    if (e.type === 'RedemptionMade') {
      out.set(e.id, {
        redemptionId: str(d.redemption_id),
        minutes: int(d.minutes),
        reward: str(d.reward),
        amountFen: typeof d.amount_fen === 'number' ? d.amount_fen : null,
        course: str(d.course),
        at: e.occurred_at,
        reversed: false,
      })
    } else if (e.type === 'EventReversed') {
      const r = out.get(str(d.reverses_id))
      if (r) r.reversed = true
    }
  }
  return [...out.values()].sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
}

/** Verified minutes of services begun in a Beijing month ("2026-10"). */
export function verifiedMinutesIn(services: Service[], month: string): number {
  let total = 0
  for (const s of services) {
    if (s.state === 'verified' && beijingMonth(s.startedAt) === month) total += s.minutes
  }
  return total
}
