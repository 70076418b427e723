import { RECOMMEND } from "./config.ts";
import type { Reason } from "./reasons.ts";

/** One candidate at serving (or evaluation) time, with its raw popularity and personal scores. */
export interface ScoredRow {
  itemId: string;
  category: string | null;
  sellerId: string | null;
  popularity: number;
  personal: number;
  /** Neighbours who engaged with it. */
  neighbours: number;
}

export interface Recommendation {
  itemId: string;
  score: number;
  reason: Reason;
}

export interface RankInput {
  rows: ScoredRow[];
  /** The user's interaction count. */
  n: number;
  /** Category → [0, 1] (see categoryAffinity). */
  affinity: Map<string, number>;
  /** True when the popularity came from nearby regions (new neighbourhood). */
  fallback: boolean;
  limit: number;
}

/** α = n / (n + k): a new user is all popularity, a regular mostly personal. */
export function blendAlpha(n: number, k: number = RECOMMEND.blendK): number {
  return n <= 0 ? 0 : n / (n + k);
}

function maxOf(rows: ScoredRow[], pick: (r: ScoredRow) => number): number {
  let m = 0;
  for (const r of rows) m = Math.max(m, pick(r));
  return m;
}

/**
 * (1 − α)·popularity·tilt + α·personal, each normalised to [0, 1] over the rows. The tilt (1 + boost·affinity)
 * steers popularity towards the user's categories, which is what a cold user's few signals are good for.
 */
export function blendRows(input: Pick<RankInput, "rows" | "n" | "affinity">) {
  const alpha = blendAlpha(input.n);
  const maxPop = maxOf(input.rows, (r) => r.popularity);
  const maxPersonal = maxOf(input.rows, (r) => r.personal);
  return input.rows.map((row) => {
    const affinity = row.category ? (input.affinity.get(row.category) ?? 0) : 0;
    const popularityPart =
      (1 - alpha) * (maxPop > 0 ? row.popularity / maxPop : 0) * (1 + RECOMMEND.interestBoost * affinity);
    const personalPart = alpha * (maxPersonal > 0 ? row.personal / maxPersonal : 0);
    return { row, affinity, popularityPart, personalPart, score: popularityPart + personalPart };
  });
}

type Blended = ReturnType<typeof blendRows>[number];

export function reasonFor(b: Blended, fallback: boolean): Reason {
  if (b.personalPart >= b.popularityPart && b.row.neighbours >= RECOMMEND.neighbourReasonMin) {
    return { kind: "neighbours", params: { count: b.row.neighbours } };
  }
  if (b.row.category && b.affinity >= 0.5) return { kind: "interest", params: { category: b.row.category } };
  return fallback ? { kind: "nearby_popular", params: {} } : { kind: "local_popular", params: {} };
}

/**
 * At most `max` items per seller and per category in the first `window` slots. Items that would break the cap
 * wait until the window is full; if too few distinct sellers/categories exist, they fill the gap in score order.
 */
export function diversify<T extends { category: string | null; sellerId: string | null }>(
  sorted: T[],
  max: number = RECOMMEND.diversityMax,
  window: number = RECOMMEND.diversityWindow,
): T[] {
  const picked: T[] = [];
  const deferred: T[] = [];
  const perSeller = new Map<string, number>();
  const perCategory = new Map<string, number>();
  let i = 0;
  for (; i < sorted.length && picked.length < window; i++) {
    const item = sorted[i];
    const s = item.sellerId ? (perSeller.get(item.sellerId) ?? 0) : 0;
    const c = item.category ? (perCategory.get(item.category) ?? 0) : 0;
    if (s >= max || c >= max) {
      deferred.push(item);
      continue;
    }
    picked.push(item);
    if (item.sellerId) perSeller.set(item.sellerId, s + 1);
    if (item.category) perCategory.set(item.category, c + 1);
  }
  return [...picked, ...deferred, ...sorted.slice(i)];
}

/** The whole ranking step: blend, sort (score desc, id asc), diversify, cut, explain. */
export function rankForUser(input: RankInput): Recommendation[] {
  const blended = blendRows(input).sort(
    (a, b) => b.score - a.score || (a.row.itemId < b.row.itemId ? -1 : a.row.itemId > b.row.itemId ? 1 : 0),
  );
  const diverse = diversify(blended.map((b) => ({ ...b, category: b.row.category, sellerId: b.row.sellerId }))).slice(
    0,
    input.limit,
  );
  return diverse.map((b) => ({ itemId: b.row.itemId, score: b.score, reason: reasonFor(b, input.fallback) }));
}
