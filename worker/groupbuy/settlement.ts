import { and, eq, inArray, isNull } from "drizzle-orm";
import type { GroupBuyStatus } from "../../shared/schemas/groupbuy";
import { type BatchItem, getDb, runBatch } from "../db/client";
import { groupBuyHolds, groupBuyMembers, groupBuys, sellerPayables } from "../db/schema";
import { newId } from "../lib/ids";
import type { Hold } from "../wallet/holds";
import { PAYABLE_HOLD_MS } from "./config";
import { getJoinHold, postJoinHold, refundPostedHold, releaseJoinHold, settleEscrowToSeller } from "./ledgerOps";
import { ESCROW_STATUSES } from "./stateMachine";
import { trustEventStatement } from "./trust";

type Settlement = (typeof groupBuyHolds.$inferSelect)["settlement"];

/** Where a hold must end up, given the buy's status (the D1 mirror, written before any message is sent). */
function targetFor(status: GroupBuyStatus, holdState: "active" | "left"): "posted" | "voided" | "refunded" | null {
  if (holdState === "left") return "voided";
  if (ESCROW_STATUSES.includes(status)) return "posted";
  if (status === "FAILED") return "voided";
  if (status === "CANCELLED") return "refunded";
  return null; // OPEN: nothing to do yet
}

/**
 * Queue job `groupbuy.settleHold`: converge one hold on what the buy's status calls for. It reads the ledger's
 * truth first and only does the missing step, so a duplicate delivery, a retry after a crash, or a message that
 * raced a cancellation all end in the same place. Throws (→ retry with backoff) when it cannot finish yet.
 */
export async function settleHold(env: Env, job: { groupBuyId: string; holdId: string }, now: number): Promise<void> {
  const db = getDb(env);
  const [gb, row] = await Promise.all([
    db
      .select({ status: groupBuys.status, regionId: groupBuys.regionId })
      .from(groupBuys)
      .where(eq(groupBuys.id, job.groupBuyId))
      .get(),
    db.select().from(groupBuyHolds).where(eq(groupBuyHolds.holdId, job.holdId)).get(),
  ]);
  if (!gb || !row || row.groupBuyId !== job.groupBuyId) {
    throw new Error(`settleHold: ${job.groupBuyId}/${job.holdId} is not mirrored yet`);
  }
  const target = targetFor(gb.status, row.state);
  if (!target) return;
  let hold = await getJoinHold(env, gb.regionId, job.holdId);
  if (!hold) throw new Error(`settleHold: hold ${job.holdId} does not exist in the ledger`);
  let settlement: Settlement = row.settlement;
  if (target === "posted") {
    if (hold.status === "pending") hold = await postJoinHold(env, gb.regionId, job.holdId, now);
    settlement = settledAs(hold);
  } else {
    if (hold.status === "pending") {
      const outcome = await releaseJoinHold(env, gb.regionId, job.holdId, now);
      // Lost a race with a post: it is captured now, so (for a cancellation) refund it below.
      if (outcome === "posted") hold = (await getJoinHold(env, gb.regionId, job.holdId))!;
      else settlement = "voided";
    }
    if (hold.status === "posted") {
      if (target !== "refunded")
        throw new Error(`settleHold: hold ${job.holdId} was captured but the buy is ${gb.status}`);
      await refundPostedHold(env, hold, job.groupBuyId, now);
      settlement = "refunded";
    } else if (hold.status !== "pending") {
      settlement = settlement === "refunded" ? "refunded" : "voided";
    }
  }
  if (settlement !== row.settlement) {
    await db.update(groupBuyHolds).set({ settlement, updatedAt: now }).where(eq(groupBuyHolds.holdId, job.holdId));
  }
}

function settledAs(hold: Hold): Settlement {
  if (hold.status === "posted") return "posted";
  throw new Error(`settleHold: hold ${hold.id} is ${hold.status}, cannot capture it into escrow`);
}

/**
 * Queue job `groupbuy.complete`: escrow → the seller's pending payable minus the platform fee, a payable row that
 * becomes available after the confirmation window, and a completed buy on each buyer's trust record. Ledger
 * transfers have ids derived from the buy and the D1 rows are insert-or-ignore, so re-running it changes nothing.
 */
export async function completeSettlement(env: Env, groupBuyId: string, now: number): Promise<void> {
  const db = getDb(env);
  const gb = await db.select().from(groupBuys).where(eq(groupBuys.id, groupBuyId)).get();
  if (gb?.status !== "COMPLETED" || gb.settledAt !== null) return;
  const holds = await db
    .select()
    .from(groupBuyHolds)
    .where(and(eq(groupBuyHolds.groupBuyId, groupBuyId), eq(groupBuyHolds.state, "active")))
    .all();
  // Any hold whose settlement message has not run yet is captured now (same idempotent step).
  for (const h of holds.filter((x) => x.settlement === "held"))
    await settleHold(env, { groupBuyId, holdId: h.holdId }, now);
  const gross = holds.reduce((sum, h) => sum + h.amount, 0);
  const split = await settleEscrowToSeller(env, {
    groupBuyId,
    regionId: gb.regionId,
    sellerId: gb.sellerId,
    gross,
    now,
  });
  const buyers = await db
    .select({ userId: groupBuyMembers.userId })
    .from(groupBuyMembers)
    .where(
      and(
        eq(groupBuyMembers.groupBuyId, groupBuyId),
        eq(groupBuyMembers.status, "joined"),
        isNull(groupBuyMembers.noShowAt),
      ),
    )
    .all();
  const statements: BatchItem[] = [
    db
      .insert(sellerPayables)
      .values({
        id: newId(now),
        sellerId: gb.sellerId,
        groupBuyId,
        regionId: gb.regionId,
        gross: split.gross,
        fee: split.fee,
        net: split.net,
        status: "pending",
        availableAt: now + PAYABLE_HOLD_MS,
        payoutId: null,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: sellerPayables.groupBuyId }),
    ...buyers.map((b) =>
      trustEventStatement(db, {
        id: `completed:${groupBuyId}:${b.userId}`,
        userId: b.userId,
        kind: "completed",
        reference: groupBuyId,
        at: now,
      }),
    ),
    db
      .update(groupBuys)
      .set({ settledAt: now, updatedAt: now })
      .where(and(eq(groupBuys.id, groupBuyId), isNull(groupBuys.settledAt))),
  ];
  // ≤ 1,000 queries per invocation: trust rows go in chunks (one statement each).
  for (let i = 0; i < statements.length; i += 50) {
    const chunk = statements.slice(i, i + 50);
    // The settledAt update is last, so a buy is only marked settled once every row before it is written.
    await runBatch(db, chunk);
  }
}

/** Holds of a buy still waiting for their settlement (diagnostics and tests). */
export function unsettledHolds(env: Env, groupBuyId: string) {
  return getDb(env)
    .select()
    .from(groupBuyHolds)
    .where(and(eq(groupBuyHolds.groupBuyId, groupBuyId), inArray(groupBuyHolds.settlement, ["held"])))
    .all();
}
