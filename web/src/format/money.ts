import { zh } from '../locales/zh-CN'

// Money is integer fen end to end; this is the one place that turns it into text, with integer
// arithmetic only (never a float): 123456 → "1,234.56 元", -5 → "-0.05 元".

function groupThousands(digits: string): string {
  let out = ''
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ','
    out += digits[i]
  }
  return out
}

/** "1,234.56" for 123456 fen: yuan grouped by thousands, always two decimals. */
export function formatFenAmount(fen: number | bigint): string {
  let value = BigInt(fen)
  const negative = value < 0n
  if (negative) value = -value
  const yuan = value / 100n
  const cents = value % 100n
  return `${negative ? '-' : ''}${groupThousands(yuan.toString())}.${cents.toString().padStart(2, '0')}`
}

/** "1,234.56 元" for 123456 fen. REQUIRES: fen is an integer (throws otherwise). */
export function formatFen(fen: number | bigint): string {
  return `${formatFenAmount(fen)} ${zh.units.yuan}`
}

/** Whole yuan as a number for chart axes only (integer division; the text always uses formatFen). */
export function fenToWholeYuan(fen: number): number {
  return Number(BigInt(fen) / 100n)
}
