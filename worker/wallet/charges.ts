import { TRPCError } from "@trpc/server";
import { and, asc, desc, eq, gt, inArray, notInArray, type Placeholder, type SQL, sql } from "drizzle-orm";
import { KST_OFFSET_MS as KST_MS } from "../../shared/kst";
import { type ChargeStatus, PAYMENT_LIMITS } from "../../shared/schemas/payments";
import type { BatchItem, Db } from "../db/client";
import { cardBlobs, charges, type users } from "../db/schema";
import { ErrorDetails } from "../lib/errors";
import { messageChain } from "./errors";
import { monthRangeKst } from "./wallet";

/**
 * The charges table: one row per wallet.charge, in the user's book database next to the ledger rows it explains.
 * Every status change is a guarded statement (see `transition`) inside the same db.batch() as its ledger transfers,
 * and every ledger transfer id is derived from the charge id, so a retried step can never move points twice.
 *
 *   processing ──ok──────────────▶ succeeded            (PG clearing → user)
 *       │  ├──declined──────────▶ failed
 *       │  ├──timeout───────────▶ unknown ──lookup──▶ succeeded | failed
 *       │  └──PG down───────────▶ deferred            (receivable → user, points at once)
 *       │                            ├──paid────────▶ succeeded (deferred=1)   (PG clearing → receivable)
 *       │                            └──declined────▶ clawed_back              (user → receivable, shortfall = debt)
 *       └── admin cancel of an unpaid deferred/unknown charge ▶ canceled
 */

export type ChargeRow = typeof charges.$inferSelect;

export const TERMINAL_STATUSES: readonly ChargeStatus[] = ["succeeded", "failed", "clawed_back", "canceled"];
/** Statuses that count against the daily and monthly limits. */
const COUNTED_STATUSES: readonly ChargeStatus[] = ["processing", "unknown", "succeeded", "deferred"];

export const isTerminal = (status: ChargeStatus) => TERMINAL_STATUSES.includes(status);

/** Our orderId for charges we initiate: the gateway dedupes on it. */
export const orderIdFor = (chargeId: string) => `gg-${chargeId}`;

/** Ledger transfer ids of one charge: each can exist once, which is what makes every step exactly-once. */
export const chargeTransferIds = (chargeId: string) => ({
  paid: `charge:${chargeId}`,
  deferredGrant: `charge:${chargeId}:deferred`,
  deferredPaid: `charge:${chargeId}:paid`,
  clawback: `charge:${chargeId}:clawback`,
  repay: (debtChargeId: string) => `charge:${chargeId}:repay:${debtChargeId}`,
});

export async function getCharge(db: Db, id: string): Promise<ChargeRow | null> {
  return (await db.select().from(charges).where(eq(charges.id, id)).get()) ?? null;
}

export async function findChargeByKey(db: Db, userId: string, idempotencyKey: string): Promise<ChargeRow | null> {
  return (
    (await db
      .select()
      .from(charges)
      .where(and(eq(charges.userId, userId), eq(charges.idempotencyKey, idempotencyKey)))
      .get()) ?? null
  );
}

/**
 * Moves a charge from one of `from` to `to`, or makes the whole batch fail: when the guard does not hold the status
 * becomes NULL, which the NOT NULL constraint refuses. So the ledger transfers in the same batch happen only if the
 * transition does. `guard` adds a condition (e.g. the deferred cap).
 */
export function transition(
  db: Db,
  chargeId: string,
  from: readonly ChargeStatus[],
  to: ChargeStatus,
  set: Partial<Omit<ChargeRow, "id" | "status">> & { updatedAt: number },
  guard?: SQL,
): BatchItem {
  const allowed = sql.join(
    from.map((s) => sql`${s}`),
    sql`, `,
  );
  const condition = guard
    ? sql`${charges.status} IN (${allowed}) AND (${guard})`
    : sql`${charges.status} IN (${allowed})`;
  return db
    .update(charges)
    .set({ ...set, status: sql`CASE WHEN ${condition} THEN ${to} ELSE NULL END` as unknown as ChargeStatus })
    .where(eq(charges.id, chargeId));
}

/** True when a batch failed because a `transition` guard did not hold (someone else moved the charge first). */
export function isTransitionRefused(e: unknown): boolean {
  return messageChain(e).includes("charges.status");
}

const counted = sql.join(
  COUNTED_STATUSES.map((s) => sql`${s}`),
  sql`, `,
);
const DAY_MS = 86_400_000;

export function limitWindows(now: number) {
  const dayStart = Math.floor((now + KST_MS) / DAY_MS) * DAY_MS - KST_MS;
  const monthStart = monthRangeKst(new Date(now + KST_MS).toISOString().slice(0, 7)).start;
  return { dayStart, monthStart };
}

const chargedSince = (userId: string, since: number) =>
  sql`(SELECT coalesce(sum(amount), 0) FROM charges WHERE user_id = ${userId} AND created_at >= ${since} AND status IN (${counted}))`;

export async function chargeUsage(db: Db, userId: string, now: number) {
  const { dayStart, monthStart } = limitWindows(now);
  const row = await db.get<{ day: number; month: number }>(
    sql`SELECT ${chargedSince(userId, dayStart)} AS day, ${chargedSince(userId, monthStart)} AS month`,
  );
  return { day: row?.day ?? 0, month: row?.month ?? 0 };
}

export type NewCharge = Pick<
  ChargeRow,
  | "id"
  | "userId"
  | "book"
  | "idempotencyKey"
  | "amount"
  | "method"
  | "orderId"
  | "paymentKey"
  | "billingKeyId"
  | "consentId"
>;

/**
 * Inserts the charge as "processing" only if the daily and monthly limits still allow it, in one statement, so two
 * concurrent charges cannot both slip under a limit. Throws a typed error saying how much is left.
 */
export async function insertChargeWithinLimits(db: Db, c: NewCharge, now: number): Promise<ChargeRow> {
  const { dayStart, monthStart } = limitWindows(now);
  let inserted: { id: string }[];
  try {
    inserted = await db.all<{ id: string }>(sql`
      INSERT INTO charges (id, user_id, book, idempotency_key, amount, method, order_id, payment_key, billing_key_id,
        consent_id, status, created_at, updated_at)
      SELECT ${c.id}, ${c.userId}, ${c.book}, ${c.idempotencyKey}, ${c.amount}, ${c.method}, ${c.orderId},
        ${c.paymentKey}, ${c.billingKeyId}, ${c.consentId}, 'processing', ${now}, ${now}
      WHERE ${chargedSince(c.userId, dayStart)} + ${c.amount} <= ${PAYMENT_LIMITS.chargeDailyPerUser}
        AND ${chargedSince(c.userId, monthStart)} + ${c.amount} <= ${PAYMENT_LIMITS.chargeMonthlyPerUser}
      RETURNING id`);
  } catch (e) {
    if (messageChain(e).includes("charges.order_id")) {
      throw new TRPCError({ code: "CONFLICT", message: "This payment was already used for another charge." });
    }
    throw e;
  }
  if (inserted.length === 0) {
    const usage = await chargeUsage(db, c.userId, now);
    const leftToday = Math.max(0, PAYMENT_LIMITS.chargeDailyPerUser - usage.day);
    const leftMonth = Math.max(0, PAYMENT_LIMITS.chargeMonthlyPerUser - usage.month);
    const daily = leftToday < c.amount;
    const won = (n: number) => n.toLocaleString("en-US");
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message: daily
        ? `Charges are limited to ${won(PAYMENT_LIMITS.chargeDailyPerUser)} won a day; you can charge ${won(leftToday)} won more today.`
        : `Charges are limited to ${won(PAYMENT_LIMITS.chargeMonthlyPerUser)} won a month; you can charge ${won(leftMonth)} won more this month.`,
      cause: new ErrorDetails({
        reason: daily ? "daily_limit" : "monthly_limit",
        remaining: daily ? leftToday : leftMonth,
        limit: daily ? PAYMENT_LIMITS.chargeDailyPerUser : PAYMENT_LIMITS.chargeMonthlyPerUser,
      }),
    });
  }
  return (await getCharge(db, c.id))!;
}

/** Deferred points outstanding for a user (granted on credit, not paid yet), as the cap guard sees them. */
export const deferredOutstandingSql = (userId: string) =>
  sql`(SELECT coalesce(sum(amount), 0) FROM charges WHERE user_id = ${userId} AND status = 'deferred')`;

export async function deferredOutstanding(db: Db, userId: string): Promise<number> {
  const row = await db.get<{ total: number }>(sql`SELECT ${deferredOutstandingSql(userId)} AS total`);
  return row?.total ?? 0;
}

/** Won the user still owes for declined deferred charges whose points were already spent. */
export async function outstandingDebt(db: Db, userId: string): Promise<number> {
  return debtOf((await outstandingDebtQuery(db, userId))[0]);
}

/**
 * The read behind outstandingDebt, to run in a batch with other reads (one round trip); debtOf reads its row.
 * `userId` may be the `users.id` column: the same read as a subquery of a query on users (a join's guards).
 */
export function outstandingDebtQuery(db: Db, userId: string | Placeholder | typeof users.id) {
  return db
    .select({ total: sql<number>`coalesce(sum(${charges.debtAmount}), 0)` })
    .from(charges)
    .where(and(eq(charges.userId, userId), gt(charges.debtAmount, 0)));
}

export const debtOf = (row: { total: number } | undefined) => row?.total ?? 0;

/** For other features (joining a group buy, deferred charging): a user with a payment debt is blocked. */
export async function hasOutstandingDebt(db: Db, userId: string): Promise<boolean> {
  return (await outstandingDebt(db, userId)) > 0;
}

/** Throws the typed refusal other features show when a user owes money for a declined deferred charge. */
export async function requireNoPaymentDebt(db: Db, userId: string): Promise<void> {
  const debt = await outstandingDebt(db, userId);
  if (debt > 0) {
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message: `A deferred card charge was declined and ${debt.toLocaleString("en-US")} won is unpaid. Charge points with a working card to settle it first.`,
      cause: new ErrorDetails({ reason: "payment_debt", debt }),
    });
  }
}

/**
 * The user's debts in one book, oldest first (a new paid charge repays them in this order). Only that book's: its
 * receivable is what a repayment clears (a debt of an earlier home moves with the user, moveCarry.ts).
 */
export function debtsOf(db: Db, userId: string, book: string) {
  return db
    .select({ id: charges.id, debtAmount: charges.debtAmount })
    .from(charges)
    .where(and(eq(charges.userId, userId), eq(charges.book, book), gt(charges.debtAmount, 0)))
    .orderBy(asc(charges.createdAt))
    .limit(20)
    .all();
}

/**
 * Sets a debt read as `debt.debtAmount` to `next`, for a batch that also moves its money. If the debt changed since it
 * was read (another charge repaid it, a move carried it), the value becomes NULL, which the NOT NULL column refuses:
 * the whole batch fails instead of moving the money a second time (a WHERE guard matching no row would let it run).
 */
export function debtUpdateIfUnchanged(db: Db, debt: { id: string; debtAmount: number }, next: number, now: number) {
  return db
    .update(charges)
    .set({
      debtAmount: sql`CASE WHEN ${charges.debtAmount} = ${debt.debtAmount} THEN ${next} ELSE NULL END`,
      updatedAt: now,
    })
    .where(eq(charges.id, debt.id));
}

/** Whether a batch failed at debtUpdateIfUnchanged's guard: read the debts again and rebuild it. */
export const isDebtChanged = (e: unknown) => messageChain(e).includes("charges.debt_amount");

export async function getCardBlob(db: Db, chargeId: string): Promise<string | null> {
  const row = await db.select({ blob: cardBlobs.blob }).from(cardBlobs).where(eq(cardBlobs.chargeId, chargeId)).get();
  return row?.blob ?? null;
}

export const deleteCardBlob = (db: Db, chargeId: string) =>
  db.delete(cardBlobs).where(eq(cardBlobs.chargeId, chargeId));

/** What the user (and the admin list) sees of a charge. */
export function chargeView(c: ChargeRow) {
  return {
    id: c.id,
    amount: c.amount,
    method: c.method,
    status: c.status,
    deferred: c.deferred === 1,
    orderId: c.orderId,
    debt: c.debtAmount,
    refunded: c.refundedAmount,
    failure: c.lastErrorCode ? { code: c.lastErrorCode, message: c.lastErrorMessage ?? "" } : null,
    createdAt: c.createdAt,
    settledAt: c.settledAt,
  };
}
export type ChargeView = ReturnType<typeof chargeView>;

/** Finished charges listed by wallet.pendingCharges as "recent": at most this many, from this far back. */
export const RECENT_CHARGES_SHOWN = 10;
const RECENT_CHARGES_MS = 30 * 86_400_000;

/** Charges still owed an outcome, plus recent ones that ended badly (so the user sees why points were taken back). */
export async function pendingChargesOf(db: Db, userId: string, now: number) {
  const open = await db
    .select()
    .from(charges)
    .where(and(eq(charges.userId, userId), inArray(charges.status, ["processing", "unknown", "deferred"])))
    .orderBy(desc(charges.createdAt))
    .limit(50)
    .all();
  const owing = await db
    .select()
    .from(charges)
    .where(and(eq(charges.userId, userId), gt(charges.debtAmount, 0)))
    .orderBy(desc(charges.createdAt))
    .limit(20)
    .all();
  // The latest finished charges, so a user who watched a charge pending sees how it ended (paid, declined, ...).
  const recent = await db
    .select()
    .from(charges)
    .where(
      and(
        eq(charges.userId, userId),
        notInArray(charges.status, ["processing", "unknown", "deferred"]),
        gt(charges.createdAt, now - RECENT_CHARGES_MS),
      ),
    )
    .orderBy(desc(charges.createdAt))
    .limit(RECENT_CHARGES_SHOWN)
    .all();
  const debt = owing.reduce((sum, c) => sum + c.debtAmount, 0);
  const outstanding = open.filter((c) => c.status === "deferred").reduce((sum, c) => sum + c.amount, 0);
  return {
    items: [...open, ...owing].map(chargeView),
    recent: recent.map(chargeView),
    debt,
    deferredOutstanding: outstanding,
    deferredCap: PAYMENT_LIMITS.deferredOutstandingPerUser,
    at: now,
  };
}
