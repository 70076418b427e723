import { haversineMeters } from "../regions/geo.ts";
import { RECOMMEND, signalWeight } from "./config.ts";
import type { Interaction, ItemMeta, RegionCentre } from "./types.ts";
import type { ItemLookup } from "./vectors.ts";

/** Exponential decay with a half-life; an event in the future of `now` (clock skew) counts fully. */
export function decay(ageMs: number, halfLifeMs: number = RECOMMEND.popularityHalfLifeMs): number {
  return ageMs <= 0 ? 1 : 0.5 ** (ageMs / halfLifeMs);
}

/** The keys an item's popularity is counted under, with how much each counts when an item is read back. */
export function popularityKeys(meta: ItemMeta | undefined, itemId: string): [string, number][] {
  const f = RECOMMEND.popularityKeyFactors;
  const out: [string, number][] = [[`i:${itemId}`, f.item]];
  if (meta?.productId) out.push([`p:${meta.productId}`, f.product]);
  if (meta?.category) out.push([`c:${meta.category}`, f.category]);
  return out;
}

export type PopularityTable = Map<string, number>;

/**
 * Time-decayed popularity per region (of the item) and key. Only positive signals count: being dismissed does not
 * make something popular, and it does not make it unpopular for everyone else either.
 */
export function regionalPopularity(
  interactions: Iterable<Interaction>,
  lookup: ItemLookup,
  now: number,
): Map<string, PopularityTable> {
  const out = new Map<string, PopularityTable>();
  for (const it of interactions) {
    const w = signalWeight(it);
    if (w <= 0) continue;
    const meta = lookup(it.itemId);
    const region = meta?.regionId;
    if (!region) continue;
    let table = out.get(region);
    if (!table) {
      table = new Map();
      out.set(region, table);
    }
    const dw = w * decay(now - it.at);
    for (const [key] of popularityKeys(meta, it.itemId)) table.set(key, (table.get(key) ?? 0) + dw);
  }
  return out;
}

/** All-time interaction counts per item, every region together: the classic most-popular baseline. */
export function globalPopularity(interactions: Iterable<Interaction>): Map<string, number> {
  const out = new Map<string, number>();
  for (const it of interactions) if (signalWeight(it) > 0) out.set(it.itemId, (out.get(it.itemId) ?? 0) + 1);
  return out;
}

/** Item-level mass of a region's table: how much it has seen recently. */
export function regionMass(table: PopularityTable | undefined): number {
  let mass = 0;
  for (const [key, v] of table ?? []) if (key.startsWith("i:")) mass += v;
  return mass;
}

/** Regions within the nearby radius of `regionId`'s centre, weighted 1 / (1 + d / halfWeight). */
export function nearbyRegions(regionId: string, centres: RegionCentre[]): { regionId: string; weight: number }[] {
  const here = centres.find((c) => c.id === regionId);
  if (!here) return [];
  const out: { regionId: string; weight: number }[] = [];
  for (const c of centres) {
    if (c.id === regionId) continue;
    const d = haversineMeters(here.lat, here.lng, c.lat, c.lng);
    if (d <= RECOMMEND.nearbyRadiusM) out.push({ regionId: c.id, weight: 1 / (1 + d / RECOMMEND.nearbyHalfWeightM) });
  }
  return out.sort((a, b) => b.weight - a.weight || (a.regionId < b.regionId ? -1 : 1));
}

/**
 * The popularity table a region serves from. A warm region uses its own; a cold one (a new neighbourhood) adds
 * its neighbours' tables weighted by distance, so products and categories popular next door lift its items.
 */
export function effectivePopularity(
  regionId: string,
  tables: Map<string, PopularityTable>,
  centres: RegionCentre[],
): { table: PopularityTable; fallback: boolean } {
  const own = tables.get(regionId) ?? new Map<string, number>();
  if (regionMass(own) >= RECOMMEND.coldRegionMinMass) return { table: own, fallback: false };
  const near = nearbyRegions(regionId, centres);
  if (near.length === 0) return { table: own, fallback: false };
  const merged = new Map(own);
  for (const { regionId: r, weight } of near) {
    for (const [key, v] of tables.get(r) ?? []) merged.set(key, (merged.get(key) ?? 0) + weight * v);
  }
  return { table: merged, fallback: true };
}

/** An item's popularity read from a region table: its own score plus its product's and category's. */
export function itemPopularity(table: PopularityTable, meta: ItemMeta | undefined, itemId: string): number {
  let s = 0;
  for (const [key, factor] of popularityKeys(meta, itemId)) s += factor * (table.get(key) ?? 0);
  return s;
}
