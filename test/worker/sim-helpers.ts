/**
 * Building blocks the model-based simulations share (payments-sim, system-sim): running a step as a typed outcome,
 * delivering job bodies to the real Queue consumer, and the final reconciliation of a book with the sandbox gateway.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { TRPCError } from "@trpc/server";
import { eq, sql } from "drizzle-orm";
import { expect } from "vitest";
import type { GatewayMode } from "../../shared/schemas/payments";
import { charges, refundParts } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { handleQueue } from "../../worker/queue/consumer";
import { platformAccount } from "../../worker/wallet/accounts";
import { getAccounts } from "../../worker/wallet/ledger";
import { assertLedgerInvariants } from "./ledger-invariants";
import { pg } from "./payments-helpers";
import { db } from "./wallet-helpers";

/** Short gateway timeout for the simulations: a spurious timeout is just one more unknown outcome to survive. */
export const simEnv = { ...env, PG_TIMEOUT_MS: "250" } as Env;

export type Outcome = { ok: unknown } | { error: string };

export async function outcome(p: Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await p };
  } catch (e) {
    if (e instanceof TRPCError && e.code !== "INTERNAL_SERVER_ERROR") return { error: `${e.code}: ${e.message}` };
    throw e;
  }
}

/** Statuses a fresh charge may have right after the request, per gateway mode (a timeout can always intervene). */
export const ALLOWED: Record<GatewayMode, string[]> = {
  up: ["succeeded", "unknown"],
  slow: ["succeeded", "unknown"],
  down: ["deferred", "error:PRECONDITION_FAILED", "error:SERVICE_UNAVAILABLE", "unknown"],
  decline: ["error:PAYMENT_REQUIRED", "unknown"],
  timeout_after_success: ["unknown", "succeeded"],
};

export async function deliver(bodies: unknown[], consumerEnv: Env = simEnv) {
  const batch = createMessageBatch(
    "gonggu-jobs",
    bodies.map((body) => ({ id: newId(), timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await handleQueue(batch, consumerEnv, ctx);
  return getQueueResult(batch, ctx);
}

/** What the schedules reached, printed once: a simulation that never defers or claws back proves little. */
export const coverage: Record<string, number> = {};
export const see = (what: string) => {
  coverage[what] = (coverage[what] ?? 0) + 1;
};

/** After the drain: our books and the gateway agree to the won. */
/** `fundedOutside`: points test fixtures credited through PG clearing without a gateway order (wallet-helpers fund). */
export async function reconcileWithGateway(book: string, fundedOutside = 0) {
  const rows = await db().select().from(charges).where(eq(charges.book, book)).all();
  for (const c of rows) {
    see(`${c.deferred ? "deferred→" : ""}${c.status}`);
    if (c.lastErrorCode === "TIMEOUT" || c.attempts > 0) see("sent");
    if (c.debtAmount > 0) see("debt");
    if (c.attempts > 1) see("re-sent");
    if (c.refundedAmount > 0) see("refunded");
  }
  let held = 0;
  let debts = 0;
  for (const c of rows) {
    expect(["succeeded", "failed", "clawed_back", "canceled"], `charge ${c.id} still ${c.status}`).toContain(c.status);
    const orders = await pg().ordersFor(c.orderId);
    const paid = orders.filter((o) => ["DONE", "PARTIAL_CANCELED", "CANCELED"].includes(o.status));
    if (c.status === "succeeded") {
      expect(paid, `succeeded charge ${c.id} must be paid exactly once`).toHaveLength(1);
      expect(paid[0].totalAmount - paid[0].balanceAmount, `refunds of ${c.id}`).toBe(c.refundedAmount);
      held += paid[0].balanceAmount;
    } else {
      expect(paid, `${c.status} charge ${c.id} must not be paid at the gateway`).toEqual([]);
    }
    debts += c.debtAmount;
  }
  const accounts = await getAccounts(db(), [
    platformAccount("pg_clearing", book).id,
    platformAccount("deferred_receivable", book).id,
  ]);
  const balance = (kind: string) => {
    const a = accounts.find((x) => x.kind === kind);
    return a ? a.creditsPosted - a.debitsPosted : 0;
  };
  // balances are credit-normal: PG clearing is −(what the gateway holds for us), the receivable −(what users owe)
  expect(balance("pg_clearing") + held + fundedOutside, "PG clearing = what the gateway holds for us").toBe(0);
  expect(balance("deferred_receivable") + debts, "receivable = what users still owe").toBe(0);
  await assertLedgerInvariants(db(), [book]);
}

/** Delivers settle jobs for every open charge and pending refund part of `book` until none is left (≤ 12 rounds). */
export async function drainCharges(book: string, afterRound: () => void = () => {}) {
  for (let round = 0; round < 12; round++) {
    const open = await db()
      .select({ id: charges.id })
      .from(charges)
      .where(sql`${charges.book} = ${book} AND ${charges.status} IN ('deferred', 'unknown', 'processing')`)
      .all();
    const pendingParts = await db()
      .select({ id: refundParts.id })
      .from(refundParts)
      .where(
        sql`${refundParts.status} = 'pending' AND ${refundParts.chargeId} IN (SELECT id FROM charges WHERE book = ${book})`,
      )
      .all();
    if (open.length === 0 && pendingParts.length === 0) break;
    // an order the gateway never saw is re-sent only after the grace period (6 × the 250 ms timeout)
    if (round > 0) await new Promise((r) => setTimeout(r, 400));
    await deliver([
      ...open.map((c) => ({ type: "charge.settle", chargeId: c.id, book })),
      ...pendingParts.map((p) => ({ type: "refund.settle", partId: p.id, book })),
    ]);
    afterRound();
  }
}
