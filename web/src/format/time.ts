// Instants are shown in Beijing time (UTC+8, no daylight saving since 1991) whatever the
// browser's own zone is: the offset is applied by hand and the UTC fields read back.

const beijingOffsetMs = 8 * 60 * 60 * 1000

interface BeijingParts {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  weekday: number
}

function pad(n: number): string {
  return n.toString().padStart(2, '0')
}

/** The Beijing calendar fields of an instant (an RFC 3339 string or epoch milliseconds). */
export function beijingParts(instant: string | number): BeijingParts {
  const ms = typeof instant === 'number' ? instant : Date.parse(instant)
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${instant}`)
  const d = new Date(ms + beijingOffsetMs)
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    weekday: d.getUTCDay(),
  }
}

/** "2026-10-04" in Beijing. */
export function formatBeijingDate(instant: string | number): string {
  const p = beijingParts(instant)
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`
}

/** "2026-10-04 10:00" in Beijing. */
export function formatBeijingDateTime(instant: string | number): string {
  const p = beijingParts(instant)
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`
}

/** "2026-10": the Beijing month of an instant. */
export function beijingMonth(instant: string | number): string {
  const p = beijingParts(instant)
  return `${p.year}-${pad(p.month)}`
}

/** The month before "2026-10" → "2026-09". */
export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number)
  return m === 1 ? `${y - 1}-12` : `${y}-${pad(m - 1)}`
}

/** RFC 3339 with +08:00 for a Beijing wall-clock date and time ("2026-11-03", "09:30"). */
export function beijingInstant(date: string, time: string): string {
  return `${date}T${time}:00+08:00`
}

/** Now as RFC 3339 in +08:00, e.g. for an event's occurred_at. */
export function beijingNow(nowMs: number = Date.now()): string {
  const p = beijingParts(nowMs)
  const s = new Date(nowMs + beijingOffsetMs).getUTCSeconds()
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(s)}+08:00`
}

/** Week of the month (1–5) of a Beijing date: days 1–7 are week 1, and so on. */
export function weekOfMonth(instant: string | number): number {
  return Math.floor((beijingParts(instant).day - 1) / 7) + 1
}
