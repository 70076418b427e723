import { count, inArray, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { trustEvents } from "../db/schema";

type TrustKind = (typeof trustEvents.$inferSelect)["kind"];

export interface TrustRecord {
  completedBuys: number;
  noShows: number;
  hostCancellations: number;
  reports: number;
}

/**
 * A user's trust record, counted from immutable trust events (written with deterministic ids, so a retried job or a
 * re-mirrored event never counts twice). Shown on profiles, on the host of every group buy and on board authors.
 * `reports` counts reports a moderator upheld (content removed, chat message deleted), not mere accusations.
 */
export async function trustRecord(db: Db, userId: string): Promise<TrustRecord> {
  return (await trustRecords(db, [userId])).get(userId) ?? emptyTrust();
}

export function emptyTrust(): TrustRecord {
  return { completedBuys: 0, noShows: 0, hostCancellations: 0, reports: 0 };
}

const FIELD: Record<TrustKind, keyof TrustRecord> = {
  completed: "completedBuys",
  no_show: "noShows",
  host_cancel: "hostCancellations",
  report: "reports",
};

/** Several users' records in one query (callers keep `userIds` under D1's 100 bound parameters). */
export async function trustRecords(db: Db, userIds: string[]): Promise<Map<string, TrustRecord>> {
  const records = new Map(userIds.map((id) => [id, emptyTrust()]));
  if (userIds.length === 0) return records;
  const rows = await db
    .select({ userId: trustEvents.userId, kind: trustEvents.kind, n: count() })
    .from(trustEvents)
    .where(inArray(trustEvents.userId, userIds))
    .groupBy(trustEvents.userId, trustEvents.kind)
    .all();
  for (const r of rows) {
    const record = records.get(r.userId);
    const field = FIELD[r.kind];
    if (record && field) record[field] = r.n;
  }
  return records;
}

/** For other features (e.g. community reports): one statement to batch with the change it records. */
export function trustEventStatement(
  db: Db,
  e: {
    id: string;
    userId: string;
    kind: TrustKind;
    reference: string;
    at: number;
  },
) {
  return db.insert(trustEvents).values(e).onConflictDoNothing();
}

/** trustEventStatement that inserts only if `condition` (SQL, evaluated inside the INSERT) holds: the change it records happened. */
export function trustEventWhereStatement(
  db: Db,
  e: { id: string; userId: string; kind: TrustKind; reference: string; at: number },
  condition: SQL,
) {
  return db
    .insert(trustEvents)
    .select(
      db
        .select({
          // keys in table column order (drizzle lists the insert columns in that order)
          id: sql<string>`${e.id}`.as("id"),
          userId: sql<string>`${e.userId}`.as("user_id"),
          kind: sql<TrustKind>`${e.kind}`.as("kind"),
          reference: sql<string>`${e.reference}`.as("reference"),
          at: sql<number>`${e.at}`.as("at"),
        })
        .from(sql`(SELECT 1)`)
        .where(condition),
    )
    .onConflictDoNothing();
}
