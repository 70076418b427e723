import { KST_OFFSET_MS as KST_MS } from "../../shared/kst";

/** Membership periods follow the Korean calendar (UTC+9, no DST): tiers by month, Plus by monthly anniversary. */

function kstParts(at: number) {
  const d = new Date(at + KST_MS);
  return {
    y: d.getUTCFullYear(),
    m: d.getUTCMonth(),
    rest: at + KST_MS - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()),
    day: d.getUTCDate(),
  };
}

/** "YYYY-MM" of the Korean month containing `at`. */
export function kstMonth(at: number): string {
  const { y, m } = kstParts(at);
  return `${y}-${String(m + 1).padStart(2, "0")}`;
}

/** First instant of the Korean month `offset` months after the one containing `at`. */
export function kstMonthStart(at: number, offset = 0): number {
  const { y, m } = kstParts(at);
  return Date.UTC(y, m + offset, 1) - KST_MS;
}

/**
 * The same Korean wall-clock time `months` later (or earlier, if negative); a day that month lacks clamps to its last
 * day (Jan 31 + 1 month = Feb 28/29). Add from a fixed anchor (anchor + n months), never step by step, so periods do
 * not drift.
 */
export function addMonthsKst(at: number, months: number): number {
  const { y, m, day, rest } = kstParts(at);
  const lastDay = new Date(Date.UTC(y, m + months + 1, 0)).getUTCDate();
  return Date.UTC(y, m + months, Math.min(day, lastDay)) + rest - KST_MS;
}
