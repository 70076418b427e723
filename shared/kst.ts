/** Korea keeps UTC+9 all year (no daylight saving): every rule in Korean time shifts by this one offset. */
export const KST_OFFSET_MS = 9 * 3_600_000;

/** Epoch ms → Korea's wall clock as "YYYY-MM-DDTHH:mm:ss" (no offset written). */
export function kstWallClock(epochMs: number): string {
  // toISOString writes the UTC clock; shifted by the offset, that is Korea's
  return new Date(epochMs + KST_OFFSET_MS).toISOString().slice(0, 19);
}
