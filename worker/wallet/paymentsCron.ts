import { and, inArray, lt, lte } from "drizzle-orm";
import { type Db, getDb } from "../db/client";
import { cardBlobs, charges, refunds } from "../db/schema";
import { enqueueMany } from "../queue/send";
import { resealStaleBillingKeys } from "./billingKeys";
import { allBookDbs } from "./books";
import { refundJob, stalePendingParts } from "./refund";
import { settleJob } from "./settle";

/**
 * Payments housekeeping, every cron run:
 *  - encrypted card blobs older than their 24 h TTL are deleted (their deferred charge then fails and is clawed back);
 *  - charges still owed an outcome that nobody touched for STALE_MS get their settle job again. The charges table is
 *    the source of truth and the Queue only a courier, so a job lost to the DLQ, or a crash between the D1 write and
 *    the send, can delay a charge but never strand it (jobs are idempotent, duplicates are harmless);
 *  - refund parts still pending (their cancel job was lost) likewise;
 *  - billing keys still sealed under an old key version are re-sealed.
 */
export const STALE_MS = 30 * 60_000;
/** Per book database and run: stale charges, stale refund parts (each); expired card blobs. */
const PER_RUN = 500;
const BLOBS_PER_RUN = 2000;
const RESEAL_PER_RUN = 50;
/**
 * The most one run sends (scheduled.ts reserves it): per database the blob delete, the two stale reads, the ids in
 * chunks of 90 (≤ 2,000 blobs' charges: 23, ≤ 500 parts' refunds: 6) and sends of 100 (≤ 3,000 jobs: 30); the
 * re-seal's read and an update per key.
 */
export const PAYMENTS_CRON_PER_DB = 3 + 23 + 6 + 30;
export const PAYMENTS_CRON_RESEAL = 1 + RESEAL_PER_RUN;

export async function runPaymentsCron(env: Env, now: number): Promise<{ blobsDeleted: number; requeued: number }> {
  let blobsDeleted = 0;
  let requeued = 0;
  for (const db of allBookDbs(env)) {
    // BLOBS_PER_RUN at a time: unbounded, a backlog (a day of deferred charges whose blobs expire together) sent a
    // read per 90 of them and a send per 100 in one run — 9,000 blobs: 101 reads (test/worker/cron-subrequests.test.ts)
    const expired = await db
      .delete(cardBlobs)
      .where(
        inArray(
          cardBlobs.chargeId,
          db
            .select({ id: cardBlobs.chargeId })
            .from(cardBlobs)
            .where(lte(cardBlobs.expiresAt, now))
            .limit(BLOBS_PER_RUN),
        ),
      )
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
    const due = [...stale, ...(await booksByIds(db, charges, [...expiredIds]))];
    const unique = [...new Map(due.map((c) => [c.id, c])).values()];
    const parts = await stalePendingParts(db, now - STALE_MS, PER_RUN);
    const books = new Map(
      (await booksByIds(db, refunds, [...new Set(parts.map((p) => p.refundId))])).map((r) => [r.id, r.book] as const),
    );
    await enqueueMany(env, [
      ...unique.map(settleJob),
      ...parts.flatMap((p) => (books.has(p.refundId) ? [refundJob(p, books.get(p.refundId)!)] : [])),
    ]);
    requeued += unique.length + parts.length;
  }
  await resealStaleBillingKeys(getDb(env), env, RESEAL_PER_RUN);
  return { blobsDeleted, requeued };
}

/** { id, book } of rows of `table` by id, in chunks that keep each IN (...) under D1's 100 bound parameters. */
async function booksByIds(db: Db, table: typeof charges | typeof refunds, ids: string[]) {
  const rows: { id: string; book: string }[] = [];
  for (let i = 0; i < ids.length; i += 90) {
    rows.push(
      ...(await db
        .select({ id: table.id, book: table.book })
        .from(table)
        .where(inArray(table.id, ids.slice(i, i + 90)))
        .all()),
    );
  }
  return rows;
}
