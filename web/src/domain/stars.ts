// The star scale (星级反哺) from verified hours. The ledger computes the star itself; the console
// needs the thresholds only to say how far the next star is. The member read gives them under the
// policy in force (star_from_minutes, next_star_minutes: starProgressBetween); the default
// policy's thresholds (API.md "PolicySet") serve only where a read has none.
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
  if (star >= thresholdsHours.length) return starProgressBetween(star, verifiedMinutes, 0, null)
  return starProgressBetween(star, verifiedMinutes, star === 0 ? 0 : thresholdsHours[star - 1] * 60, thresholdsHours[star] * 60)
}

/** The same from the verified minutes where this star began and where the next one comes (null: none). */
export function starProgressBetween(star: number, verifiedMinutes: number, fromMinutes: number, nextMinutes: number | null): StarProgress {
  if (nextMinutes === null || nextMinutes <= fromMinutes) return { star, nextStar: null, minutesToNext: 0, percent: 100 }
  const done = Math.min(Math.max(verifiedMinutes - fromMinutes, 0), nextMinutes - fromMinutes)
  return {
    star,
    nextStar: star + 1,
    minutesToNext: Math.max(nextMinutes - verifiedMinutes, 0),
    percent: Math.floor((done * 100) / (nextMinutes - fromMinutes)),
  }
}
