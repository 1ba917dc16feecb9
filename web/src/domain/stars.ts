// The star scale (星级反哺) from verified hours. The ledger computes the star itself; the console
// needs the thresholds only to say how far the next star is. No route publishes the policy, so
// these are the default policy's thresholds (API.md "PolicySet"); a changed policy is a known gap.
export const defaultStarThresholdsHours = [100, 300, 600, 1000, 1500] as const

export interface StarProgress {
  star: number
  nextStar: number | null
  /** Minutes still to verify for the next star (0 at the top). */
  minutesToNext: number
  /** Whole percent of the way from this star's threshold to the next one's (0–100). */
  percent: number
}

export function starProgress(
  star: number,
  verifiedMinutes: number,
  thresholdsHours: readonly number[] = defaultStarThresholdsHours,
): StarProgress {
  if (star >= thresholdsHours.length) return { star, nextStar: null, minutesToNext: 0, percent: 100 }
  const from = star === 0 ? 0 : thresholdsHours[star - 1] * 60
  const to = thresholdsHours[star] * 60
  const done = Math.min(Math.max(verifiedMinutes - from, 0), to - from)
  return {
    star,
    nextStar: star + 1,
    minutesToNext: Math.max(to - verifiedMinutes, 0),
    percent: Math.floor((done * 100) / (to - from)),
  }
}
