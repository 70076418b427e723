import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { ProductCategory } from "../../../shared/schemas/groupbuy";
import { SIGNAL_KINDS } from "../../recommend/config";
import { users } from "./accounts";

// Recommendations. Interactions are the input; everything else here is derived by the cron (worker/recommend/
// recompute.ts) and can be rebuilt from them at any time.

/**
 * One row per (user, item, kind): a repeated view or a retried join is one signal, not many. `item_id` is a group
 * buy id (not a foreign key: the signal outlives an archived buy and arrives from other domains' batches).
 * `weight` is the config weight in force when recorded; scoring reads it from here.
 */
export const recInteractions = sqliteTable(
  "rec_interactions",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    itemId: text("item_id").notNull(),
    kind: text("kind", { enum: SIGNAL_KINDS }).notNull(),
    weight: real("weight").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.itemId, t.kind] }),
    index("rec_interactions_at_idx").on(t.at, t.userId),
    index("rec_interactions_item_idx").on(t.itemId),
  ],
);

/** Favourite categories from onboarding (`recommend.setInterests`). */
export const recInterests = sqliteTable("rec_interests", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id),
  categories: text("categories", { mode: "json" }).$type<ProductCategory[]>().notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** Top-K neighbours per user: [[userId, similarity], …] best first. */
export const recNeighbours = sqliteTable("rec_neighbours", {
  userId: text("user_id").primaryKey(),
  neighbours: text("neighbours", { mode: "json" }).$type<[string, number][]>().notNull(),
  computedAt: integer("computed_at").notNull(),
});

/**
 * Candidate scores per user as one JSON array [[itemId, score, neighbourCount], …]: one row write per user keeps a
 * recompute inside D1's per-invocation query limit; serving expands it with json_each in the same query.
 */
export const recCandidates = sqliteTable("rec_candidates", {
  userId: text("user_id").primaryKey(),
  n: integer("n").notNull(),
  items: text("items", { mode: "json" }).$type<[string, number, number][]>().notNull(),
  /** Category affinity from the user's own history: [[category, 0..1], …]. */
  affinity: text("affinity", { mode: "json" }).$type<[string, number][]>().notNull(),
  computedAt: integer("computed_at").notNull(),
});

/** The popularity each region serves from, keyed "i:<groupBuyId>", "p:<productId>", "c:<category>". */
export const recPopularity = sqliteTable(
  "rec_popularity",
  {
    regionId: text("region_id").notNull(),
    key: text("key").notNull(),
    score: real("score").notNull(),
  },
  (t) => [primaryKey({ columns: [t.regionId, t.key] })],
);

/** Per region: whether its table borrowed from nearby regions (a new neighbourhood). */
export const recRegions = sqliteTable("rec_regions", {
  regionId: text("region_id").primaryKey(),
  fallback: integer("fallback", { mode: "boolean" }).notNull(),
  mass: real("mass").notNull(),
  computedAt: integer("computed_at").notNull(),
});

/** Incremental recompute bookmark: users with interactions after `watermark` are due; `cursor` pages through them. */
export const recState = sqliteTable("rec_state", {
  id: text("id").primaryKey(),
  watermark: integer("watermark").notNull(),
  cursor: text("cursor").notNull(),
  /** When the current sweep began: the next watermark once its cursor reaches the end. */
  sweepStartedAt: integer("sweep_started_at").notNull(),
  lastRunAt: integer("last_run_at").notNull(),
  lastFullAt: integer("last_full_at").notNull(),
  /** When the popularity tables were last rewritten (they refresh every popularityRefreshMs, not every run). */
  popularityAt: integer("popularity_at").notNull().default(0),
});
