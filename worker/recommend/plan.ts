import { RECOMMEND, SIGNAL_WEIGHTS } from "./config.ts";
import { computeUserModels, type UserModel } from "./model.ts";
import { effectivePopularity, type PopularityTable, regionalPopularity, regionMass } from "./popularity.ts";
import type { Interaction, RegionCentre } from "./types.ts";
import type { ItemLookup } from "./vectors.ts";

export interface RegionPopularity {
  regionId: string;
  fallback: boolean;
  mass: number;
  table: [string, number][];
}

export interface RecomputePlan {
  users: UserModel[];
  regions: RegionPopularity[];
}

/** Popularity keys below this are dropped from the stored tables. */
const MIN_STORED_SCORE = 0.01;
/** Older than this, a join (weight 3) has decayed below MIN_STORED_SCORE: popularity needs no older signals. */
export const POPULARITY_HORIZON_MS = Math.ceil(
  Math.log2(SIGNAL_WEIGHTS.purchase / MIN_STORED_SCORE) * RECOMMEND.popularityHalfLifeMs,
);

/**
 * Everything the cron writes, computed in memory from the interaction window: models for `targets` (the users with
 * new interactions; null = everyone) and every region's serving popularity. Pure, so the benchmark times exactly
 * this and the offline evaluation shares its parts.
 */
export function planRecompute(input: {
  interactions: Interaction[];
  lookup: ItemLookup;
  regions: RegionCentre[];
  now: number;
  targets: Iterable<string> | null;
  servable?: (itemId: string) => boolean;
}): RecomputePlan {
  return { users: planUserModels(input), regions: planPopularity(input) };
}

/** Models (neighbours, candidates, affinity) for the targets; null = everyone in the log. */
export function planUserModels(input: {
  interactions: Interaction[];
  lookup: ItemLookup;
  targets: Iterable<string> | null;
  servable?: (itemId: string) => boolean;
}): UserModel[] {
  const { models } = computeUserModels(input.interactions, input.lookup, input.targets ?? undefined, {
    candidates: RECOMMEND.candidatesPerUser,
    servable: input.servable,
  });
  return [...models.values()];
}

/** Every region's serving popularity table (with the nearby fallback for cold regions). */
export function planPopularity(input: {
  interactions: Interaction[];
  lookup: ItemLookup;
  regions: RegionCentre[];
  now: number;
}): RegionPopularity[] {
  const tables = regionalPopularity(input.interactions, input.lookup, input.now);
  const regionIds = new Set([...input.regions.map((r) => r.id), ...tables.keys()]);
  const regions: RegionPopularity[] = [];
  for (const regionId of [...regionIds].sort()) {
    const own: PopularityTable = tables.get(regionId) ?? new Map();
    const { table, fallback } = effectivePopularity(regionId, tables, input.regions);
    // Another region's own items are never served here; only their products and categories transfer.
    const kept = [...table].filter(
      ([key, score]) => score >= MIN_STORED_SCORE && (own.has(key) || !key.startsWith("i:")),
    );
    regions.push({ regionId, fallback, mass: regionMass(own), table: kept });
  }
  return regions;
}
