import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import type { SQLiteInsertSelectQueryBuilder } from "drizzle-orm/sqlite-core";
import { chunks, type Db, runBatch, valuesPerRow } from "../db/client";
import { preparedRows } from "../db/prepared";
import { boardLikes, boardSupplyOffers, recInteractions, users } from "../db/schema";
import { errorForLog } from "../lib/errors";
import { SIGNAL_WEIGHTS, type SignalKind } from "./config";

export interface InteractionInput {
  userId: string;
  /** The group buy the signal is about. */
  itemId: string;
  kind: SignalKind;
  at: number;
}

/**
 * The hook other domains call when something happens (join, purchase completed, view, like on a post about a
 * group buy, chat message). Returns a statement to put in the caller's db.batch() so the signal commits with the
 * action itself. Idempotent: one row per (user, item, kind); a repeat only moves its time forward, which marks the
 * user for the next incremental recompute.
 */
export function recordInteraction(db: Db, input: InteractionInput) {
  return recordInteractions(db, [input]);
}

/** recordInteraction for several rows in one statement (the caller keeps it under D1's 100 bound values). */
export function recordInteractions(db: Db, inputs: InteractionInput[]) {
  const rows = inputs.map(({ userId, itemId, kind, at }) => ({
    userId,
    itemId,
    kind,
    at,
    weight: SIGNAL_WEIGHTS[kind],
  }));
  // built once per row count (prepared.ts): the D1 mirror records a fill's joins with it on every flush
  return preparedRows(db, "recommend.interactions", rows, (marks) =>
    db
      .insert(recInteractions)
      .values(marks)
      .onConflictDoUpdate({
        target: [recInteractions.userId, recInteractions.itemId, recInteractions.kind],
        set: { weight: sql`excluded.weight`, at: sql`max(${recInteractions.at}, excluded.at)` },
      }),
  );
}

/**
 * The "chat" signals (one per person who chatted in a buy's room) of the people D1 knows, as multi-row upserts, and how
 * many were dropped: rec_interactions.user_id references users, so one unknown id would fail its whole statement.
 */
export async function chatSignalStatements(db: Db, itemId: string, signals: { userId: string; at: number }[]) {
  const ids = signals.map((s) => s.userId);
  const found = await db.select({ id: users.id }).from(users).where(inArray(users.id, ids)).all();
  const known = new Set(found.map((u) => u.id));
  const rows = signals
    .filter((s) => known.has(s.userId))
    .map((s) => ({ userId: s.userId, itemId, kind: "chat" as const, at: s.at }));
  const statements = chunks(rows, valuesPerRow(recInteractions)).map((chunk) => recordInteractions(db, chunk));
  return { statements, dropped: signals.length - rows.length };
}

/** Removes a signal (a buyer left an OPEN group buy, or undid "not interested"). Also a batchable statement. */
export function retractInteraction(db: Db, input: Omit<InteractionInput, "at">) {
  return db
    .delete(recInteractions)
    .where(
      and(
        eq(recInteractions.userId, input.userId),
        eq(recInteractions.itemId, input.itemId),
        eq(recInteractions.kind, input.kind),
      ),
    );
}

/** Records a view on its own (for read paths that have no batch); never throws: a lost view only weakens a signal. */
export async function recordView(db: Db, userId: string, itemId: string, at: number): Promise<void> {
  try {
    await runBatch(db, [recordInteraction(db, { userId, itemId, kind: "view", at })]);
  } catch (e) {
    console.error(JSON.stringify({ level: "warn", where: "recommend.recordView", error: errorForLog(e) }));
  }
}

/** Upsert of (user, item, kind) rows chosen by a SELECT: a repeat only moves the time forward. */
function upsertSelected(db: Db, rows: SQLiteInsertSelectQueryBuilder<typeof recInteractions>) {
  return db
    .insert(recInteractions)
    .select(rows)
    .onConflictDoUpdate({
      target: [recInteractions.userId, recInteractions.itemId, recInteractions.kind],
      set: { at: sql`max(${recInteractions.at}, excluded.at)` },
    });
}

/**
 * A like on a board post is a like of every group buy the post became (proposal → seller's offer → buy). One
 * batchable statement, so the signal commits with the like; unliking takes it back.
 */
export function postLikeSignal(db: Db, a: { userId: string; postId: string; liked: boolean; at: number }) {
  const linked = and(eq(boardSupplyOffers.postId, a.postId), isNotNull(boardSupplyOffers.groupBuyId));
  if (!a.liked) {
    const items = db.select({ id: boardSupplyOffers.groupBuyId }).from(boardSupplyOffers).where(linked);
    return db
      .delete(recInteractions)
      .where(
        and(
          eq(recInteractions.userId, a.userId),
          eq(recInteractions.kind, "like"),
          inArray(recInteractions.itemId, items),
        ),
      );
  }
  // keys in table column order (drizzle lists the insert columns in that order)
  return upsertSelected(
    db,
    db
      .select({
        userId: sql<string>`${a.userId}`.as("user_id"),
        itemId: sql<string>`${boardSupplyOffers.groupBuyId}`.as("item_id"),
        kind: sql<"like">`'like'`.as("kind"),
        weight: sql<number>`${SIGNAL_WEIGHTS.like}`.as("weight"),
        at: sql<number>`${a.at}`.as("at"),
      })
      .from(boardSupplyOffers)
      .where(linked),
  );
}

/** When a post's offer is linked to a buy, everyone who already liked the post has liked the buy. */
export function linkedPostLikes(db: Db, a: { postId: string; groupBuyId: string }) {
  return upsertSelected(
    db,
    db
      .select({
        userId: boardLikes.userId,
        itemId: sql<string>`${a.groupBuyId}`.as("item_id"),
        kind: sql<"like">`'like'`.as("kind"),
        weight: sql<number>`${SIGNAL_WEIGHTS.like}`.as("weight"),
        at: boardLikes.createdAt,
      })
      .from(boardLikes)
      .where(eq(boardLikes.postId, a.postId)),
  );
}
