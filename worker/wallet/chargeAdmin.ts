import { TRPCError } from "@trpc/server";
import { and, desc, eq, lt, type SQL, sql } from "drizzle-orm";
import type { ChargeStatus } from "../../shared/schemas/payments";
import type { Db } from "../db/client";
import { auditLog, charges } from "../db/schema";
import { fail } from "../lib/errors";
import { newId } from "../lib/ids";
import { getGateway } from "../payments";
import { isFailed, isPaid } from "../payments/gateway";
import { RetryLater } from "../queue/retry";
import { allBookDbs } from "./books";
import { type ChargeRow, chargeView, isTerminal } from "./charges";
import {
  driveCharge,
  type PayCtx,
  STALE_PROCESSING_MS,
  scheduleSettle,
  settleDeclined,
  settlePaid,
  unknownGraceMs,
} from "./settle";

/**
 * Support tools for charges stuck between states: list them (across every book database), retry one now, or cancel an
 * unpaid one. Cancel never guesses either: it asks the gateway first and refuses while the gateway cannot say.
 */

export async function listCharges(
  env: Env,
  args: { status?: ChargeStatus; userId?: string; cursor?: string; limit: number },
) {
  const rows: ChargeRow[] = [];
  for (const db of allBookDbs(env)) {
    const conditions: SQL[] = [];
    if (args.status) conditions.push(eq(charges.status, args.status));
    if (args.userId) conditions.push(eq(charges.userId, args.userId));
    if (args.cursor) conditions.push(lt(charges.id, args.cursor));
    rows.push(
      ...(await db
        .select()
        .from(charges)
        .where(and(...conditions))
        .orderBy(desc(charges.id))
        .limit(args.limit + 1)
        .all()),
    );
  }
  rows.sort((a, b) => (a.id < b.id ? 1 : -1));
  const page = rows.slice(0, args.limit);
  return {
    items: page.map((c) => ({
      ...chargeView(c),
      userId: c.userId,
      book: c.book,
      attempts: c.attempts,
      updatedAt: c.updatedAt,
    })),
    nextCursor: rows.length > args.limit ? page[page.length - 1].id : null,
  };
}

/** The charge (searched across book databases) if it still awaits an outcome. */
async function findOpenCharge(env: Env, chargeId: string): Promise<{ db: Db; charge: ChargeRow }> {
  for (const db of allBookDbs(env)) {
    const charge = await db.select().from(charges).where(eq(charges.id, chargeId)).get();
    if (!charge) continue;
    if (isTerminal(charge.status)) fail("PRECONDITION_FAILED", `This charge is already ${charge.status}.`);
    return { db, charge };
  }
  fail("NOT_FOUND", "No charge with that id.");
}

async function audit(mainDb: Db, adminId: string, action: string, charge: ChargeRow, reason: string, now: number) {
  await mainDb.insert(auditLog).values({
    id: newId(now),
    actorId: adminId,
    action,
    targetId: charge.userId,
    detail: { chargeId: charge.id, reason, status: charge.status },
    createdAt: now,
  });
}

/** Drives the charge now (one step); if the gateway still cannot decide, its job is queued again right away. */
export async function retryCharge(
  env: Env,
  mainDb: Db,
  adminId: string,
  chargeId: string,
  reason: string,
  now: number,
) {
  const { db, charge } = await findOpenCharge(env, chargeId);
  await audit(mainDb, adminId, "charge.retry", charge, reason, now);
  const ctx: PayCtx = { env, mainDb, db, now };
  try {
    const after = await driveCharge(ctx, chargeId);
    return { charge: chargeView(after), queued: false };
  } catch (e) {
    if (!(e instanceof RetryLater)) throw e;
    await scheduleSettle(env, charge, 0);
    const after = (await db.select().from(charges).where(eq(charges.id, chargeId)).get())!;
    return { charge: chargeView(after), queued: true, waitingFor: e.message };
  }
}

/**
 * Cancels a charge that was not paid: a deferred one is clawed back (any shortfall stays owed), an unknown or stuck
 * one simply ends. If the gateway says it was paid after all, it is settled as paid instead and the admin is told.
 */
export async function cancelCharge(
  env: Env,
  mainDb: Db,
  adminId: string,
  chargeId: string,
  reason: string,
  now: number,
) {
  const { db, charge } = await findOpenCharge(env, chargeId);
  if (charge.status === "processing" && now - charge.updatedAt < STALE_PROCESSING_MS) {
    fail("CONFLICT", "The user's request is still working on this charge; try again in two minutes.");
  }
  const ctx: PayCtx = { env, mainDb, db, now };
  if (charge.attempts > 0) {
    const found = await getGateway(env).getPaymentByOrderId(charge.orderId);
    if (found.kind !== "ok") {
      throw new TRPCError({
        code: "SERVICE_UNAVAILABLE",
        message: "The gateway is not answering, so we cannot confirm the card was not charged. Try again later.",
      });
    }
    const payment = found.value;
    if (payment && isPaid(payment.status)) {
      const settled = await settlePaid(ctx, charge, payment, "background");
      fail("CONFLICT", `The gateway had charged it after all; it is now settled as ${settled.status}, not canceled.`);
    }
    if (payment && !isFailed(payment.status))
      fail("CONFLICT", `The gateway is still processing it (${payment.status}).`);
    // Not seen yet is not "never charged" while the last send may still be on its way (driveCharge waits as long).
    if (!payment && now - (charge.lastAttemptAt ?? 0) < unknownGraceMs(env)) {
      fail("CONFLICT", "A send to the gateway may still be on its way; try again in a minute.");
    }
  }
  await audit(mainDb, adminId, "charge.cancel", charge, reason, now);
  const canceled = await settleDeclined(
    ctx,
    charge,
    { code: "ADMIN_CANCELED", message: reason },
    "admin",
    "canceled",
    sql`${charges.attempts} = ${charge.attempts}`,
  );
  if (canceled.status !== "canceled") fail("CONFLICT", `The charge moved on meanwhile; it is now ${canceled.status}.`);
  return { charge: chargeView(canceled) };
}
