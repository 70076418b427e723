import { and, desc, eq, inArray, isNull, lte, or, sql } from "drizzle-orm";
import { type Db, getDb, runBatch } from "../db/client";
import { groupBuys, sellerPayables, sellerPayouts } from "../db/schema";
import { errorForLog } from "../lib/errors";
import { newId } from "../lib/ids";
import { getGateway } from "../payments";
import { type GatewayOutcome, type GatewayPayout, isPayoutFailed } from "../payments/gateway";
import { AUTO_CONFIRM_MS, MIN_PAYOUT_WON } from "./config";
import { afterCursor, page } from "./cursor";
import { payOutFromLedger, releasePayable } from "./ledgerOps";
import {
  hasPayableAccount,
  payoutAccountsOf,
  payoutAllowance,
  refreshPayoutAccount,
  tellBlockedSellers,
  tellPayoutBlocked,
} from "./payoutAccounts";
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
      try {
        await releasePayable(env, { payableId: p.id, regionId: p.regionId, sellerId: p.sellerId, amount: p.net, now });
      } catch (e) {
        // a refund (purchaseRefund.ts) took from it since the read: the ledger refused the stale amount and moved
        // nothing; the next run reads the new net. The others go on.
        console.warn(
          JSON.stringify({ level: "warn", where: "releaseDuePayables", payableId: p.id, error: errorForLog(e) }),
        );
        continue;
      }
    }
    await db
      .update(sellerPayables)
      .set({ status: "available", updatedAt: now })
      .where(and(eq(sellerPayables.id, p.id), eq(sellerPayables.status, "pending")));
  }
  return due.length;
}

/**
 * How a payout's reason starts when the batch cannot finish it alone (the ledger refused it, the gateway paid another
 * amount): it stays requested and the admin payouts list (payoutAdmin.ts) finds it by this.
 */
export const NEEDS_OPERATOR = "Needs an operator: ";

/** "stuck": finishing it threw (e.g. the ledger refused it); left requested for an operator, the batch goes on. */
type PayoutEnd = "paid" | "failed" | "inFlight" | "empty" | "stuck";

/**
 * Cron (daily): one payout per seller per region book of everything available. Step 1 records the payout and claims
 * its payables in one batch; step 2 sends it through the gateway (Idempotency-Key `payout:<id>`); step 3, once the
 * gateway says COMPLETED, moves the ledger (idempotent id `payout:<id>`) and marks it paid. A payout the gateway has
 * not finished (down, no answer, still IN_PROGRESS) stays "requested" and the next run resumes it (step 0).
 * Only sellers whose payout account allows it are paid (payoutAccounts.ts); the others' payables stay available and
 * the seller is told, once per account state, what to do.
 */
export async function runPayoutBatch(env: Env, now: number): Promise<Record<PayoutEnd, number>> {
  const db = getDb(env);
  const result = { paid: 0, failed: 0, inFlight: 0, empty: 0, stuck: 0 };
  const requested = await db
    .select()
    .from(sellerPayouts)
    .where(eq(sellerPayouts.status, "requested"))
    .limit(CRON_BATCH)
    .all();
  for (const payout of requested) result[await finishOrHold(env, db, payout, now)]++;

  // Only sellers whose account can be paid: a blocked seller's balance never takes a place in the batch.
  const groups = await db
    .select({
      sellerId: sellerPayables.sellerId,
      regionId: sellerPayables.regionId,
      total: sql<number>`sum(${sellerPayables.net})`,
      ids: sql<string>`group_concat(${sellerPayables.id})`,
    })
    .from(sellerPayables)
    .where(
      and(
        eq(sellerPayables.status, "available"),
        isNull(sellerPayables.payoutId),
        hasPayableAccount(db, sellerPayables.sellerId),
      ),
    )
    .groupBy(sellerPayables.sellerId, sellerPayables.regionId)
    .limit(CRON_BATCH)
    .all();
  const accounts = await payoutAccountsOf(db, [...new Set(groups.map((g) => g.sellerId))]);
  for (const g of groups) {
    if (g.total < MIN_PAYOUT_WON) continue;
    const account = accounts.get(g.sellerId);
    const allowance = payoutAllowance(account);
    if (!account || !allowance.payable) continue; // changed since the query: the next run tells them
    let ids = g.ids.split(",").slice(0, 90); // ≤ 100 bound parameters per statement
    if (allowance.limitWon !== null && g.total > allowance.limitWon) {
      ids = await oldestWithin(db, g.sellerId, g.regionId, allowance.limitWon);
      await tellPayoutBlocked(db, env, g.sellerId, account, "over_limit", g.total, now);
      if (ids.length === 0) continue;
    }
    const payoutId = newId(now);
    // One batch: the payout, the claim, and the payout's amount = what it really claimed (another run may have
    // claimed some first), so a crash never leaves a payout whose amount differs from its payables.
    await runBatch(db, [
      db.insert(sellerPayouts).values({
        id: payoutId,
        sellerId: g.sellerId,
        regionId: g.regionId,
        amount: 0,
        status: "requested",
        destination: account.gatewaySellerId,
        createdAt: now,
      }),
      db
        .update(sellerPayables)
        .set({ payoutId, updatedAt: now })
        .where(
          and(inArray(sellerPayables.id, ids), isNull(sellerPayables.payoutId), eq(sellerPayables.status, "available")),
        ),
      db
        .update(sellerPayouts)
        .set({
          amount: sql`(SELECT coalesce(sum(${sellerPayables.net}), 0) FROM ${sellerPayables} WHERE ${sellerPayables.payoutId} = ${payoutId})`,
        })
        .where(eq(sellerPayouts.id, payoutId)),
    ]);
    const payout = await db.select().from(sellerPayouts).where(eq(sellerPayouts.id, payoutId)).get();
    if (payout) result[await finishOrHold(env, db, payout, now)]++;
  }
  await tellBlockedSellers(db, env, now, CRON_BATCH);
  return result;
}

/**
 * Available, unclaimed payables of one seller's region book, oldest first, as many as fit in `limitWon` (a
 * PARTIALLY_APPROVED seller's cap). Claiming only these keeps the payout's amount (what it really claimed) under it.
 */
async function oldestWithin(db: Db, sellerId: string, regionId: string, limitWon: number): Promise<string[]> {
  const rows = await db
    .select({ id: sellerPayables.id, net: sellerPayables.net })
    .from(sellerPayables)
    .where(
      and(
        eq(sellerPayables.sellerId, sellerId),
        eq(sellerPayables.regionId, regionId),
        eq(sellerPayables.status, "available"),
        isNull(sellerPayables.payoutId),
      ),
    )
    .orderBy(sellerPayables.createdAt, sellerPayables.id)
    .limit(90)
    .all();
  const ids: string[] = [];
  let sum = 0;
  for (const r of rows) {
    if (sum + r.net > limitWon) break;
    sum += r.net;
    ids.push(r.id);
  }
  return ids;
}

/**
 * finishPayout, but one payout that throws (the ledger refuses to overdraw its seller's account, a database error)
 * must not stop every other seller's payout each day: it stays requested — the gateway may have paid it, so it is
 * never failed here — with the reason on the row and an error log for an operator; the next run tries it again.
 */
export async function finishOrHold(env: Env, db: Db, payout: typeof sellerPayouts.$inferSelect, now: number) {
  try {
    return await finishPayout(env, db, payout, now);
  } catch (e) {
    const reason = `${NEEDS_OPERATOR}${errorForLog(e).slice(0, 400)}`;
    console.error(
      JSON.stringify({
        level: "error",
        where: "runPayoutBatch",
        payoutId: payout.id,
        sellerId: payout.sellerId,
        reason,
      }),
    );
    await db
      .update(sellerPayouts)
      .set({ failureReason: reason })
      .where(and(eq(sellerPayouts.id, payout.id), eq(sellerPayouts.status, "requested")));
    return "stuck" as const;
  }
}

/** Part of the request body a retry must repeat byte for byte (same Idempotency-Key): change it only with care. */
const PAYOUT_DESCRIPTION = "공구 판매 정산";

/**
 * Asks the gateway to pay (or, once it gave us its id, how the payout ended) and records the end. The ledger moves only
 * on COMPLETED, so a refused payout has moved nothing: its payables just go back to available for the next batch.
 */
async function finishPayout(env: Env, db: Db, payout: typeof sellerPayouts.$inferSelect, now: number) {
  if (payout.amount <= 0) {
    // Another run claimed every payable first: this payout was never sent and holds nothing.
    await db.delete(sellerPayouts).where(and(eq(sellerPayouts.id, payout.id), eq(sellerPayouts.status, "requested")));
    return "empty";
  }
  const gateway = getGateway(env);
  const outcome: GatewayOutcome<GatewayPayout | null> = payout.gatewayRef
    ? await gateway.getPayout(payout.gatewayRef)
    : await gateway.payout({
        refPayoutId: payout.id,
        // payouts recorded before payout accounts existed went to our seller id (the sandbox's old rule)
        destination: payout.destination ?? payout.sellerId,
        amount: payout.amount,
        description: PAYOUT_DESCRIPTION,
        idempotencyKey: `payout:${payout.id}`,
      });
  // Only the payout request's refusal means "not paid"; a refused lookup says nothing about the payout.
  if (outcome.kind === "declined" && !payout.gatewayRef) {
    const end = await failPayout(db, payout.id, null, `${outcome.code}: ${outcome.message}`);
    // Toss's view of the seller changed (e.g. KYC_REQUIRED): learn it, so the next run tells the seller, not retries.
    if (outcome.code === "FORBIDDEN_SELLER_PAYOUT" && payout.destination) {
      await refreshPayoutAccount(db, env, payout.destination, now);
    }
    return end;
  }
  const sent = outcome.kind === "ok" ? outcome.value : null;
  if (sent && isPayoutFailed(sent.status)) {
    return failPayout(
      db,
      payout.id,
      sent.id,
      sent.failure ? `${sent.failure.code}: ${sent.failure.message}` : sent.status,
    );
  }
  if (sent?.status !== "COMPLETED") {
    // Down, no answer, or still moving: the next run asks again (same key, or the gateway's id) and never pays twice.
    const reason =
      outcome.kind !== "ok"
        ? `${outcome.code}: ${outcome.message}`
        : sent
          ? `Gateway status ${sent.status}`
          : "Unknown to the gateway";
    await db
      .update(sellerPayouts)
      .set({ gatewayRef: sent?.id ?? payout.gatewayRef, failureReason: reason })
      .where(and(eq(sellerPayouts.id, payout.id), eq(sellerPayouts.status, "requested")));
    return "inFlight";
  }
  if (sent.amount !== payout.amount) {
    // Never expected; an operator must look. Left in flight so the other payouts of the batch still go.
    const reason = `${NEEDS_OPERATOR}the gateway paid ${sent.amount} won, not ${payout.amount}`;
    console.error(JSON.stringify({ level: "error", where: "finishPayout", payoutId: payout.id, reason }));
    await db
      .update(sellerPayouts)
      .set({ gatewayRef: sent.id, failureReason: reason })
      .where(eq(sellerPayouts.id, payout.id));
    return "inFlight";
  }
  await payOutFromLedger(env, {
    payoutId: payout.id,
    regionId: payout.regionId,
    sellerId: payout.sellerId,
    amount: payout.amount,
    now,
  });
  await runBatch(db, [
    db
      .update(sellerPayouts)
      .set({ status: "paid", gatewayRef: sent.id, failureReason: null, paidAt: now })
      .where(and(eq(sellerPayouts.id, payout.id), eq(sellerPayouts.status, "requested"))),
    db.update(sellerPayables).set({ status: "paid", updatedAt: now }).where(eq(sellerPayables.payoutId, payout.id)),
  ]);
  return "paid";
}

/**
 * A payout.changed webhook named one of our payouts (by the gateway's id or our refPayoutId): finish it now instead of
 * at the next cron run. Only which payout comes from the body; how it ended is asked of the gateway (finishPayout).
 */
export async function resumePayout(env: Env, ref: { gatewayId?: string; refPayoutId?: string }, now: number) {
  const db = getDb(env);
  const byRef = ref.gatewayId ? eq(sellerPayouts.gatewayRef, ref.gatewayId) : undefined;
  const byId = ref.refPayoutId ? eq(sellerPayouts.id, ref.refPayoutId) : undefined;
  if (!byRef && !byId) return null;
  const payout = await db
    .select()
    .from(sellerPayouts)
    .where(and(eq(sellerPayouts.status, "requested"), or(byRef, byId)))
    .get();
  return payout ? finishPayout(env, db, payout, now) : null;
}

/** A definitive refusal: the payout is failed with the reason and its payables are free for the next batch. */
async function failPayout(db: Db, payoutId: string, gatewayRef: string | null, reason: string): Promise<PayoutEnd> {
  await runBatch(db, [
    db
      .update(sellerPayouts)
      .set({ status: "failed", gatewayRef, failureReason: reason })
      .where(and(eq(sellerPayouts.id, payoutId), eq(sellerPayouts.status, "requested"))),
    db
      .update(sellerPayables)
      .set({ payoutId: null })
      .where(and(eq(sellerPayables.payoutId, payoutId), eq(sellerPayables.status, "available"))),
  ]);
  return "failed";
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
