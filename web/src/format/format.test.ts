import { describe, expect, it } from 'vitest'
import { formatFen, formatFenAmount } from './money'
import { formatHours, formatHoursNumber } from './hours'
import { beijingMonth, beijingInstant, beijingNow, formatBeijingDateTime, previousMonth, weekOfMonth } from './time'

describe('formatFen', () => {
  it.each([
    [123456, '1,234.56 元'],
    [0, '0.00 元'],
    [5, '0.05 元'],
    [100, '1.00 元'],
    [-5, '-0.05 元'],
    [-123456789, '-1,234,567.89 元'],
    [100000000, '1,000,000.00 元'],
    [99999, '999.99 元'],
  ])('%i fen → %s', (fen, text) => {
    expect(formatFen(fen)).toBe(text)
  })
  it('keeps every fen of amounts past 2^53 given as bigint', () => {
    expect(formatFenAmount(9007199254740993n)).toBe('90,071,992,547,409.93')
  })
  it('refuses a fraction of a fen', () => {
    expect(() => formatFen(1.5)).toThrow()
  })
})

describe('formatHours', () => {
  it.each([
    [0, '0.0'],
    [60, '1.0'],
    [90, '1.5'],
    [100, '1.7'], // 1.666… rounds up
    [3, '0.1'], // 0.05 rounds half up
    [2, '0.0'],
    [2070, '34.5'],
    [-90, '-1.5'],
    [-2, '0.0'],
  ])('%i minutes → %s', (minutes, text) => {
    expect(formatHoursNumber(minutes)).toBe(text)
  })
  it('adds the unit', () => {
    expect(formatHours(6000)).toBe('100.0 小时')
  })
  it('refuses a fraction of a minute', () => {
    expect(() => formatHours(0.5)).toThrow()
  })
})

describe('Beijing time', () => {
  it('shows an instant in UTC+8 whatever its offset', () => {
    expect(formatBeijingDateTime('2026-10-31T16:30:00Z')).toBe('2026-11-01 00:30')
    expect(formatBeijingDateTime('2026-10-04T10:00:00+08:00')).toBe('2026-10-04 10:00')
    expect(formatBeijingDateTime('2026-10-04T10:00:00.123456+08:00')).toBe('2026-10-04 10:00')
  })
  it('puts the turn of a month in the Beijing month', () => {
    expect(beijingMonth('2026-10-31T16:00:00Z')).toBe('2026-11')
    expect(beijingMonth('2026-10-31T15:59:59Z')).toBe('2026-10')
  })
  it('does not depend on the process time zone', () => {
    // TZ is fixed to America/Los_Angeles by the test script: a local-time bug would show here.
    expect(formatBeijingDateTime(Date.UTC(2026, 0, 1, 0, 0))).toBe('2026-01-01 08:00')
    expect(beijingNow(Date.UTC(2026, 11, 31, 20, 5, 9))).toBe('2027-01-01T04:05:09+08:00')
  })
  it('builds instants and months', () => {
    expect(beijingInstant('2026-11-03', '09:30')).toBe('2026-11-03T09:30:00+08:00')
    expect(previousMonth('2026-01')).toBe('2025-12')
    expect(previousMonth('2026-10')).toBe('2026-09')
    expect(weekOfMonth('2026-10-07T23:00:00+08:00')).toBe(1)
    expect(weekOfMonth('2026-10-08T01:00:00+08:00')).toBe(2)
    expect(weekOfMonth('2026-10-31T10:00:00+08:00')).toBe(5)
  })
})
