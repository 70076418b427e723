import { RECOMMEND, signalWeight } from "./config.ts";
import type { Interaction, ItemMeta } from "./types.ts";

/**
 * Users as sparse vectors over features: the item itself ("i:"), its product ("p:"), seller ("s:") and category
 * ("c:"). Features are interned to integers and each vector is kept sorted so a dot product is a linear merge.
 */
export interface UserVectors {
  userIds: string[];
  index: Map<string, number>;
  featureKeys: string[];
  /** 1 where the feature is an anchor (sparse: can make two users neighbours). */
  isAnchor: Uint8Array;
  idx: Int32Array[];
  val: Float64Array[];
  norm: Float64Array;
  /** Per user: item → summed signal weight (negative after "not interested"). */
  items: Map<string, number>[];
  /** Per user: number of interactions, the n of α = n / (n + k). */
  counts: Int32Array;
}

export type ItemLookup = (itemId: string) => ItemMeta | undefined;

export function featuresOf(meta: ItemMeta | undefined, itemId: string, weight: number): [string, number][] {
  const f = RECOMMEND.featureFactors;
  const out: [string, number][] = [[`i:${itemId}`, weight * f.item]];
  if (meta?.productId) out.push([`p:${meta.productId}`, weight * f.product]);
  if (meta?.sellerId) out.push([`s:${meta.sellerId}`, weight * f.seller]);
  if (meta?.category) out.push([`c:${meta.category}`, weight * f.category]);
  return out;
}

/** Sums each user's interactions per item (the weights come from the one config module). */
export function aggregateByUser(
  interactions: Iterable<Interaction>,
): Map<string, { items: Map<string, number>; n: number }> {
  const byUser = new Map<string, { items: Map<string, number>; n: number }>();
  for (const it of interactions) {
    let u = byUser.get(it.userId);
    if (!u) {
      u = { items: new Map(), n: 0 };
      byUser.set(it.userId, u);
    }
    u.items.set(it.itemId, (u.items.get(it.itemId) ?? 0) + signalWeight(it));
    u.n += 1;
  }
  return byUser;
}

export function buildUserVectors(interactions: Iterable<Interaction>, lookup: ItemLookup): UserVectors {
  const byUser = aggregateByUser(interactions);
  const featureIndex = new Map<string, number>();
  const featureKeys: string[] = [];
  const anchorPrefixes = new Set<string>(RECOMMEND.anchorFeatures);
  const anchorFlags: number[] = [];
  const intern = (key: string) => {
    let id = featureIndex.get(key);
    if (id === undefined) {
      id = featureKeys.length;
      featureIndex.set(key, id);
      featureKeys.push(key);
      anchorFlags.push(anchorPrefixes.has(key.slice(0, key.indexOf(":"))) ? 1 : 0);
    }
    return id;
  };

  const userIds = [...byUser.keys()].sort();
  const index = new Map<string, number>();
  const idx: Int32Array[] = [];
  const val: Float64Array[] = [];
  const norm = new Float64Array(userIds.length);
  const items: Map<string, number>[] = [];
  const counts = new Int32Array(userIds.length);

  userIds.forEach((userId, u) => {
    const agg = byUser.get(userId)!;
    index.set(userId, u);
    items.push(agg.items);
    counts[u] = agg.n;
    const acc = new Map<number, number>();
    for (const [itemId, w] of agg.items) {
      for (const [key, fw] of featuresOf(lookup(itemId), itemId, w)) {
        const id = intern(key);
        acc.set(id, (acc.get(id) ?? 0) + fw);
      }
    }
    const ids = Int32Array.from([...acc.keys()].filter((id) => acc.get(id) !== 0)).sort();
    const vs = new Float64Array(ids.length);
    let sq = 0;
    for (let j = 0; j < ids.length; j++) {
      vs[j] = acc.get(ids[j])!;
      sq += vs[j] * vs[j];
    }
    idx.push(ids);
    val.push(vs);
    norm[u] = Math.sqrt(sq);
  });

  return { userIds, index, featureKeys, isAnchor: Uint8Array.from(anchorFlags), idx, val, norm, items, counts };
}

/**
 * How much a user leans to each category, in [0, 1]: past positive engagement relative to their favourite category,
 * raised to the explicit-interest level for categories they picked at onboarding.
 */
export function categoryAffinity(
  items: Map<string, number> | undefined,
  lookup: ItemLookup,
  interests: Iterable<string> = [],
): Map<string, number> {
  const byCategory = new Map<string, number>();
  for (const [itemId, w] of items ?? []) {
    const category = lookup(itemId)?.category;
    if (category && w > 0) byCategory.set(category, (byCategory.get(category) ?? 0) + w);
  }
  const max = Math.max(0, ...byCategory.values());
  const past: [string, number][] = [...byCategory].map(([c, w]) => [c, w / max]);
  return withInterests(past, interests);
}

/** Past-behaviour affinity (as stored by the cron) raised to the explicit-interest level for chosen categories. */
export function withInterests(past: Iterable<[string, number]>, interests: Iterable<string>): Map<string, number> {
  const out = new Map(past);
  for (const c of interests) out.set(c, Math.max(out.get(c) ?? 0, RECOMMEND.explicitInterestAffinity));
  return out;
}
