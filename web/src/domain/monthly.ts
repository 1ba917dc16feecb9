// Groupings for the monthly report's charts, from the branch's verified services.
import type { Service } from './services'
import { beijingMonth, weekOfMonth } from '../format/time'

/** Verified minutes per week of the month (weeks 1–5: days 1–7, 8–14, …). */
export function minutesPerWeek(services: Service[], month: string): number[] {
  const weeks = [0, 0, 0, 0, 0]
  for (const s of services) {
    if (s.state === 'verified' && beijingMonth(s.startedAt) === month) weeks[weekOfMonth(s.startedAt) - 1] += s.minutes
  }
  return weeks
}

/** Verified services per kind in the month, largest first. */
export function servicesByKind(services: Service[], month: string): Array<[string, number]> {
  const counts = new Map<string, number>()
  for (const s of services) {
    if (s.state === 'verified' && beijingMonth(s.startedAt) === month) counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1)
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])
}
