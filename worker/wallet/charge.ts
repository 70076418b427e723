import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import { type ChargeInput, PAYMENT_LIMITS } from "../../shared/schemas/payments";
import { type BatchItem, type Db, runBatch } from "../db/client";
import { cardBlobs, paymentConsents } from "../db/schema";
import { ErrorDetails } from "../lib/errors";
import { newId } from "../lib/ids";
import { getGateway } from "../payments";
import { requireCurrentVerification } from "../regions/verification";
import { activeBillingKey, consentRecord } from "./billingKeys";
import {
  type ChargeRow,
  chargeView,
  deferredOutstanding,
  deferredOutstandingSql,
  findChargeByKey,
  getCharge,
  insertChargeWithinLimits,
  isTransitionRefused,
  orderIdFor,
  outstandingDebt,
  transition,
} from "./charges";
import { classifyLedgerError } from "./errors";
import {
  claimAttempt,
  deferredGrantStatements,
  driveCharge,
  type PayCtx,
  scheduleSettle,
  sendCharge,
  settleDeclined,
  settlePaid,
} from "./settle";
import { walletSummary } from "./wallet";

/**
 * wallet.charge: buy points with a card. Runs inside withIdempotency (the router), and the charge row is keyed by
 * (user, idempotencyKey) too, so a request retried after a crash resumes the same charge instead of starting another.
 *
 *  - gateway ok → points now (PG clearing → user).
 *  - declined → PAYMENT_REQUIRED with the gateway's reason.
 *  - no answer in time → "unknown": never guessed; a queue job asks the gateway for the order and settles it.
 *  - gateway down → with a billing key or a browser-encrypted card (and consent), points now on credit
 *    (receivable → user) and a queue job charges the card when the gateway is back; otherwise SERVICE_UNAVAILABLE.
 */

const won = (n: number) => n.toLocaleString("en-US");

interface ChargeUser {
  id: string;
  homeRegionId: string | null;
}

export async function chargeWallet(
  env: Env,
  mainDb: Db,
  db: Db,
  user: ChargeUser,
  input: ChargeInput,
  ip: string,
  now: number,
) {
  const book = user.homeRegionId;
  if (!book) {
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message: "Verify your neighbourhood first: your points are kept in your neighbourhood's wallet.",
    });
  }
  const ctx: PayCtx = { env, mainDb, db, now };
  const method = input.paymentMethod;
  let charge = await findChargeByKey(db, user.id, input.idempotencyKey);
  if (!charge) {
    const id = newId(now);
    let billingKeyId: string | null = null;
    let consentId: string | null = null;
    if (method.type === "billingKey") {
      const key = await activeBillingKey(mainDb, user.id);
      if (!key) {
        throw new TRPCError({
          code: "PRECONDITION_FAILED",
          message: "Register a card first (payments.registerBillingKey).",
        });
      }
      billingKeyId = key.id;
      consentId = key.consentId;
    }
    if (method.type === "encryptedCard") {
      if (!getGateway(env).acceptsEncryptedCards) {
        throw new TRPCError({
          code: "PRECONDITION_FAILED",
          message: "This card gateway does not take browser-encrypted cards. Pay with a card or a registered card.",
        });
      }
      const consent = await consentRecord(user.id, "deferred_charge", method.consent, ip, now);
      await mainDb.insert(paymentConsents).values(consent);
      consentId = consent.id;
    }
    charge = await insertChargeWithinLimits(
      db,
      {
        id,
        userId: user.id,
        book,
        idempotencyKey: input.idempotencyKey,
        amount: input.amount,
        method: method.type === "card" ? "card" : method.type === "billingKey" ? "billing_key" : "encrypted_card",
        orderId: method.type === "card" ? method.orderId : orderIdFor(id),
        paymentKey: method.type === "card" ? method.paymentKey : null,
        billingKeyId,
        consentId,
      },
      now,
    );
  }
  const blob = method.type === "encryptedCard" ? method.encryptedCard : null;
  charge = await advance(ctx, charge, blob);
  return { charge: chargeView(charge), wallet: await walletSummary(db, user.id, book) };
}

/** The request's own attempt; a resumed charge (crash, retry) continues where it was. */
async function advance(ctx: PayCtx, charge: ChargeRow, blob: string | null): Promise<ChargeRow> {
  if (charge.status !== "processing") return failureAsError(charge);
  if (charge.attempts > 0) {
    // A previous run of this request sent it and died: the gateway knows the outcome.
    return failureAsError(await driveOrPend(ctx, charge));
  }
  const claimed = await claimAttempt(ctx, charge);
  if (!claimed) return failureAsError(await driveOrPend(ctx, charge));
  const outcome = await sendCharge(ctx, claimed, blob);
  switch (outcome.kind) {
    case "ok":
      return settlePaid(ctx, claimed, outcome.value, "request");
    case "declined":
      return failureAsError(await settleDeclined(ctx, claimed, outcome, "request"));
    case "unknown": {
      const pending = await markUnknown(ctx, claimed, outcome);
      await scheduleSettle(ctx.env, pending, 2);
      return pending;
    }
    case "unavailable":
      if (claimed.method === "card") {
        return failureAsError(
          await settleDeclined(ctx, claimed, { code: "PG_UNAVAILABLE", message: outcome.message }, "request"),
        );
      }
      return defer(ctx, claimed, blob);
  }
}

/** Asks the gateway once; if it still cannot say, the charge is left "unknown" for the queue. */
async function driveOrPend(ctx: PayCtx, charge: ChargeRow): Promise<ChargeRow> {
  try {
    return await driveCharge(ctx, charge.id);
  } catch {
    const pending = await markUnknown(ctx, charge, { code: "RESUMED", message: "Waiting for the gateway's answer." });
    await scheduleSettle(ctx.env, pending, 2);
    return pending;
  }
}

async function markUnknown(ctx: PayCtx, charge: ChargeRow, why: { code: string; message: string }) {
  try {
    await runBatch(ctx.db, [
      transition(ctx.db, charge.id, ["processing"], "unknown", {
        updatedAt: ctx.now,
        lastErrorCode: why.code,
        lastErrorMessage: why.message.slice(0, 500),
      }),
    ]);
  } catch (e) {
    if (!isTransitionRefused(e)) throw e;
  }
  return (await getCharge(ctx.db, charge.id))!;
}

/**
 * Gateway down: grant the points on credit if the user may have them. The cap is checked inside the batch (the
 * transition's guard), so concurrent deferrals cannot exceed it; the blob is stored only with a deferral.
 */
async function defer(ctx: PayCtx, charge: ChargeRow, blob: string | null): Promise<ChargeRow> {
  const refuse = async (reason: string, message: string, details: Record<string, number> = {}) => {
    await settleDeclined(ctx, charge, { code: `DEFERRED_${reason.toUpperCase()}`, message }, "request");
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message,
      cause: new ErrorDetails({ reason: `deferred_${reason}`, ...details }),
    });
  };
  const down = "The card gateway is down right now";
  try {
    await requireCurrentVerification(ctx.mainDb, charge.userId, charge.book, ctx.now);
  } catch {
    await refuse(
      "unverified",
      `${down}. Deferred charging is only for members with a current neighbourhood verification; verify again or try later.`,
    );
  }
  const debt = await outstandingDebt(ctx.db, charge.userId);
  if (debt > 0) {
    await refuse(
      "debt",
      `${down}, and an earlier deferred charge of yours is unpaid (${won(debt)} won). Settle it first.`,
      {
        debt,
      },
    );
  }
  const cap = PAYMENT_LIMITS.deferredOutstandingPerUser;
  const statements: BatchItem[] = [
    transition(
      ctx.db,
      charge.id,
      ["processing"],
      "deferred",
      {
        deferred: 1,
        // the gateway refused the send before processing it: no order exists, so the queue sends rather than looks up
        attempts: 0,
        updatedAt: ctx.now,
        lastErrorCode: "PG_DOWN",
        lastErrorMessage: "Charged when the gateway recovers.",
      },
      sql`${deferredOutstandingSql(charge.userId)} + ${charge.amount} <= ${cap}`,
    ),
    ...deferredGrantStatements(ctx, charge),
  ];
  if (blob) {
    statements.push(
      ctx.db.insert(cardBlobs).values({
        chargeId: charge.id,
        userId: charge.userId,
        blob,
        createdAt: ctx.now,
        expiresAt: ctx.now + PAYMENT_LIMITS.cardBlobTtlMs,
      }),
    );
  }
  try {
    await runBatch(ctx.db, statements);
  } catch (e) {
    if (!isTransitionRefused(e) && classifyLedgerError(e) !== "duplicate_id") throw e;
    const now = (await getCharge(ctx.db, charge.id))!;
    if (now.status === "processing") {
      const outstanding = await deferredOutstanding(ctx.db, charge.userId);
      const left = Math.max(0, cap - outstanding);
      await refuse(
        "cap",
        `${down}. Points on credit are limited to ${won(cap)} won until the card is charged; you can get ${won(left)} won more now.`,
        { remaining: left, cap },
      );
    }
    return now;
  }
  const deferred = (await getCharge(ctx.db, charge.id))!;
  await scheduleSettle(ctx.env, deferred, 5);
  return deferred;
}

const CARD_WHILE_DOWN =
  "The card gateway is down, so this card payment could not be confirmed and nothing was charged. " +
  "Register a card to keep charging while the gateway is down, or try again in a few minutes.";

/** A charge that ended in failure is reported as an error (and replayed as one by the idempotency layer). */
function failureAsError(charge: ChargeRow): ChargeRow {
  if (charge.status !== "failed") return charge;
  const code = charge.lastErrorCode ?? "";
  const message = charge.lastErrorMessage ?? "";
  if (code === "PG_UNAVAILABLE") throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: CARD_WHILE_DOWN });
  if (code.startsWith("DEFERRED_")) throw new TRPCError({ code: "PRECONDITION_FAILED", message });
  if (code === "INTERRUPTED") {
    throw new TRPCError({ code: "CONFLICT", message: `${message} Start a new charge with a new idempotency key.` });
  }
  throw new TRPCError({
    code: "PAYMENT_REQUIRED",
    message: `The card was declined: ${message || "no reason given"}. Nothing was charged.`,
    cause: new ErrorDetails({ reason: "card_declined", gatewayCode: code }),
  });
}
