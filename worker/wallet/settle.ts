import { and, eq, type SQL } from "drizzle-orm";
import type { NotificationPayload } from "../../shared/schemas/notifications";
import type { ChargeStatus } from "../../shared/schemas/payments";
import { sendNotifications } from "../community/notifications";
import { type BatchItem, type Db, runBatch } from "../db/client";
import { charges } from "../db/schema";
import { errorForLog } from "../lib/errors";
import { getGateway } from "../payments";
import type { GatewayOutcome, GatewayPayment } from "../payments/gateway";
import { isFailed, isPaid } from "../payments/gateway";
import { RetryLater } from "../queue/retry";
import { enqueue } from "../queue/send";
import { balanceOf, platformAccount, userChargedAccount } from "./accounts";
import { getBillingKey, revealBillingKey } from "./billingKeys";
import { followHome } from "./books";
import {
  type ChargeRow,
  chargeTransferIds,
  debtsOf,
  debtUpdateIfUnchanged,
  deleteCardBlob,
  getCardBlob,
  getCharge,
  isDebtChanged,
  isTerminal,
  isTransitionRefused,
  transition,
} from "./charges";
import { classifyLedgerError } from "./errors";
import { getAccounts, getTransfer, transferStatements } from "./ledger";

/**
 * Driving a charge to its outcome. The gateway is the source of truth: a charge whose outcome we do not know is
 * settled by asking it (lookup by orderId), and only re-sent (same orderId, so the gateway dedupes) when the gateway
 * says it never saw the order and enough time has passed for a slow request to have landed. Every settlement is one
 * batch: guarded status change + ledger transfers with ids derived from the charge id.
 */

export interface PayCtx {
  env: Env;
  /** The main database (users, billing keys, notifications). */
  mainDb: Db;
  /** The user's book database (charges and ledger). */
  db: Db;
  now: number;
}

/** Who drives: the user's own request (they see the result) or the background (they get a notification). */
export type Driver = "request" | "background";

const ORDER_NAME = "공구 포인트 충전";
/** After a timeout, how long a missing order may still be in flight before we conclude the gateway never got it. */
export const unknownGraceMs = (env: Env) => 6 * (Number(env.PG_TIMEOUT_MS) || 10_000);
/** A charge stuck in "processing" longer than this lost its request (crash) and is driven in the background. */
export const STALE_PROCESSING_MS = 120_000;

export const settleJob = (c: Pick<ChargeRow, "id" | "book">) =>
  ({ type: "charge.settle", chargeId: c.id, book: c.book }) as const;

/** One gateway send of the charge's request, identical every time (same orderId and Idempotency-Key). */
export async function sendCharge(
  ctx: PayCtx,
  charge: ChargeRow,
  encryptedCard: string | null,
): Promise<GatewayOutcome<GatewayPayment>> {
  const gateway = getGateway(ctx.env);
  const base = { amount: charge.amount, orderId: charge.orderId, orderName: ORDER_NAME };
  switch (charge.method) {
    case "card":
      return gateway.confirmCard({
        paymentKey: charge.paymentKey ?? "",
        orderId: charge.orderId,
        amount: charge.amount,
      });
    case "billing_key": {
      const row = charge.billingKeyId ? await getBillingKey(ctx.mainDb, charge.billingKeyId) : null;
      if (!row) return { kind: "declined", code: "BILLING_KEY_MISSING", message: "The registered card is gone." };
      const billingKey = await revealBillingKey(ctx.mainDb, ctx.env, row);
      return gateway.chargeBillingKey({ ...base, billingKey, customerKey: row.customerKey });
    }
    case "encrypted_card":
      if (!encryptedCard) {
        return {
          kind: "declined",
          code: "CARD_DATA_EXPIRED",
          message: "The encrypted card expired before the gateway recovered.",
        };
      }
      return gateway.chargeEncryptedCard({ ...base, encryptedCard, customerKey: `ck_${charge.id}` });
  }
}

/** Counts a send before making it, guarded on the attempt count, so two drivers never send concurrently. */
export async function claimAttempt(ctx: PayCtx, charge: ChargeRow): Promise<ChargeRow | null> {
  const row = await ctx.db
    .update(charges)
    .set({ attempts: charge.attempts + 1, lastAttemptAt: ctx.now, updatedAt: ctx.now })
    .where(and(eq(charges.id, charge.id), eq(charges.status, charge.status), eq(charges.attempts, charge.attempts)))
    .returning()
    .get();
  return row ?? null;
}

/**
 * Records why we are waiting. `sent: false` un-counts the attempt just claimed: the gateway refused it before
 * processing (503/429), so the next step must send rather than look up an order that cannot exist.
 */
async function touch(ctx: PayCtx, charge: ChargeRow, code: string, message: string, sent = true) {
  await ctx.db
    .update(charges)
    .set({
      updatedAt: ctx.now,
      lastErrorCode: code,
      lastErrorMessage: message.slice(0, 500),
      ...(sent ? {} : { attempts: charge.attempts - 1 }),
    })
    .where(and(eq(charges.id, charge.id), eq(charges.status, charge.status), eq(charges.attempts, charge.attempts)));
}

/** Runs a settlement batch; if another driver got there first (guard or duplicate transfer id), returns its result. */
async function settleBatch(ctx: PayCtx, chargeId: string, statements: BatchItem[]): Promise<ChargeRow> {
  try {
    await runBatch(ctx.db, statements);
  } catch (e) {
    if (!isTransitionRefused(e) && classifyLedgerError(e) !== "duplicate_id") throw e;
  }
  return (await getCharge(ctx.db, chargeId))!;
}

/** The gateway has the money: grant the points (or clear the receivable of a deferred charge). */
export async function settlePaid(
  ctx: PayCtx,
  charge: ChargeRow,
  payment: GatewayPayment,
  by: Driver,
): Promise<ChargeRow> {
  if (payment.totalAmount !== charge.amount) {
    // Cannot happen with orderIds we generate; never guess which amount is right.
    console.error(
      JSON.stringify({ level: "error", charge: charge.id, error: "gateway amount differs", paid: payment.totalAmount }),
    );
    await touch(ctx, charge, "AMOUNT_MISMATCH", `The gateway charged ${payment.totalAmount} won; an admin must check.`);
    throw new RetryLater("amount mismatch: needs an admin", 3_600_000);
  }
  // a debt repaid by another charge meanwhile fails the batch (debtRepayment's guard): build it again from the new debts
  for (let attempt = 0; ; attempt++) {
    try {
      return await settlePaidOnce(ctx, charge, payment, by);
    } catch (e) {
      if (!isDebtChanged(e) || attempt >= 2) throw e;
    }
  }
}

async function settlePaidOnce(ctx: PayCtx, charge: ChargeRow, payment: GatewayPayment, by: Driver): Promise<ChargeRow> {
  const { book, userId, amount, id } = charge;
  const ids = chargeTransferIds(id);
  const done = {
    paymentKey: payment.paymentKey,
    settledAt: ctx.now,
    updatedAt: ctx.now,
    lastErrorCode: null,
    lastErrorMessage: null,
  };
  const statements: BatchItem[] = [];
  if (charge.deferred === 1) {
    statements.push(transition(ctx.db, id, ["deferred"], "succeeded", done), deleteCardBlob(ctx.db, id));
    // a crash between deferral and grant is repaired here, before the receivable is cleared
    if (!(await getTransfer(ctx.db, ids.deferredGrant))) statements.push(...deferredGrantStatements(ctx, charge));
    statements.push(
      ...transferStatements(ctx.db, {
        id: ids.deferredPaid,
        book,
        debit: platformAccount("pg_clearing", book),
        credit: platformAccount("deferred_receivable", book),
        amount,
        kind: "charge",
        reference: `charge:${id}`,
        description: "Deferred card charge paid",
        meta: { chargeId: id },
        now: ctx.now,
      }),
    );
  } else {
    statements.push(
      transition(ctx.db, id, ["processing", "unknown"], "succeeded", done),
      deleteCardBlob(ctx.db, id),
      ...transferStatements(ctx.db, {
        id: ids.paid,
        book,
        debit: platformAccount("pg_clearing", book),
        credit: userChargedAccount(userId, book),
        amount,
        kind: "charge",
        reference: `charge:${id}`,
        description: "Points charged by card",
        meta: { chargeId: id, method: charge.method },
        now: ctx.now,
      }),
      ...(await debtRepayment(ctx, charge)),
    );
  }
  const settled = await settleBatch(ctx, id, statements);
  if (by === "background" && settled.status === "succeeded") {
    await notifyQuietly(
      ctx,
      [{ kind: "wallet.charge_paid", params: { chargeId: id, amountWon: amount }, key: "paid" }],
      charge,
    );
  }
  return settled;
}

/** A new paid charge first repays what the user owes for declined deferred charges (oldest first). */
async function debtRepayment(ctx: PayCtx, charge: ChargeRow): Promise<BatchItem[]> {
  const { book, userId } = charge;
  const statements: BatchItem[] = [];
  let left = charge.amount;
  for (const debt of await debtsOf(ctx.db, userId, book)) {
    if (left === 0) break;
    const part = Math.min(left, debt.debtAmount);
    left -= part;
    statements.push(
      // guarded: if another charge repaid this debt since it was read, the batch fails; settlePaid reads the debts again
      debtUpdateIfUnchanged(ctx.db, debt, debt.debtAmount - part, ctx.now),
      ...transferStatements(ctx.db, {
        id: chargeTransferIds(charge.id).repay(debt.id),
        book,
        debit: userChargedAccount(userId, book),
        credit: platformAccount("deferred_receivable", book),
        amount: part,
        kind: "charge_clawback",
        reference: `charge:${debt.id}`,
        description: "Repaid a declined deferred charge",
        meta: { chargeId: debt.id, repaidBy: charge.id },
        now: ctx.now,
      }),
    );
  }
  return statements;
}

export function deferredGrantStatements(ctx: PayCtx, charge: Pick<ChargeRow, "id" | "book" | "userId" | "amount">) {
  return transferStatements(ctx.db, {
    id: chargeTransferIds(charge.id).deferredGrant,
    book: charge.book,
    debit: platformAccount("deferred_receivable", charge.book),
    credit: userChargedAccount(charge.userId, charge.book),
    amount: charge.amount,
    kind: "charge_deferred",
    reference: `charge:${charge.id}`,
    description: "Points granted; the card is charged when the gateway recovers",
    meta: { chargeId: charge.id },
    now: ctx.now,
  });
}

/**
 * The gateway definitively refused (or an admin canceled an unpaid charge). A direct charge just fails. A deferred
 * one takes back what it can of the points granted on credit; what was already spent stays owed (debt), which blocks
 * joining and deferred charging until a paid charge repays it.
 */
export async function settleDeclined(
  ctx: PayCtx,
  charge: ChargeRow,
  failure: { code: string; message: string },
  by: Driver | "admin",
  to: Extract<ChargeStatus, "failed" | "clawed_back" | "canceled"> = charge.deferred ? "clawed_back" : "failed",
  /** Admin cancel: only if no send was counted meanwhile (a worker may be charging the card right now). */
  guard?: SQL,
): Promise<ChargeRow> {
  const { id, book, userId, amount } = charge;
  const error = {
    lastErrorCode: failure.code,
    lastErrorMessage: failure.message.slice(0, 500),
    settledAt: ctx.now,
    updatedAt: ctx.now,
  };
  if (charge.deferred !== 1) {
    return settleBatch(ctx, id, [
      transition(ctx.db, id, ["processing", "unknown"], to, error, guard),
      deleteCardBlob(ctx.db, id),
    ]);
  }
  const granted = await getTransfer(ctx.db, chargeTransferIds(id).deferredGrant);
  for (let attempt = 0; attempt < 3; attempt++) {
    const user = userChargedAccount(userId, book);
    const available = granted ? Math.max(0, balanceOf((await getAccounts(ctx.db, [user.id]))[0]).available) : amount;
    const take = granted ? Math.min(amount, available) : 0;
    const debt = granted ? amount - take : 0;
    const statements: BatchItem[] = [
      transition(ctx.db, id, ["deferred"], to, { ...error, debtAmount: debt }, guard),
      deleteCardBlob(ctx.db, id),
    ];
    if (take > 0) {
      statements.push(
        ...transferStatements(ctx.db, {
          id: chargeTransferIds(id).clawback,
          book,
          debit: user,
          credit: platformAccount("deferred_receivable", book),
          amount: take,
          kind: "charge_clawback",
          reference: `charge:${id}`,
          description: "Deferred card charge declined: points taken back",
          meta: { chargeId: id, debt },
          now: ctx.now,
        }),
      );
    }
    try {
      await runBatch(ctx.db, statements);
    } catch (e) {
      // the balance moved under us (a spend): read it again
      if (classifyLedgerError(e) === "overdraft") continue;
      if (!isTransitionRefused(e) && classifyLedgerError(e) !== "duplicate_id") throw e;
    }
    const settled = (await getCharge(ctx.db, id))!;
    // declined after the user moved home: the debt must be owed (and repaid) in the book they live in now
    if (settled.status === to && debt > 0) await followHome(ctx.env, ctx.mainDb, { userId, book, now: ctx.now });
    if (by !== "request" && settled.status === to) {
      await notifyQuietly(
        ctx,
        [
          {
            kind: "wallet.charge_declined",
            params: {
              chargeId: id,
              amountWon: amount,
              clawedBackWon: take,
              debtWon: debt,
              reason: failure.message.slice(0, 500),
            },
            key: "declined",
          },
        ],
        charge,
      );
    }
    return settled;
  }
  throw new RetryLater("the balance kept changing during the clawback", 1000);
}

/**
 * One step towards the outcome, for queue jobs and admin retries. Returns the charge when it reached an outcome;
 * throws RetryLater when the gateway is down, slow or has not decided yet (the Queue backs off).
 */
export async function driveCharge(ctx: PayCtx, chargeId: string): Promise<ChargeRow> {
  let charge = await getCharge(ctx.db, chargeId);
  if (!charge) throw new Error(`charge ${chargeId} not found in this book`);
  if (isTerminal(charge.status)) return charge;
  if (charge.status === "processing" && ctx.now - charge.updatedAt < STALE_PROCESSING_MS) {
    throw new RetryLater("the user's request is still working on this charge", 30_000);
  }
  if (charge.status === "processing" && charge.attempts === 0) {
    // the request died before reaching the gateway: nothing was charged
    return settleDeclined(
      ctx,
      charge,
      { code: "INTERRUPTED", message: "The charge was interrupted before the card was charged." },
      "background",
    );
  }
  if (charge.attempts > 0) {
    const found = await getGateway(ctx.env).getPaymentByOrderId(charge.orderId);
    if (found.kind === "unavailable" || found.kind === "unknown" || found.kind === "declined") {
      await touch(ctx, charge, found.code, found.message);
      throw new RetryLater(`lookup: ${found.code}`, found.kind === "unavailable" ? found.retryAfterMs : 0);
    }
    const payment = found.value;
    if (payment && isPaid(payment.status)) return settlePaid(ctx, charge, payment, "background");
    if (payment && isFailed(payment.status)) {
      const ended =
        payment.status === "CANCELED"
          ? { code: "CANCELED", message: "The payment was refunded at the card gateway before it was settled." }
          : { code: payment.status, message: "The card was declined." };
      return settleDeclined(ctx, charge, payment.failure ?? ended, "background");
    }
    if (payment?.status === "PARTIAL_CANCELED") {
      // part of it went back to the card at the gateway itself: neither the whole amount nor nothing is right
      await touch(
        ctx,
        charge,
        "PARTIALLY_CANCELED",
        "Partly refunded at the gateway before it was settled; an admin must check.",
      );
      throw new RetryLater("partly canceled at the gateway: needs an admin", 3_600_000);
    }
    if (payment) throw new RetryLater(`the gateway is still processing (${payment.status})`, 2000);
    if (ctx.now - (charge.lastAttemptAt ?? 0) < unknownGraceMs(ctx.env)) {
      throw new RetryLater("the gateway has not seen the order yet; waiting before sending it again", 5000);
    }
    // The gateway never got it: sending the same request again is safe (same orderId / Idempotency-Key).
  }
  const blob = charge.method === "encrypted_card" ? await getCardBlob(ctx.db, charge.id) : null;
  if (charge.method === "encrypted_card" && !blob && charge.attempts > 0) {
    return settleDeclined(
      ctx,
      charge,
      { code: "NOT_RECEIVED", message: "The gateway never received the card." },
      "background",
    );
  }
  const claimed = await claimAttempt(ctx, charge);
  if (!claimed) throw new RetryLater("another worker is sending this charge", 2000);
  charge = claimed;
  const outcome = await sendCharge(ctx, charge, blob);
  // The blob goes to the gateway once: after any answer other than "refused before processing" it is deleted.
  if (blob && outcome.kind !== "unavailable") await deleteCardBlob(ctx.db, charge.id);
  switch (outcome.kind) {
    case "ok":
      return settlePaid(ctx, charge, outcome.value, "background");
    case "declined":
      return settleDeclined(ctx, charge, outcome, "background");
    case "unavailable":
      await touch(ctx, charge, outcome.code, outcome.message, false);
      throw new RetryLater(`gateway unavailable: ${outcome.code}`, outcome.retryAfterMs, outcome.rateLimited);
    case "unknown":
      await touch(ctx, charge, outcome.code, outcome.message);
      throw new RetryLater(`outcome unknown: ${outcome.code}`, 2000);
  }
}

/** Queue entry point for "charge.settle". A job for a charge this book does not have is dropped (logged). */
export async function runChargeJob(env: Env, mainDb: Db, db: Db, chargeId: string): Promise<void> {
  if (!(await getCharge(db, chargeId))) {
    console.error(JSON.stringify({ level: "error", job: "charge.settle", chargeId, error: "no such charge" }));
    return;
  }
  await driveCharge({ env, mainDb, db, now: Date.now() }, chargeId);
}

export async function scheduleSettle(env: Env, charge: Pick<ChargeRow, "id" | "book">, delaySeconds: number) {
  await enqueue(env, settleJob(charge), delaySeconds);
}

/**
 * Notifications are the user's inbox, not money: written after the settlement committed, deduplicated per charge
 * and outcome (a redelivered job notifies once), and a failure to notify never undoes or retries the settlement.
 */
async function notifyQuietly(ctx: PayCtx, items: (NotificationPayload & { key: string })[], charge: ChargeRow) {
  try {
    await sendNotifications(
      ctx.mainDb,
      ctx.env,
      items.map(({ key, ...n }) => ({
        ...n,
        userId: charge.userId,
        now: ctx.now,
        dedupeKey: `charge:${charge.id}:${key}`,
      })),
    );
  } catch (e) {
    console.error(JSON.stringify({ level: "error", charge: charge.id, error: `notify failed: ${errorForLog(e)}` }));
  }
}
