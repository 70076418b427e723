import { count, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { trustEvents } from "../db/schema";

export interface TrustRecord {
  completedBuys: number;
  noShows: number;
  hostCancellations: number;
  reports: number;
}

/**
 * A user's trust record, counted from immutable trust events (written with deterministic ids, so a retried job or a
 * re-mirrored event never counts twice). Shown on profiles and on the host of every group buy.
 */
export async function trustRecord(db: Db, userId: string): Promise<TrustRecord> {
  const rows = await db
    .select({ kind: trustEvents.kind, n: count() })
    .from(trustEvents)
    .where(eq(trustEvents.userId, userId))
    .groupBy(trustEvents.kind)
    .all();
  const by = new Map(rows.map((r) => [r.kind, r.n]));
  return {
    completedBuys: by.get("completed") ?? 0,
    noShows: by.get("no_show") ?? 0,
    hostCancellations: by.get("host_cancel") ?? 0,
    reports: by.get("report") ?? 0,
  };
}

/** For other features (e.g. community reports): one statement to batch with the change it records. */
export function trustEventStatement(
  db: Db,
  e: {
    id: string;
    userId: string;
    kind: "completed" | "no_show" | "host_cancel" | "report";
    reference: string;
    at: number;
  },
) {
  return db.insert(trustEvents).values(e).onConflictDoNothing();
}
