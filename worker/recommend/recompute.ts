import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { recState } from "../db/schema";
import { POPULARITY_HORIZON_MS, planPopularity, planUserModels, type RegionPopularity } from "./plan";
import {
  dueUsers,
  loadInteractionWindow,
  loadRegionCentres,
  popularityStatements,
  pruneInteractions,
  syncPurchases,
  userModelStatements,
  writeStatements,
} from "./store";

const DAY = 86_400_000;

export const RECOMPUTE = {
  /** Interactions older than this no longer shape anyone's model. */
  windowMs: 180 * DAY,
  /** Users rescored per cron run; the rest wait for the next run (keeps one run inside D1's query budget). */
  maxUsersPerRun: 500,
  /** Overlap for interactions whose `at` is slightly older than when they committed (clock skew, slow batch). */
  watermarkMarginMs: 2 * 60_000,
  /** Popularity decays even without new interactions: refresh at least this often. */
  popularityRefreshMs: 30 * 60_000,
  /** Everyone is rescored this often (neighbours' new tastes reach users who did nothing new). */
  fullSweepMs: DAY,
} as const;

const STATE_ID = "main";

export interface RecomputeResult {
  users: number;
  regions: number;
  interactions: number;
  done: boolean;
  full: boolean;
  skipped: boolean;
}

/**
 * One incremental step (the cron calls it every few minutes): rescore users with interactions since the last
 * sweep, at most `maxUsers` per run, paging with a cursor; refresh every region's popularity. Idempotent: a
 * repeated or overlapping run recomputes the same rows.
 */
export async function recomputeRecommendations(
  db: Db,
  now: number,
  opts: { maxUsers?: number; full?: boolean } = {},
): Promise<RecomputeResult> {
  const maxUsers = opts.maxUsers ?? RECOMPUTE.maxUsersPerRun;
  const state = (await db.select().from(recState).where(eq(recState.id, STATE_ID)).get()) ?? {
    id: STATE_ID,
    watermark: 0,
    cursor: "",
    sweepStartedAt: now,
    lastRunAt: 0,
    lastFullAt: 0,
    popularityAt: 0,
  };
  // A new sweep starts when the last one finished (cursor ""); a full one forgets the watermark (and is stamped when
  // it starts, so its later pages continue with watermark 0 without starting over).
  const full = opts.full || (state.cursor === "" && now - state.lastFullAt >= RECOMPUTE.fullSweepMs);
  const watermark = full ? 0 : state.watermark;
  const sweepStartedAt = state.cursor === "" ? now : state.sweepStartedAt;
  await syncPurchases(db, Math.max(watermark, now - RECOMPUTE.windowMs));
  const due = await dueUsers(db, watermark, state.cursor, maxUsers + 1);
  const batch = due.slice(0, maxUsers);
  const done = due.length <= maxUsers;
  const popularityDue = full || now - state.popularityAt >= RECOMPUTE.popularityRefreshMs;

  if (batch.length === 0 && !popularityDue) {
    return { users: 0, regions: 0, interactions: 0, done: true, full: false, skipped: true };
  }

  // A few users: load only who can be their neighbours. A sweep page: everything (it is most of it anyway).
  const since = now - RECOMPUTE.windowMs;
  const sweeping = full || state.cursor !== "" || !done;
  const window = await loadInteractionWindow(db, since, sweeping ? undefined : batch);
  const users =
    batch.length === 0
      ? []
      : planUserModels({
          interactions: window.interactions,
          lookup: (id) => window.items.get(id),
          targets: batch,
          servable: (id) => window.items.get(id)?.open === true,
        });
  let regions: RegionPopularity[] = [];
  let loaded = window.interactions.length;
  if (popularityDue) {
    const pop = sweeping ? window : await loadInteractionWindow(db, now - POPULARITY_HORIZON_MS);
    if (pop !== window) loaded += pop.interactions.length;
    regions = planPopularity({
      interactions: pop.interactions,
      lookup: (id) => pop.items.get(id),
      regions: await loadRegionCentres(db),
      now,
    });
  }
  const plan = { users, regions };

  const next = done
    ? { watermark: sweepStartedAt - RECOMPUTE.watermarkMarginMs, cursor: "" }
    : { watermark, cursor: batch[batch.length - 1] };
  const stamps = {
    sweepStartedAt,
    lastRunAt: now,
    lastFullAt: full ? now : state.lastFullAt,
    popularityAt: popularityDue ? now : state.popularityAt,
  };
  const row = { ...next, ...stamps };
  await writeStatements(db, [
    ...(popularityDue ? popularityStatements(db, plan, now) : []),
    ...userModelStatements(db, plan, now),
    ...(full ? [pruneInteractions(db, now - RECOMPUTE.windowMs)] : []),
    db
      .insert(recState)
      .values({ id: STATE_ID, ...row })
      .onConflictDoUpdate({ target: recState.id, set: row }),
  ]);
  return {
    users: plan.users.length,
    regions: plan.regions.length,
    interactions: loaded,
    done,
    full,
    skipped: false,
  };
}
