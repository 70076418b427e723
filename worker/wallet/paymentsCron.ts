import { and, inArray, lt, lte } from "drizzle-orm";
import { type Db, getDb } from "../db/client";
import { cardBlobs, charges } from "../db/schema";
import { enqueueMany } from "../queue/send";
import { resealStaleBillingKeys } from "./billingKeys";
import { allBookDbs } from "./books";
import { settleJob } from "./settle";

/**
 * Payments housekeeping, every cron run:
 *  - encrypted card blobs older than their 24 h TTL are deleted (their deferred charge then fails and is clawed back);
 *  - charges still owed an outcome that nobody touched for STALE_MS get their settle job again. The charges table is
 *    the source of truth and the Queue only a courier, so a job lost to the DLQ, or a crash between the D1 write and
 *    the send, can delay a charge but never strand it (jobs are idempotent, duplicates are harmless);
 *  - billing keys still sealed under an old key version are re-sealed.
 */
export const STALE_MS = 30 * 60_000;
const PER_RUN = 500;

export async function runPaymentsCron(env: Env, now: number): Promise<{ blobsDeleted: number; requeued: number }> {
  let blobsDeleted = 0;
  let requeued = 0;
  for (const db of allBookDbs(env)) {
    const expired = await db
      .delete(cardBlobs)
      .where(lte(cardBlobs.expiresAt, now))
      .returning({ chargeId: cardBlobs.chargeId })
      .all();
    blobsDeleted += expired.length;
    const stale = await db
      .select({ id: charges.id, book: charges.book })
      .from(charges)
      .where(and(inArray(charges.status, ["processing", "unknown", "deferred"]), lt(charges.updatedAt, now - STALE_MS)))
      .limit(PER_RUN)
      .all();
    const expiredIds = new Set(expired.map((e) => e.chargeId));
    const due = [...stale, ...(await chargesByIds(db, [...expiredIds]))];
    const unique = [...new Map(due.map((c) => [c.id, c])).values()];
    await enqueueMany(env, unique.map(settleJob));
    requeued += unique.length;
  }
  await resealStaleBillingKeys(getDb(env), env);
  return { blobsDeleted, requeued };
}

async function chargesByIds(db: Db, ids: string[]) {
  const rows: { id: string; book: string }[] = [];
  for (let i = 0; i < ids.length; i += 90) {
    rows.push(
      ...(await db
        .select({ id: charges.id, book: charges.book })
        .from(charges)
        .where(inArray(charges.id, ids.slice(i, i + 90)))
        .all()),
    );
  }
  return rows;
}
