import { TRPCError } from "@trpc/server";
import { and, desc, eq, gt, sql } from "drizzle-orm";
import type { RefundInput } from "../../shared/schemas/payments";
import { sendNotifications } from "../community/notifications";
import { type BatchItem, type Db, runBatch } from "../db/client";
import { charges, refundParts, refunds } from "../db/schema";
import { ErrorDetails, errorForLog } from "../lib/errors";
import { newId } from "../lib/ids";
import { getGateway } from "../payments";
import { RetryLater } from "../queue/retry";
import { enqueue } from "../queue/send";
import { balanceOf, platformAccount, userChargedAccount } from "./accounts";
import { deferredOutstanding, outstandingDebt } from "./charges";
import { classifyLedgerError, ledgerErrorToTrpc, messageChain } from "./errors";
import { getAccounts, getTransfer, settleStatement, transferStatements } from "./ledger";
import type { PayCtx } from "./settle";
import { walletSummary } from "./wallet";

/**
 * wallet.refund: the user's remaining *charged* points (not reward points, not held points, not points granted on
 * credit for an unpaid deferred charge) go back to the cards they came from, newest payment first, as partial
 * cancels at the gateway. Each part reserves its points in a pending ledger transfer (user → PG clearing) in the same
 * batch that books the part, so they cannot be spent meanwhile; the gateway's answer posts it (refunded) or voids it
 * (points back). A part the gateway could not answer stays pending and the Queue repeats the same cancel (same
 * Idempotency-Key, so the gateway never cancels twice).
 */

export const MAX_REFUND_PARTS = 20;
const CANCEL_REASON = "포인트 환불";

export type RefundPartRow = typeof refundParts.$inferSelect;
const partTransferId = (partId: string) => `refund:${partId}`;
export const refundJob = (part: { id: string }, book: string) =>
  ({ type: "refund.settle", partId: part.id, book }) as const;

const won = (n: number) => n.toLocaleString("en-US");

interface RefundUser {
  id: string;
  homeRegionId: string | null;
}

/** Charged points the user could get back now, and the paid charges (newest first) they would come from. */
export async function refundable(db: Db, userId: string, book: string) {
  const account = userChargedAccount(userId, book);
  const available = Math.max(0, balanceOf((await getAccounts(db, [account.id]))[0]).available);
  const onCredit = await deferredOutstanding(db, userId);
  const paid = await db
    .select()
    .from(charges)
    .where(
      and(
        eq(charges.userId, userId),
        eq(charges.status, "succeeded"),
        gt(sql`${charges.amount} - ${charges.refundedAmount}`, 0),
      ),
    )
    .orderBy(desc(charges.createdAt), desc(charges.id))
    .limit(MAX_REFUND_PARTS)
    .all();
  const fromPayments = paid.reduce((sum, c) => sum + c.amount - c.refundedAmount, 0);
  return { amount: Math.max(0, Math.min(available - onCredit, fromPayments)), paid };
}

export async function refundWallet(env: Env, mainDb: Db, db: Db, user: RefundUser, input: RefundInput, now: number) {
  const book = user.homeRegionId;
  if (!book)
    throw new TRPCError({ code: "PRECONDITION_FAILED", message: "You have no wallet yet: nothing to refund." });
  const ctx: PayCtx = { env, mainDb, db, now };
  let refund = await db
    .select()
    .from(refunds)
    .where(and(eq(refunds.userId, user.id), eq(refunds.idempotencyKey, input.idempotencyKey)))
    .get();
  if (!refund) refund = await bookRefund(ctx, user.id, book, input);
  for (const part of await partsOf(db, refund.id)) {
    if (part.status === "pending") await settleRefundPart(ctx, part, book, "request");
  }
  const parts = await partsOf(db, refund.id);
  const view = refundView(refund, parts);
  if (view.status === "failed") {
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message: `The card company refused the refund (${parts[0]?.lastErrorMessage ?? "no reason given"}); your points are back.`,
    });
  }
  return { refund: view, wallet: await walletSummary(db, user.id, book) };
}

/** Books the refund and its parts, reserving the points, in one batch; retried once if it raced another refund. */
async function bookRefund(ctx: PayCtx, userId: string, book: string, input: RefundInput) {
  const debt = await outstandingDebt(ctx.db, userId);
  if (debt > 0) {
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message: `A declined deferred charge of ${won(debt)} won is unpaid; settle it before asking for a refund.`,
      cause: new ErrorDetails({ reason: "payment_debt", debt }),
    });
  }
  for (let attempt = 0; ; attempt++) {
    const { amount: max, paid } = await refundable(ctx.db, userId, book);
    if (input.amount > max) {
      throw new TRPCError({
        code: "PRECONDITION_FAILED",
        message:
          max === 0
            ? "Nothing is refundable: only charged points that are not held or spent can be refunded."
            : `You can refund at most ${won(max)} won now (charged points that are not held, spent or unpaid).`,
        cause: new ErrorDetails({ reason: "refund_exceeds_refundable", refundable: max }),
      });
    }
    const refund = {
      id: newId(ctx.now),
      userId,
      book,
      idempotencyKey: input.idempotencyKey,
      amount: input.amount,
      createdAt: ctx.now,
    };
    const statements: BatchItem[] = [ctx.db.insert(refunds).values(refund)];
    let left = input.amount;
    for (const charge of paid) {
      if (left === 0) break;
      const part = Math.min(left, charge.amount - charge.refundedAmount);
      left -= part;
      const row = {
        id: newId(ctx.now),
        refundId: refund.id,
        chargeId: charge.id,
        userId,
        amount: part,
        status: "pending" as const,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      };
      statements.push(
        ctx.db.insert(refundParts).values(row),
        // never more than was paid: NULL (refused by NOT NULL, failing the batch) if another refund took it first
        ctx.db
          .update(charges)
          .set({
            refundedAmount: sql`CASE WHEN ${charges.refundedAmount} + ${part} <= ${charges.amount} THEN ${charges.refundedAmount} + ${part} ELSE NULL END`,
            updatedAt: ctx.now,
          })
          .where(eq(charges.id, charge.id)),
        ...transferStatements(ctx.db, {
          id: partTransferId(row.id),
          book,
          debit: userChargedAccount(userId, book),
          credit: platformAccount("pg_clearing", book),
          amount: part,
          phase: "pending",
          kind: "refund",
          reference: `refund:${refund.id}`,
          description: "Refund to card (in progress)",
          meta: { refundId: refund.id, chargeId: charge.id },
          now: ctx.now,
        }),
      );
    }
    try {
      await runBatch(ctx.db, statements);
      return refund;
    } catch (e) {
      const raced = messageChain(e).includes("charges.refunded_amount") || classifyLedgerError(e) === "overdraft";
      if (!raced) throw e;
      if (attempt >= 2) ledgerErrorToTrpc(e, "overdraft");
    }
  }
}

export function partsOf(db: Db, refundId: string) {
  return db.select().from(refundParts).where(eq(refundParts.refundId, refundId)).orderBy(refundParts.createdAt).all();
}

/** Moves a pending part to its outcome (guarded: the status becomes NULL, failing the batch, unless still pending). */
function partTransition(
  db: Db,
  part: RefundPartRow,
  to: "succeeded" | "failed",
  now: number,
  error?: { code: string; message: string },
) {
  return db
    .update(refundParts)
    .set({
      status: sql`CASE WHEN ${refundParts.status} = 'pending' THEN ${to} ELSE NULL END` as unknown as "succeeded",
      updatedAt: now,
      lastErrorCode: error?.code ?? null,
      lastErrorMessage: error?.message.slice(0, 500) ?? null,
    })
    .where(eq(refundParts.id, part.id));
}

/** One gateway cancel for a part and its settlement. Background callers get RetryLater while the gateway cannot say. */
export async function settleRefundPart(ctx: PayCtx, part: RefundPartRow, book: string, by: "request" | "background") {
  if (part.status !== "pending") return part;
  const charge = await ctx.db.select().from(charges).where(eq(charges.id, part.chargeId)).get();
  const pending = await getTransfer(ctx.db, partTransferId(part.id));
  if (!charge?.paymentKey || !pending) throw new Error(`refund part ${part.id} lost its charge or reservation`);
  await ctx.db
    .update(refundParts)
    .set({ attempts: part.attempts + 1, updatedAt: ctx.now })
    .where(eq(refundParts.id, part.id));
  const outcome = await getGateway(ctx.env).cancel({
    paymentKey: charge.paymentKey,
    cancelAmount: part.amount,
    cancelReason: CANCEL_REASON,
    idempotencyKey: `refund-${part.id}`,
  });
  let statements: BatchItem[];
  if (outcome.kind === "ok") {
    statements = [
      partTransition(ctx.db, part, "succeeded", ctx.now),
      settleStatement(ctx.db, {
        id: `${partTransferId(part.id)}:post`,
        pending,
        action: "post",
        kind: "refund",
        description: "Refunded to card",
        meta: { refundId: part.refundId, chargeId: part.chargeId },
        now: ctx.now,
      }),
    ];
  } else if (outcome.kind === "declined") {
    statements = [
      partTransition(ctx.db, part, "failed", ctx.now, outcome),
      settleStatement(ctx.db, {
        id: `${partTransferId(part.id)}:void`,
        pending,
        action: "void",
        kind: "refund",
        description: "Refund refused by the card company: points returned",
        meta: { refundId: part.refundId, chargeId: part.chargeId },
        now: ctx.now,
      }),
      ctx.db
        .update(charges)
        .set({ refundedAmount: sql`${charges.refundedAmount} - ${part.amount}`, updatedAt: ctx.now })
        .where(eq(charges.id, part.chargeId)),
    ];
  } else {
    await ctx.db
      .update(refundParts)
      .set({ lastErrorCode: outcome.code, lastErrorMessage: outcome.message.slice(0, 500) })
      .where(eq(refundParts.id, part.id));
    if (by === "background") {
      throw new RetryLater(`cancel: ${outcome.code}`, outcome.kind === "unavailable" ? outcome.retryAfterMs : 2000);
    }
    await enqueue(ctx.env, refundJob(part, book), 5);
    return part;
  }
  try {
    await runBatch(ctx.db, statements);
  } catch (e) {
    // another driver settled this part first
    if (!messageChain(e).includes("refund_parts.status") && classifyLedgerError(e) !== "already_settled") throw e;
  }
  const settled = (await ctx.db.select().from(refundParts).where(eq(refundParts.id, part.id)).get())!;
  if (by === "background" && settled.status === "failed") {
    await sendNotifications(ctx.mainDb, ctx.env, [
      {
        kind: "wallet.refund_failed",
        params: { refundId: part.refundId, amountWon: part.amount, reason: settled.lastErrorMessage ?? "" },
        userId: part.userId,
        now: ctx.now,
        dedupeKey: `refund-part:${part.id}:failed`,
      },
    ]).catch((e) =>
      console.error(JSON.stringify({ level: "error", part: part.id, error: `notify failed: ${errorForLog(e)}` })),
    );
  }
  return settled;
}

/** Queue entry point for "refund.settle". */
export async function runRefundJob(env: Env, mainDb: Db, db: Db, partId: string, book: string): Promise<void> {
  const part = await db.select().from(refundParts).where(eq(refundParts.id, partId)).get();
  if (!part) {
    console.error(JSON.stringify({ level: "error", job: "refund.settle", partId, error: "no such refund part" }));
    return;
  }
  await settleRefundPart({ env, mainDb, db, now: Date.now() }, part, book, "background");
}

/** Pending parts idle for a while (their job was lost): the cron sends their job again. */
export function stalePendingParts(db: Db, olderThan: number, limit: number) {
  return db
    .select({ id: refundParts.id, refundId: refundParts.refundId })
    .from(refundParts)
    .where(and(eq(refundParts.status, "pending"), sql`${refundParts.updatedAt} < ${olderThan}`))
    .limit(limit)
    .all();
}

export function refundView(refund: typeof refunds.$inferSelect, parts: RefundPartRow[]) {
  const sum = (s: RefundPartRow["status"]) => parts.filter((p) => p.status === s).reduce((a, p) => a + p.amount, 0);
  const refunded = sum("succeeded");
  const failed = sum("failed");
  const pending = sum("pending");
  const status =
    pending > 0 ? "pending" : failed === 0 ? "succeeded" : refunded === 0 ? "failed" : ("partially_failed" as const);
  return {
    id: refund.id,
    amount: refund.amount,
    status,
    refunded,
    failed,
    pending,
    parts: parts.map((p) => ({ chargeId: p.chargeId, amount: p.amount, status: p.status })),
    createdAt: refund.createdAt,
  };
}
