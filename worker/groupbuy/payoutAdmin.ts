import { and, count, desc, eq, gte, lt, not, type SQL, sql } from "drizzle-orm";
import type { z } from "zod";
import type { adminPayoutsInput } from "../../shared/schemas/console";
import { type Db, getDb } from "../db/client";
import { auditLog, sellerPayouts, users } from "../db/schema";
import { fail } from "../lib/errors";
import { newId } from "../lib/ids";
import { afterCursor, page } from "./cursor";
import { finishOrHold, NEEDS_OPERATOR } from "./payouts";

type ListInput = z.output<typeof adminPayoutsInput>;

/** A payout the daily batch left for an operator: still requested, its reason starting with NEEDS_OPERATOR. */
// coalesce: a NULL reason must make this false, not NULL (which NOT would keep NULL and drop the row).
const needsOperatorWhere = sql`(${sellerPayouts.status} = 'requested' AND coalesce(${sellerPayouts.failureReason}, '') LIKE ${`${NEEDS_OPERATOR}%`})`;

/**
 * `admin.payouts.list`: every seller's payouts, newest first, with the seller's name and whether it waits for an
 * operator; `needsOperator` counts those platform-wide so the console shows them whatever the filter.
 */
export async function listPayouts(db: Db, input: ListInput) {
  const filters: (SQL | undefined)[] = [
    input.status ? eq(sellerPayouts.status, input.status) : undefined,
    input.needsOperator === true ? needsOperatorWhere : undefined,
    input.needsOperator === false ? not(needsOperatorWhere) : undefined,
    input.sellerId ? eq(sellerPayouts.sellerId, input.sellerId) : undefined,
    input.from !== undefined ? gte(sellerPayouts.createdAt, input.from) : undefined,
    input.to !== undefined ? lt(sellerPayouts.createdAt, input.to) : undefined,
    afterCursor(sellerPayouts.createdAt, sellerPayouts.id, input.cursor),
  ];
  const [rows, [stuck]] = await Promise.all([
    db
      .select({
        payout: sellerPayouts,
        sellerName: users.displayName,
        sellerEmail: users.email,
        needsOperator: sql<boolean>`${needsOperatorWhere}`.mapWith(Boolean),
      })
      .from(sellerPayouts)
      .innerJoin(users, eq(users.id, sellerPayouts.sellerId))
      .where(and(...filters))
      .orderBy(desc(sellerPayouts.createdAt), desc(sellerPayouts.id))
      .limit(input.limit + 1)
      .all(),
    db.select({ n: count() }).from(sellerPayouts).where(needsOperatorWhere).all(),
  ]);
  return {
    ...page(
      rows.map(({ payout, sellerName, sellerEmail, needsOperator }) => ({
        id: payout.id,
        sellerId: payout.sellerId,
        sellerName,
        sellerEmail,
        regionId: payout.regionId,
        amount: payout.amount,
        status: payout.status,
        gatewayRef: payout.gatewayRef,
        failureReason: payout.failureReason,
        needsOperator,
        requestedAt: payout.createdAt,
        paidAt: payout.paidAt,
      })),
      input.limit,
      (p) => ({ at: p.requestedAt, id: p.id }),
    ),
    needsOperator: stuck?.n ?? 0,
  };
}

/**
 * `admin.payouts.recheck`: what the next daily batch would do to one requested payout, now: ask the gateway (the same
 * Idempotency-Key `payout:<id>`, or its id once it gave one) and, only on COMPLETED, move the ledger under the
 * idempotent id `payout:<id>` and mark it paid. So a recheck sent twice, or racing the batch or a webhook, pays once;
 * one the ledger still refuses stays requested with the reason. Audited.
 */
export async function recheckPayout(env: Env, adminId: string, payoutId: string, now: number) {
  const db = getDb(env);
  const payout = await db.select().from(sellerPayouts).where(eq(sellerPayouts.id, payoutId)).get();
  if (!payout) fail("NOT_FOUND", "There is no payout with this id.");
  if (payout.status !== "requested") {
    fail("PRECONDITION_FAILED", `This payout is already ${payout.status}; only a requested payout can be rechecked.`);
  }
  const end = await finishOrHold(env, db, payout, now);
  await db.insert(auditLog).values({
    id: newId(now),
    actorId: adminId,
    action: "payout.recheck",
    targetId: payout.sellerId,
    detail: { payoutId, end },
    createdAt: now,
  });
  const after = await db.select().from(sellerPayouts).where(eq(sellerPayouts.id, payoutId)).get();
  return { end, status: after?.status ?? null, failureReason: after?.failureReason ?? null };
}
