import { RECOMMEND } from "./config.ts";
import type { IndexedNeighbour } from "./similarity.ts";
import type { Candidate } from "./types.ts";
import type { UserVectors } from "./vectors.ts";

/**
 * Items the neighbours engaged with, scored Σ sim × weight / Σ sim (so the score reads as "how strongly my
 * neighbourhood of taste likes it"). Items the user already touched (joined, viewed, dismissed) are not candidates.
 */
export function candidatesFor(
  v: UserVectors,
  user: number,
  neighbours: IndexedNeighbour[],
  limit: number = RECOMMEND.candidatesPerUser,
  /** Only items that can still be served (e.g. OPEN group buys) are worth storing. */
  servable: (itemId: string) => boolean = () => true,
): Candidate[] {
  const own = v.items[user];
  const score = new Map<string, number>();
  const count = new Map<string, number>();
  let total = 0;
  for (const { user: other, similarity } of neighbours) {
    if (similarity <= 0) continue;
    total += similarity;
    for (const [itemId, w] of v.items[other]) {
      if (w <= 0 || own.has(itemId) || !servable(itemId)) continue;
      score.set(itemId, (score.get(itemId) ?? 0) + similarity * w);
      count.set(itemId, (count.get(itemId) ?? 0) + 1);
    }
  }
  if (total === 0) return [];
  const out: Candidate[] = [];
  for (const [itemId, s] of score) out.push({ itemId, score: s / total, neighbours: count.get(itemId)! });
  out.sort((a, b) => b.score - a.score || (a.itemId < b.itemId ? -1 : 1));
  return out.slice(0, limit);
}
