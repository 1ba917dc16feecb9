// The filing package and the partner statement as downloads: which month to offer, the query
// the API takes, and the name the file is saved under. No page builds these on its own.
import { beijingParts } from '../format/time'

export type StatementFormat = 'xlsx' | 'csv' | 'json'

/** The month before the Beijing month of `nowMs` ("2026-10" in November): the last one that
 * can have been sealed and so filed. */
export function lastClosedMonth(nowMs: number): string {
  const p = beijingParts(nowMs)
  const year = p.month === 1 ? p.year - 1 : p.year
  const month = p.month === 1 ? 12 : p.month - 1
  return `${year}-${month.toString().padStart(2, '0')}`
}

/** True for "YYYY-MM" with a month 01..12. */
export function isMonth(text: string): boolean {
  return /^[0-9]{4}-(0[1-9]|1[0-2])$/.test(text)
}

export interface StatementQuery {
  from?: string
  to?: string
  format: StatementFormat
}

/** The statement's query: empty dates left out; null when from is after to. */
export function statementQuery(from: string, to: string, format: StatementFormat): StatementQuery | null {
  if (from && to && from > to) return null
  const query: StatementQuery = { format }
  if (from) query.from = from
  if (to) query.to = to
  return query
}

/** "filing-2026-10.xlsx", "statement-p-avic-2026-01-01_2026-10-31.csv". */
export function filingFileName(month: string): string {
  return `filing-${month}.xlsx`
}
export function statementFileName(partnerId: string, query: StatementQuery): string {
  const period = query.from || query.to ? `-${query.from ?? ''}_${query.to ?? ''}` : ''
  return `statement-${partnerId}${period}.${query.format}`
}
