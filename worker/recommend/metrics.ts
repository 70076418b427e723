// Top-K ranking metrics with binary relevance. `ranked` is the recommendation list, best first.

export function hitAt(ranked: string[], relevant: Set<string>, k: number): number {
  for (let i = 0; i < Math.min(k, ranked.length); i++) if (relevant.has(ranked[i])) return 1;
  return 0;
}

function hitsAt(ranked: string[], relevant: Set<string>, k: number): number {
  let hits = 0;
  for (let i = 0; i < Math.min(k, ranked.length); i++) if (relevant.has(ranked[i])) hits++;
  return hits;
}

/** Hits over k (not over the list length: a short list is not rewarded for being short). */
export function precisionAt(ranked: string[], relevant: Set<string>, k: number): number {
  return hitsAt(ranked, relevant, k) / k;
}

export function recallAt(ranked: string[], relevant: Set<string>, k: number): number {
  return relevant.size === 0 ? 0 : hitsAt(ranked, relevant, k) / relevant.size;
}

/** DCG with gain 1 / log2(rank + 1), over the ideal DCG of min(|relevant|, k) hits at the top. */
export function ndcgAt(ranked: string[], relevant: Set<string>, k: number): number {
  let dcg = 0;
  for (let i = 0; i < Math.min(k, ranked.length); i++) if (relevant.has(ranked[i])) dcg += 1 / Math.log2(i + 2);
  let ideal = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  return ideal === 0 ? 0 : dcg / ideal;
}

/** Share of the catalogue that appears in at least one user's top k. */
export function catalogueCoverage(lists: Iterable<string[]>, catalogueSize: number, k: number): number {
  const seen = new Set<string>();
  for (const list of lists) for (const id of list.slice(0, k)) seen.add(id);
  return catalogueSize === 0 ? 0 : seen.size / catalogueSize;
}
