import { RECOMMEND } from "./config.ts";
import type { UserVectors } from "./vectors.ts";

export interface IndexedNeighbour {
  user: number;
  similarity: number;
}

export interface NeighbourOptions {
  k?: number;
  shrinkage?: number;
  minSimilarity?: number;
}

/** Dot product of two users' vectors and how many anchor features (items/products) they share. */
export function dotAndOverlap(v: UserVectors, a: number, b: number): { dot: number; co: number } {
  const ai = v.idx[a];
  const bi = v.idx[b];
  const av = v.val[a];
  const bv = v.val[b];
  let i = 0;
  let j = 0;
  let dot = 0;
  let co = 0;
  while (i < ai.length && j < bi.length) {
    const x = ai[i];
    const y = bi[j];
    if (x === y) {
      dot += av[i] * bv[j];
      co += v.isAnchor[x];
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return { dot, co };
}

/** Cosine similarity shrunk towards 0 when the users share few items: cos × co / (co + λ). */
export function shrunkCosine(dot: number, normA: number, normB: number, co: number, shrinkage: number): number {
  if (co === 0 || normA === 0 || normB === 0) return 0;
  return (dot / (normA * normB)) * (co / (co + shrinkage));
}

export function similarity(v: UserVectors, a: number, b: number, shrinkage: number = RECOMMEND.shrinkage): number {
  const { dot, co } = dotAndOverlap(v, a, b);
  return shrunkCosine(dot, v.norm[a], v.norm[b], co, shrinkage);
}

/** Keeps the k best (similarity desc, then user index asc so results are deterministic). */
class TopK {
  readonly items: IndexedNeighbour[] = [];
  private readonly k: number;
  constructor(k: number) {
    this.k = k;
  }
  offer(user: number, similarity: number) {
    const list = this.items;
    if (list.length === this.k) {
      const last = list[list.length - 1];
      if (similarity < last.similarity || (similarity === last.similarity && user > last.user)) return;
      list.pop();
    }
    let pos = list.length;
    while (
      pos > 0 &&
      (list[pos - 1].similarity < similarity || (list[pos - 1].similarity === similarity && list[pos - 1].user > user))
    ) {
      pos--;
    }
    list.splice(pos, 0, { user, similarity });
  }
}

function resolve(opts: NeighbourOptions) {
  return {
    k: opts.k ?? RECOMMEND.neighbours,
    shrinkage: opts.shrinkage ?? RECOMMEND.shrinkage,
    minSimilarity: opts.minSimilarity ?? RECOMMEND.minSimilarity,
  };
}

/** feature id → users having it, for anchor features only. */
export function anchorPostings(v: UserVectors): Int32Array[] {
  const lists: number[][] = v.featureKeys.map(() => []);
  for (let u = 0; u < v.userIds.length; u++) {
    const ids = v.idx[u];
    for (let j = 0; j < ids.length; j++) if (v.isAnchor[ids[j]]) lists[ids[j]].push(u);
  }
  return lists.map((l) => Int32Array.from(l));
}

/**
 * Top-K neighbours of each target. Only users sharing an anchor feature can have a non-zero shrunk similarity
 * (co = 0 ⇒ 0), so candidates come from the inverted index and only those pairs are scored — the same answer as
 * all pairs, without touching the users who share nothing.
 */
export function topNeighbours(
  v: UserVectors,
  targets: Iterable<number>,
  opts: NeighbourOptions = {},
  postings: Int32Array[] = anchorPostings(v),
): Map<number, IndexedNeighbour[]> {
  const { k, shrinkage, minSimilarity } = resolve(opts);
  const stamp = new Int32Array(v.userIds.length).fill(-1);
  const shared = new Int32Array(v.userIds.length);
  // The target's vector scattered densely: a candidate's dot product is then one pass over its own features.
  const dense = new Float64Array(v.featureKeys.length);
  const out = new Map<number, IndexedNeighbour[]>();
  const seen: number[] = [];
  for (const u of targets) {
    seen.length = 0;
    const ids = v.idx[u];
    const vals = v.val[u];
    for (let j = 0; j < ids.length; j++) {
      dense[ids[j]] = vals[j];
      if (!v.isAnchor[ids[j]]) continue;
      const list = postings[ids[j]];
      for (let p = 0; p < list.length; p++) {
        const other = list[p];
        if (other === u) continue;
        if (stamp[other] !== u) {
          stamp[other] = u;
          shared[other] = 0;
          seen.push(other);
        }
        shared[other]++;
      }
    }
    const top = new TopK(k);
    for (const other of seen) {
      const oi = v.idx[other];
      const ov = v.val[other];
      let dot = 0;
      for (let j = 0; j < oi.length; j++) dot += dense[oi[j]] * ov[j];
      const s = shrunkCosine(dot, v.norm[u], v.norm[other], shared[other], shrinkage);
      if (s >= minSimilarity) top.offer(other, s);
    }
    for (let j = 0; j < ids.length; j++) dense[ids[j]] = 0;
    out.set(u, top.items);
  }
  return out;
}

/** The naive baseline: every target against every user. Same result as topNeighbours; used by the benchmark. */
export function allPairsNeighbours(
  v: UserVectors,
  targets: Iterable<number>,
  opts: NeighbourOptions = {},
): Map<number, IndexedNeighbour[]> {
  const { k, shrinkage, minSimilarity } = resolve(opts);
  const out = new Map<number, IndexedNeighbour[]>();
  for (const u of targets) {
    const top = new TopK(k);
    for (let other = 0; other < v.userIds.length; other++) {
      if (other === u) continue;
      const s = similarity(v, u, other, shrinkage);
      if (s >= minSimilarity) top.offer(other, s);
    }
    out.set(u, top.items);
  }
  return out;
}
