import { RECOMMEND } from "./config.ts";
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

/** Popularity keys below this are dropped from the stored tables (a join ~2 months old). */
const MIN_STORED_SCORE = 0.01;

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
  const { models } = computeUserModels(input.interactions, input.lookup, input.targets ?? undefined, {
    candidates: RECOMMEND.candidatesPerUser,
    servable: input.servable,
  });
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
  return { users: [...models.values()], regions };
}
