import { and, eq, sql } from "drizzle-orm";
import { type Db, runBatch } from "../db/client";
import { recInteractions } from "../db/schema";
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
  return db
    .insert(recInteractions)
    .values({ ...input, weight: SIGNAL_WEIGHTS[input.kind] })
    .onConflictDoUpdate({
      target: [recInteractions.userId, recInteractions.itemId, recInteractions.kind],
      set: { weight: SIGNAL_WEIGHTS[input.kind], at: sql`max(${recInteractions.at}, excluded.at)` },
    });
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
    console.error(JSON.stringify({ level: "warn", where: "recommend.recordView", error: String(e) }));
  }
}
