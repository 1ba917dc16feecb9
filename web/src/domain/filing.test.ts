import { describe, expect, it } from 'vitest'
import { filingFileName, isMonth, lastClosedMonth, statementFileName, statementQuery } from './filing'

describe('filing downloads', () => {
  it('offers the last closed Beijing month', () => {
    // 2026-11-01 00:30 in Beijing is still 31 October in UTC.
    expect(lastClosedMonth(Date.parse('2026-10-31T16:30:00Z'))).toBe('2026-10')
    expect(lastClosedMonth(Date.parse('2026-10-31T15:30:00Z'))).toBe('2026-09')
    expect(lastClosedMonth(Date.parse('2027-01-15T00:00:00Z'))).toBe('2026-12')
  })
  it('checks months', () => {
    expect(isMonth('2026-10')).toBe(true)
    expect(isMonth('2026-13')).toBe(false)
    expect(isMonth('')).toBe(false)
  })
  it('builds the statement query and file name', () => {
    expect(statementQuery('', '', 'xlsx')).toEqual({ format: 'xlsx' })
    expect(statementQuery('2026-01-01', '2026-10-31', 'csv')).toEqual({ from: '2026-01-01', to: '2026-10-31', format: 'csv' })
    expect(statementQuery('2026-11-01', '2026-10-31', 'csv')).toBeNull()
    expect(statementFileName('p-avic', { format: 'xlsx' })).toBe('statement-p-avic.xlsx')
    expect(statementFileName('p-avic', { from: '2026-01-01', format: 'csv' })).toBe('statement-p-avic-2026-01-01_.csv')
    expect(filingFileName('2026-10')).toBe('filing-2026-10.xlsx')
  })
})
