import { and, asc, eq, gt, lt, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { type BatchItem, chunks, type Db, runBatch } from "../db/client";
import {
  groupBuyMembers,
  groupBuys,
  recCandidates,
  recInteractions,
  recInterests,
  recNeighbours,
  recPopularity,
  recRegions,
  regions,
} from "../db/schema";
import { SIGNAL_WEIGHTS, type SignalKind } from "./config";
import type { RecomputePlan } from "./plan";
import type { Interaction, ItemMeta, RegionCentre } from "./types";

// D1 reads and writes of the recommender. The group-buy tables belong to the groupbuy domain; this file is the only
// place the recommender reads them (aliased drizzle tables, so a renamed column fails the typecheck here).

// In raw SQL an alias renders as its name only: write `${groupBuys} ${gb}` in FROM/JOIN, `${gb.id}` for columns.
const gb = alias(groupBuys, "gb");
const gb1 = alias(groupBuys, "gb1");
const gb2 = alias(groupBuys, "gb2");
const m = alias(groupBuyMembers, "m");

const PAGE = 20_000;
interface WindowRow {
  rid: number;
  user_id: string;
  item_id: string;
  kind: SignalKind;
  weight: number;
  at: number;
  category: string | null;
  seller_id: string | null;
  product_id: string | null;
  region_id: string | null;
  status: string | null;
}

/**
 * Every interaction since `since` with its group buy's attributes, paged so no result grows without bound. With
 * `peersOf`, only the interactions of those users and of everyone sharing an item or a product with them: exactly
 * the users who can be their neighbours (see topNeighbours), so their models come out the same as from everything.
 */
export async function loadInteractionWindow(db: Db, since: number, peersOf?: string[]) {
  const interactions: Interaction[] = [];
  const items = new Map<string, ItemMeta & { open: boolean }>();
  // One JSON parameter carries the user list, whatever its length (D1 allows 100 bound parameters).
  const peers = peersOf
    ? sql`WITH due(user_id) AS (SELECT value FROM json_each(${JSON.stringify(peersOf)})),
        mine AS (SELECT DISTINCT i.item_id FROM ${recInteractions} i JOIN due ON due.user_id = i.user_id
                 WHERE i.at > ${since}),
        items AS (SELECT item_id FROM mine
                  UNION SELECT ${gb2.id} FROM mine JOIN ${groupBuys} ${gb1} ON ${gb1.id} = mine.item_id
                        JOIN ${groupBuys} ${gb2} ON ${gb2.productId} = ${gb1.productId}),
        peers AS (SELECT i.user_id FROM ${recInteractions} i JOIN items ON items.item_id = i.item_id
                  WHERE i.at > ${since} UNION SELECT user_id FROM due)`
    : sql``;
  const onlyPeers = peersOf ? sql`AND i.user_id IN (SELECT user_id FROM peers)` : sql``;
  let after = 0;
  for (;;) {
    const rows = await db.all<WindowRow>(sql`${peers}
      SELECT i.rowid AS rid, i.user_id, i.item_id, i.kind, i.weight, i.at,
             ${gb.category} AS category, ${gb.sellerId} AS seller_id, ${gb.productId} AS product_id,
             ${gb.regionId} AS region_id, ${gb.status} AS status
      FROM ${recInteractions} i LEFT JOIN ${groupBuys} ${gb} ON ${gb.id} = i.item_id
      WHERE i.at > ${since} AND i.rowid > ${after} ${onlyPeers}
      ORDER BY i.rowid LIMIT ${PAGE}`);
    for (const r of rows) {
      interactions.push({ userId: r.user_id, itemId: r.item_id, kind: r.kind, weight: r.weight, at: r.at });
      if (!items.has(r.item_id)) {
        items.set(r.item_id, {
          id: r.item_id,
          category: r.category,
          sellerId: r.seller_id,
          productId: r.product_id,
          regionId: r.region_id,
          open: r.status === "OPEN",
        });
      }
    }
    if (rows.length < PAGE) return { interactions, items };
    after = rows[rows.length - 1].rid;
  }
}

export function loadRegionCentres(db: Db): Promise<RegionCentre[]> {
  return db.select({ id: regions.id, lat: regions.lat, lng: regions.lng }).from(regions).all();
}

/** Users with an interaction after `watermark`, in id order after `cursor`. */
export async function dueUsers(db: Db, watermark: number, cursor: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectDistinct({ userId: recInteractions.userId })
    .from(recInteractions)
    .where(and(gt(recInteractions.at, watermark), gt(recInteractions.userId, cursor)))
    .orderBy(asc(recInteractions.userId))
    .limit(limit)
    .all();
  return rows.map((r) => r.userId);
}

const encoder = new TextEncoder();
const jsonBytes = (value: unknown) => encoder.encode(JSON.stringify(value)).length;

/** Upserts for the users' neighbours and candidates (one row each; JSON keeps it one write per user). */
export function userModelStatements(db: Db, plan: RecomputePlan, now: number): BatchItem[] {
  const statements: BatchItem[] = [];
  const cand = plan.users.map((m) => ({
    userId: m.userId,
    n: m.n,
    items: m.candidates.map((c): [string, number, number] => [c.itemId, round(c.score), c.neighbours]),
    affinity: m.affinity.map(([c, a]): [string, number] => [c, round(a)]),
    computedAt: now,
  }));
  for (const rows of chunks(cand, 5, (r) => jsonBytes(r.items) + jsonBytes(r.affinity))) {
    statements.push(
      db
        .insert(recCandidates)
        .values(rows)
        .onConflictDoUpdate({
          target: recCandidates.userId,
          set: {
            n: sql`excluded.n`,
            items: sql`excluded.items`,
            affinity: sql`excluded.affinity`,
            computedAt: sql`excluded.computed_at`,
          },
        }),
    );
  }
  const nbs = plan.users.map((m) => ({
    userId: m.userId,
    neighbours: m.neighbours.map((n): [string, number] => [n.userId, round(n.similarity)]),
    computedAt: now,
  }));
  for (const rows of chunks(nbs, 3, (r) => jsonBytes(r.neighbours))) {
    statements.push(
      db
        .insert(recNeighbours)
        .values(rows)
        .onConflictDoUpdate({
          target: recNeighbours.userId,
          set: { neighbours: sql`excluded.neighbours`, computedAt: sql`excluded.computed_at` },
        }),
    );
  }
  return statements;
}

/**
 * Replaces every region's popularity table; run as one batch so a reader sees the old tables or the new ones. The rows
 * travel as JSON arrays expanded by json_each (one bound value per statement, split by size only), so the statement
 * count grows with the tables' bytes (~1,000 rows a statement), not a statement per 33 rows: a month of buys (a row
 * per item, product and category per region) stays a handful of statements in the cron's invocation.
 */
export function popularityStatements(db: Db, plan: RecomputePlan, now: number): BatchItem[] {
  const statements: BatchItem[] = [db.delete(recPopularity), db.delete(recRegions)];
  const rows = plan.regions.flatMap((r) => r.table.map(([key, score]) => [r.regionId, key, round(score)]));
  // drizzle's INSERT … SELECT names every column in table order; each SELECT below yields them in that order.
  for (const part of chunks(rows, 0, jsonBytes)) {
    statements.push(
      db.insert(recPopularity).select(
        sql`SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
        FROM json_each(${JSON.stringify(part)})`,
      ),
    );
  }
  const regionRows = plan.regions.map((r) => [r.regionId, r.fallback ? 1 : 0, round(r.mass)]);
  for (const part of chunks(regionRows, 0, jsonBytes)) {
    statements.push(
      db.insert(recRegions).select(
        sql`SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), ${now}
        FROM json_each(${JSON.stringify(part)})`,
      ),
    );
  }
  return statements;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export async function writeStatements(db: Db, statements: BatchItem[]) {
  await runBatch(db, statements);
}

/** The raw material of one recommendation request: user facts and every servable group buy, in ONE query. */
export interface ServingRow {
  verified: number;
  n: number;
  interests: string | null;
  affinity: string | null;
  fallback: number | null;
  id: string | null;
  title: string | null;
  category: string | null;
  seller_id: string | null;
  product_id: string | null;
  price_per_share: number | null;
  total_shares: number | null;
  taken_shares: number | null;
  participant_count: number | null;
  deadline: number | null;
  pop_item: number | null;
  pop_product: number | null;
  pop_category: number | null;
  personal: number | null;
  neighbours: number | null;
}

/** Upper bound of group buys considered per request (a region rarely has this many open at once). */
export const SERVING_POOL = 300;

/**
 * User facts (verification, interaction count, interests, stored affinity, region fallback) in a one-row CTE, left
 * joined with the OPEN group buys of the region that the user has not joined or dismissed, each with its popularity
 * keys and the user's precomputed candidate score. Live filters read the current rows, so a join made a moment ago
 * already removes that buy here.
 */
export function servingRows(db: Db, userId: string, regionId: string, now: number) {
  return db.all<ServingRow>(sql`
    WITH u AS (
      SELECT
        EXISTS (SELECT 1 FROM region_verifications v
                WHERE v.user_id = ${userId} AND v.region_id = ${regionId} AND v.expires_at > ${now}) AS verified,
        (SELECT COUNT(*) FROM ${recInteractions} WHERE user_id = ${userId}) AS n,
        (SELECT categories FROM ${recInterests} WHERE user_id = ${userId}) AS interests,
        (SELECT affinity FROM ${recCandidates} WHERE user_id = ${userId}) AS affinity,
        (SELECT fallback FROM ${recRegions} WHERE region_id = ${regionId}) AS fallback
    ),
    cand AS (
      SELECT json_extract(j.value, '$[0]') AS item, json_extract(j.value, '$[1]') AS score,
             json_extract(j.value, '$[2]') AS neighbours
      FROM ${recCandidates} rc, json_each(rc.items) j WHERE rc.user_id = ${userId}
    ),
    g AS (
      SELECT ${gb.id} AS id, ${gb.title} AS title, ${gb.category} AS category, ${gb.sellerId} AS seller_id,
             ${gb.productId} AS product_id, ${gb.pricePerShare} AS price_per_share,
             ${gb.totalShares} AS total_shares, ${gb.takenShares} AS taken_shares,
             ${gb.participantCount} AS participant_count, ${gb.deadline} AS deadline,
             pi.score AS pop_item, pp.score AS pop_product, pc.score AS pop_category,
             c.score AS personal, c.neighbours AS neighbours
      FROM ${groupBuys} ${gb}
      LEFT JOIN ${recPopularity} pi ON pi.region_id = ${gb.regionId} AND pi.key = 'i:' || ${gb.id}
      LEFT JOIN ${recPopularity} pp ON pp.region_id = ${gb.regionId} AND pp.key = 'p:' || ${gb.productId}
      LEFT JOIN ${recPopularity} pc ON pc.region_id = ${gb.regionId} AND pc.key = 'c:' || ${gb.category}
      LEFT JOIN cand c ON c.item = ${gb.id}
      WHERE ${gb.regionId} = ${regionId} AND ${gb.status} = 'OPEN' AND ${gb.deadline} > ${now}
        AND NOT EXISTS (SELECT 1 FROM ${groupBuyMembers} ${m}
                        WHERE ${m.groupBuyId} = ${gb.id} AND ${m.userId} = ${userId} AND ${m.status} = 'joined')
        AND NOT EXISTS (SELECT 1 FROM ${recInteractions} x
                        WHERE x.user_id = ${userId} AND x.item_id = ${gb.id}
                          AND x.kind IN ('join', 'purchase', 'not_interested'))
        AND (SELECT verified FROM u)
      ORDER BY c.score IS NULL, COALESCE(pi.score, 0) DESC, ${gb.deadline}
      LIMIT ${SERVING_POOL}
    )
    SELECT u.*, g.* FROM u LEFT JOIN g ON 1`);
}

/** Signals older than any model window are dead weight. */
export function pruneInteractions(db: Db, before: number) {
  return db.delete(recInteractions).where(lt(recInteractions.at, before));
}

export async function groupBuyExists(db: Db, id: string): Promise<boolean> {
  const row = await db.select({ id: groupBuys.id }).from(groupBuys).where(eq(groupBuys.id, id)).get();
  return Boolean(row);
}

/**
 * Completed purchases come from the groupbuy domain's pickups (buyer-confirmed or automatic), read here instead of
 * hooking every pickup path: one idempotent INSERT … SELECT per cron run, before the due users are chosen.
 */
export function syncPurchases(db: Db, since: number) {
  return db.run(sql`
    INSERT INTO ${recInteractions} (user_id, item_id, kind, weight, at)
    SELECT ${m.userId}, ${m.groupBuyId}, 'purchase', ${SIGNAL_WEIGHTS.purchase}, ${m.pickedUpAt}
    FROM ${groupBuyMembers} ${m} WHERE ${m.status} = 'joined' AND ${m.pickedUpAt} > ${since}
    ON CONFLICT DO NOTHING`);
}

export function interestsRow(db: Db, userId: string) {
  return db.query.recInterests.findFirst({ where: (t) => eq(t.userId, userId) });
}
