import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { expect } from "vitest";
import type { GatewaySwitches } from "../../shared/schemas/payments";
import { charges } from "../../worker/db/schema";
import worker from "../../worker/index";
import { newId } from "../../worker/lib/ids";
import { getGateway, sandboxGateway } from "../../worker/payments";
import { escrowAccount, platformAccount, userChargedAccount } from "../../worker/wallet/accounts";
import { getAccounts, transfer } from "../../worker/wallet/ledger";
import { verifyResident } from "./recommend-fixtures";
import { buyerInBook, db, ensureRegion, newBook } from "./wallet-helpers";

export const pg = () => sandboxGateway(env);
export const setGateway = (s: Partial<GatewaySwitches>) => pg().setSwitches(s);
export const gatewayUp = () => setGateway({ mode: "up", delayMs: 1500, rateLimitPerSec: 50 });

export const key = (prefix = "k") => `${prefix}-${newId()}`;

/**
 * A buyer with a wallet book, optionally a current neighbourhood verification (needed for deferred charging) and a
 * registered card (billing key).
 */
export async function payingBuyer(opts: { verified?: boolean; billingKey?: boolean } = {}) {
  const book = newBook("p");
  await ensureRegion(book);
  const buyer = await buyerInBook(book);
  if (opts.verified ?? true) await verifyResident(db(), buyer.user.id, book);
  if (opts.billingKey) {
    await buyer.client.payments.registerBillingKey.mutate({ authKey: `auth_${newId()}`, consent: "billing-v1" });
  }
  return buyer;
}

/** A card payment window's result, as the sandbox accepts it. */
export const cardMethod = () => ({ type: "card" as const, paymentKey: `pk_${newId()}`, orderId: `o-${newId()}` });

/** Balances (credits − debits) of accounts in a book. */
export async function balances(book: string, userId: string) {
  const ids = {
    charged: userChargedAccount(userId, book).id,
    clearing: platformAccount("pg_clearing", book).id,
    receivable: platformAccount("deferred_receivable", book).id,
  };
  const rows = await getAccounts(db(), Object.values(ids));
  const bal = (id: string) => {
    const r = rows.find((x) => x.id === id);
    return r ? r.creditsPosted - r.debitsPosted : 0;
  };
  return { charged: bal(ids.charged), clearing: bal(ids.clearing), receivable: bal(ids.receivable) };
}

export async function chargesOf(userId: string) {
  return db().select().from(charges).where(eq(charges.userId, userId)).orderBy(charges.createdAt).all();
}

/**
 * Rows of one user in every table a charge or refund writes: what "nothing written" is checked against. Scoped to the
 * user, not the whole table: this file shares its runtime with others whose queue jobs and alarms may still be
 * writing (a global count once saw 3 foreign ledger transfers land mid-test).
 */
export async function userRows(userId: string): Promise<Record<string, number>> {
  const accounts = sql`SELECT id FROM ledger_accounts WHERE owner_id = ${userId}`;
  const counts = {
    charges: sql`SELECT count(*) AS n FROM charges WHERE user_id = ${userId}`,
    ledger_accounts: sql`SELECT count(*) AS n FROM ledger_accounts WHERE owner_id = ${userId}`,
    ledger_transfers: sql`SELECT count(*) AS n FROM ledger_transfers
      WHERE debit_account_id IN (${accounts}) OR credit_account_id IN (${accounts})`,
    idempotency_keys: sql`SELECT count(*) AS n FROM idempotency_keys WHERE user_id = ${userId}`,
    payment_consents: sql`SELECT count(*) AS n FROM payment_consents WHERE user_id = ${userId}`,
    card_blobs: sql`SELECT count(*) AS n FROM card_blobs WHERE user_id = ${userId}`,
    refunds: sql`SELECT count(*) AS n FROM refunds WHERE user_id = ${userId}`,
    refund_parts: sql`SELECT count(*) AS n FROM refund_parts WHERE user_id = ${userId}`,
  };
  const entries = await Promise.all(
    Object.entries(counts).map(async ([table, query]) => [table, (await db().get<{ n: number }>(query))?.n ?? 0]),
  );
  return Object.fromEntries(entries);
}

/** Delivers queue messages to the worker's consumer, as the Queue would (ids may repeat: a duplicate delivery). */
export async function deliver(messages: { id?: string; body: unknown; attempts?: number }[], queue = "gonggu-jobs") {
  const batch = createMessageBatch(
    queue,
    messages.map((m) => ({ id: m.id ?? newId(), timestamp: new Date(), attempts: m.attempts ?? 1, body: m.body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

export const settleBody = (c: { id: string; book: string }) => ({
  type: "charge.settle",
  chargeId: c.id,
  book: c.book,
});

/** userRows without the idempotency key: a refusal after the checks began is stored under its key (the retry gets the same answer). */
export async function userMoneyRows(userId: string): Promise<Record<string, number>> {
  const { idempotency_keys: _stored, ...rows } = await userRows(userId);
  return rows;
}

/** Someone refunds the whole payment at the gateway itself (its console), outside Gonggu. */
export async function cancelAtGateway(orderId: string) {
  const found = await getGateway(env).getPaymentByOrderId(orderId);
  if (found.kind !== "ok" || !found.value) throw new Error(`no payment for ${orderId}`);
  const canceled = await getGateway(env).cancel({
    paymentKey: found.value.paymentKey,
    cancelAmount: found.value.balanceAmount,
    cancelReason: "고객 요청 (콘솔)",
    idempotencyKey: `console-${orderId}`,
  });
  if (canceled.kind !== "ok" || canceled.value.status !== "CANCELED")
    throw new Error(`cancel: ${JSON.stringify(canceled)}`);
}

/** Spends points the way a captured group-buy join does: user → escrow. */
export async function spend(userId: string, book: string, amount: number) {
  await transfer(db(), {
    id: `spend:${newId()}`,
    book,
    debit: userChargedAccount(userId, book),
    credit: escrowAccount(newId(), book),
    amount,
    kind: "hold_capture",
    now: Date.now(),
  });
}

/** 30,000 granted on credit, 25,000 of it spent, then the card declined (the queue's settlement): 25,000 owed. */
export async function owingAfterDecline() {
  const buyer = await payingBuyer({ billingKey: true });
  const { client, user, book } = buyer;
  await setGateway({ mode: "down" });
  const billing = { type: "billingKey" as const };
  const res = await client.wallet.charge.mutate({ amount: 30_000, idempotencyKey: key(), paymentMethod: billing });
  await spend(user.id, book, 25_000);
  await setGateway({ mode: "decline" });
  expect((await deliver([{ body: settleBody({ id: res.charge.id, book }) }])).explicitAcks).toHaveLength(1);
  return buyer;
}

/** The gateway is up and the user charges `amount` by card (the payment window's result): the paid charge. */
export async function chargeByCard(client: Awaited<ReturnType<typeof payingBuyer>>["client"], amount: number) {
  await gatewayUp();
  return client.wallet.charge.mutate({ amount, idempotencyKey: key(), paymentMethod: cardMethod() });
}
