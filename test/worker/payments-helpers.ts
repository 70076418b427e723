import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import type { GatewaySwitches } from "../../shared/schemas/payments";
import { charges } from "../../worker/db/schema";
import worker from "../../worker/index";
import { newId } from "../../worker/lib/ids";
import { sandboxGateway } from "../../worker/payments";
import { platformAccount, userChargedAccount } from "../../worker/wallet/accounts";
import { getAccounts } from "../../worker/wallet/ledger";
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

export async function countRows(table: string): Promise<number> {
  const row = await db().get<{ n: number }>(sql.raw(`SELECT count(*) AS n FROM "${table}"`));
  return row?.n ?? 0;
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
