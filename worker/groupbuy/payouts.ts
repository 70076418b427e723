import { and, desc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import { type Db, getDb, runBatch } from "../db/client";
import { groupBuys, sellerPayables, sellerPayouts } from "../db/schema";
import { newId } from "../lib/ids";
import { AUTO_CONFIRM_MS, MIN_PAYOUT_WON } from "./config";
import { afterCursor, page } from "./cursor";
import { payOutFromLedger, releasePayable } from "./ledgerOps";
import { sendPayout } from "./payoutRail";
import { autoConfirm } from "./pickup";

/** Work per cron run, so one run stays far inside the 1,000-queries-per-invocation limit. */
const CRON_BATCH = 25;

/** Cron: buyers who never confirmed are confirmed automatically AUTO_CONFIRM_MS after READY; the buy completes. */
export async function autoConfirmPickups(env: Env, now: number): Promise<number> {
  const db = getDb(env);
  const due = await db
    .select({ id: groupBuys.id })
    .from(groupBuys)
    .where(and(eq(groupBuys.status, "READY"), lte(groupBuys.readyAt, now - AUTO_CONFIRM_MS)))
    .limit(CRON_BATCH)
    .all();
  for (const { id } of due) await autoConfirm(db, env, id, now);
  return due.length;
}

/** Cron: pending payables whose confirmation window passed become available (ledger pending → available). */
export async function releaseDuePayables(env: Env, now: number): Promise<number> {
  const db = getDb(env);
  const due = await db
    .select()
    .from(sellerPayables)
    .where(and(eq(sellerPayables.status, "pending"), lte(sellerPayables.availableAt, now)))
    .limit(CRON_BATCH)
    .all();
  for (const p of due) {
    if (p.net > 0) {
      await releasePayable(env, { payableId: p.id, regionId: p.regionId, sellerId: p.sellerId, amount: p.net, now });
    }
    await db
      .update(sellerPayables)
      .set({ status: "available", updatedAt: now })
      .where(and(eq(sellerPayables.id, p.id), eq(sellerPayables.status, "pending")));
  }
  return due.length;
}

/**
 * Cron (daily): one payout per seller per region book of everything available. Step 1 records the payout and claims
 * its payables in one batch; step 2 moves the ledger (idempotent id `payout:<id>`); step 3 asks the payout rail
 * (idempotent by payout id); step 4 marks it paid. A crash anywhere is resumed by the next run (step 0).
 */
export async function runPayoutBatch(env: Env, now: number): Promise<{ paid: number; failed: number }> {
  const db = getDb(env);
  const result = { paid: 0, failed: 0 };
  const requested = await db
    .select()
    .from(sellerPayouts)
    .where(eq(sellerPayouts.status, "requested"))
    .limit(CRON_BATCH)
    .all();
  for (const payout of requested) result[(await finishPayout(env, db, payout, now)) ? "paid" : "failed"]++;

  const groups = await db
    .select({
      sellerId: sellerPayables.sellerId,
      regionId: sellerPayables.regionId,
      total: sql<number>`sum(${sellerPayables.net})`,
      ids: sql<string>`group_concat(${sellerPayables.id})`,
    })
    .from(sellerPayables)
    .where(and(eq(sellerPayables.status, "available"), isNull(sellerPayables.payoutId)))
    .groupBy(sellerPayables.sellerId, sellerPayables.regionId)
    .limit(CRON_BATCH)
    .all();
  for (const g of groups) {
    if (g.total < MIN_PAYOUT_WON) continue;
    const ids = g.ids.split(",").slice(0, 90); // ≤ 100 bound parameters per statement
    const claimed = await db.select().from(sellerPayables).where(inArray(sellerPayables.id, ids)).all();
    const amount = claimed.reduce((sum, p) => sum + p.net, 0);
    const payout = {
      id: newId(now),
      sellerId: g.sellerId,
      regionId: g.regionId,
      amount,
      status: "requested" as const,
      gatewayRef: null,
      failureReason: null,
      createdAt: now,
      paidAt: null,
    };
    await runBatch(db, [
      db.insert(sellerPayouts).values(payout),
      db
        .update(sellerPayables)
        .set({ payoutId: payout.id, updatedAt: now })
        .where(
          and(inArray(sellerPayables.id, ids), isNull(sellerPayables.payoutId), eq(sellerPayables.status, "available")),
        ),
    ]);
    // If another run claimed some of them first, the sum is what this payout really claimed.
    const mine = await db
      .select({ total: sql<number>`coalesce(sum(${sellerPayables.net}), 0)` })
      .from(sellerPayables)
      .where(eq(sellerPayables.payoutId, payout.id))
      .get();
    if ((mine?.total ?? 0) !== amount) {
      await db
        .update(sellerPayouts)
        .set({ amount: mine?.total ?? 0 })
        .where(eq(sellerPayouts.id, payout.id));
      payout.amount = mine?.total ?? 0;
    }
    result[(await finishPayout(env, db, payout, now)) ? "paid" : "failed"]++;
  }
  return result;
}

async function finishPayout(env: Env, db: Db, payout: typeof sellerPayouts.$inferSelect, now: number) {
  if (payout.amount > 0) {
    await payOutFromLedger(env, {
      payoutId: payout.id,
      regionId: payout.regionId,
      sellerId: payout.sellerId,
      amount: payout.amount,
      now,
    });
  }
  const sent = await sendPayout(env, { payoutId: payout.id, sellerId: payout.sellerId, amount: payout.amount });
  if (!sent.ok) {
    // Stays "requested": the next run retries with the same payout id (the rail is idempotent by it).
    await db.update(sellerPayouts).set({ failureReason: sent.message }).where(eq(sellerPayouts.id, payout.id));
    return false;
  }
  await runBatch(db, [
    db
      .update(sellerPayouts)
      .set({ status: "paid", gatewayRef: sent.ref, failureReason: null, paidAt: now })
      .where(and(eq(sellerPayouts.id, payout.id), eq(sellerPayouts.status, "requested"))),
    db.update(sellerPayables).set({ status: "paid", updatedAt: now }).where(eq(sellerPayables.payoutId, payout.id)),
  ]);
  return true;
}

/** `seller.payouts`: what each completed buy earned (gross, fee, net, status) and the payouts that paid it. */
export async function listSellerPayouts(db: Db, sellerId: string, cursor: string | undefined, limit: number) {
  const [rows, totals, payouts] = await Promise.all([
    db
      .select({ payable: sellerPayables, title: groupBuys.title })
      .from(sellerPayables)
      .innerJoin(groupBuys, eq(groupBuys.id, sellerPayables.groupBuyId))
      .where(
        and(eq(sellerPayables.sellerId, sellerId), afterCursor(sellerPayables.createdAt, sellerPayables.id, cursor)),
      )
      .orderBy(desc(sellerPayables.createdAt), desc(sellerPayables.id))
      .limit(limit + 1)
      .all(),
    db
      .select({ status: sellerPayables.status, total: sql<number>`sum(${sellerPayables.net})` })
      .from(sellerPayables)
      .where(eq(sellerPayables.sellerId, sellerId))
      .groupBy(sellerPayables.status)
      .all(),
    db
      .select()
      .from(sellerPayouts)
      .where(eq(sellerPayouts.sellerId, sellerId))
      .orderBy(desc(sellerPayouts.createdAt))
      .limit(20)
      .all(),
  ]);
  const byStatus = new Map(totals.map((t) => [t.status, t.total]));
  return {
    ...page(
      rows.map((r) => ({ ...r.payable, title: r.title })),
      limit,
      (p) => ({ at: p.createdAt, id: p.id }),
    ),
    totals: {
      pending: byStatus.get("pending") ?? 0,
      available: byStatus.get("available") ?? 0,
      paid: byStatus.get("paid") ?? 0,
    },
    payouts,
  };
}
