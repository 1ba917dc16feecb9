import { zh } from '../locales/zh-CN'

// Time is integer minutes end to end; hours are shown with one decimal, rounded half up by integer
// arithmetic: 90 → "1.5", 100 → "1.7" (1.666…), 2 → "0.0", -90 → "-1.5".

/** Tenths of an hour, rounded half away from zero, from integer minutes. */
export function minutesToTenthHours(minutes: number): number {
  if (!Number.isInteger(minutes)) throw new RangeError(`minutes must be an integer: ${minutes}`)
  const negative = minutes < 0
  const m = Math.abs(minutes)
  const tenths = Math.floor((m * 10 + 30) / 60)
  return negative ? -tenths : tenths
}

/** "1.5" for 90 minutes. */
export function formatHoursNumber(minutes: number): string {
  const tenths = minutesToTenthHours(minutes)
  const negative = tenths < 0
  const t = Math.abs(tenths)
  return `${negative && t !== 0 ? '-' : ''}${Math.floor(t / 10)}.${t % 10}`
}

/** "1.5 小时" for 90 minutes. */
export function formatHours(minutes: number): string {
  return `${formatHoursNumber(minutes)} ${zh.units.hours}`
}
