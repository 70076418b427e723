import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ledgerAccounts, ledgerReconciliations } from "../../worker/db/schema";
import worker from "../../worker/index";
import { newId } from "../../worker/lib/ids";
import { DAILY_CRON } from "../../worker/scheduled";
import { platformAccount, userChargedAccount, userRewardAccount } from "../../worker/wallet/accounts";
import { type MoveBookJob, moveUserBook, queueStrayBalances, runMoveBookJob } from "../../worker/wallet/books";
import { getHold, placeHold, voidHold } from "../../worker/wallet/holds";
import { getTransfer, transfer } from "../../worker/wallet/ledger";
import { walletSummary } from "../../worker/wallet/wallet";
import { assertLedgerInvariants } from "./ledger-invariants";
import { buyerInBook, db, ensureRegion, fund, newBook } from "./wallet-helpers";

async function runCron(cron: string, scheduledTime: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron, scheduledTime }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe("wallet cron", () => {
  it("the 5-minute cron voids expired holds", async () => {
    const book = newBook();
    const userId = newId();
    const now = Date.now();
    await fund(userId, book, 1_000);
    const holdId = `join:${newId()}`;
    await placeHold(db(), { holdId, userId, regionId: book, amount: 700, expiresAt: now + 60_000, now });
    await runCron("*/5 * * * *", now + 59_999);
    expect((await getHold(db(), holdId))?.status).toBe("pending");
    await runCron("*/5 * * * *", now + 60_000);
    expect((await getHold(db(), holdId))?.status).toBe("expired");
    expect(await walletSummary(db(), userId, book)).toMatchObject({ held: 0, available: 1_000 });
    await assertLedgerInvariants(db(), [book]);
  });

  it("the daily cron reconciles every book and records what it found, including a tampered balance", async () => {
    const book = newBook();
    const userId = newId();
    await fund(userId, book, 500);
    const account = userChargedAccount(userId, book).id;
    await db().update(ledgerAccounts).set({ creditsPosted: 900 }).where(eq(ledgerAccounts.id, account));
    await runCron(DAILY_CRON, Date.now());
    const [row] = await db()
      .select()
      .from(ledgerReconciliations)
      .where(eq(ledgerReconciliations.book, book))
      .orderBy(desc(ledgerReconciliations.ranAt))
      .limit(1)
      .all();
    expect(row).toMatchObject({ mismatchCount: 1, netPosted: 400, netPending: 0 });
    expect(JSON.stringify(row.details)).toContain(account);
    // repair, and the next run is clean
    await db().update(ledgerAccounts).set({ creditsPosted: 500 }).where(eq(ledgerAccounts.id, account));
    await runCron(DAILY_CRON, Date.now() + 1);
    const [clean] = await db()
      .select()
      .from(ledgerReconciliations)
      .where(eq(ledgerReconciliations.book, book))
      .orderBy(desc(ledgerReconciliations.ranAt))
      .limit(1)
      .all();
    expect(clean).toMatchObject({ mismatchCount: 0, netPosted: 0, netPending: 0, details: [] });
  });
});

describe("moving a user to another region book", () => {
  it("moves available points in three idempotent steps; Σ = 0 in each book at every step", async () => {
    const from = newBook("from");
    const to = newBook("to");
    const userId = newId();
    const now = Date.now();
    await fund(userId, from, 5_000, "charged");
    await fund(userId, from, 300, "reward");
    // a hold stays behind (its group buy lives in the old region)
    await placeHold(db(), { holdId: `join:${newId()}`, userId, regionId: from, amount: 1_000, now });
    const moveId = newId();

    // crash after step 1 of the charged leg: reserve in the old book only
    await transfer(db(), {
      id: `move:${moveId}:out:c`,
      book: from,
      debit: userChargedAccount(userId, from),
      credit: platformAccount("book_transit", from),
      amount: 4_000,
      phase: "pending",
      kind: "book_move",
      now,
    });
    await assertLedgerInvariants(db(), [from, to]);

    const args = { moveId, userId, fromRegion: from, toRegion: to, now };
    // hold takes reward first: 300 reward + 700 charged held → 4,300 charged left, but step 1 already reserved 4,000
    const moved = await moveUserBook(db(), db(), args);
    expect(moved).toEqual({ charged: 4_000, reward: 0 });
    expect(await moveUserBook(db(), db(), args)).toEqual(moved); // a retry changes nothing
    expect(await walletSummary(db(), userId, to)).toMatchObject({ charged: 4_000, available: 4_000 });
    expect(await walletSummary(db(), userId, from)).toMatchObject({ charged: 1_000, reward: 300, held: 1_000 });
    expect(await getTransfer(db(), `move:${moveId}:out:c:post`)).toBeTruthy();
    await assertLedgerInvariants(db(), [from, to]);
    // across the two books the transit accounts net to zero
    const { getAccounts } = await import("../../worker/wallet/ledger");
    const transit = await getAccounts(db(), [
      platformAccount("book_transit", from).id,
      platformAccount("book_transit", to).id,
    ]);
    expect(transit.reduce((sum, a) => sum + a.creditsPosted - a.debitsPosted, 0)).toBe(0);
    expect(userRewardAccount(userId, to).book).toBe(to);
  });
});

describe("region change moves the wallet", () => {
  it("verifying a new home region brings the points along; a released old hold follows via the daily sweep", async () => {
    const buyer = await buyerInBook();
    const newHome = newBook("home");
    await ensureRegion(newHome);
    const now = Date.now();
    await fund(buyer.user.id, buyer.book, 3_000, "charged");
    await fund(buyer.user.id, buyer.book, 500, "reward");
    const holdId = `join:${newId()}`;
    await placeHold(db(), { holdId, userId: buyer.user.id, regionId: buyer.book, amount: 1_000, now });

    await buyer.client.regions.verify.mutate({ regionId: newHome, lat: 37.5, lng: 127.0 });
    // reward first: the hold took 500 reward + 500 charged; 2,500 charged moved
    expect(await buyer.client.wallet.get.query()).toMatchObject({
      regionId: newHome,
      charged: 2_500,
      available: 2_500,
    });
    await assertLedgerInvariants(db(), [buyer.book, newHome]);

    // the old hold is released in the old book: those points are strays until the daily cron queues their move
    await voidHold(db(), { holdId, now: now + 1 });
    expect(await walletSummary(db(), buyer.user.id, buyer.book)).toMatchObject({ charged: 500, reward: 500 });
    const sent: unknown[] = [];
    const jobs = { sendBatch: async (msgs: { body: unknown }[]) => void sent.push(...msgs.map((m) => m.body)) };
    expect(await queueStrayBalances(db(), jobs as unknown as Queue, Date.now())).toBeGreaterThanOrEqual(1);
    const job = sent.find((j) => (j as MoveBookJob).userId === buyer.user.id) as MoveBookJob;
    expect(job).toMatchObject({ type: "wallet.moveBook", fromRegion: buyer.book, toRegion: newHome });

    // the consumer runs it (twice: at-least-once delivery) and the points arrive once
    const batch = createMessageBatch("gonggu-jobs", [
      { id: "m1", timestamp: new Date(), attempts: 1, body: job },
      { id: "m2", timestamp: new Date(), attempts: 1, body: job },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    await waitOnExecutionContext(ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.length + result.retryMessages.length).toBe(2);
    if (result.retryMessages.length) await runMoveBookJob(env, job); // a raced duplicate retries; run it again
    expect(await buyer.client.wallet.get.query()).toMatchObject({ charged: 3_000, reward: 500, available: 3_500 });
    expect(await walletSummary(db(), buyer.user.id, buyer.book)).toMatchObject({ charged: 0, reward: 0, held: 0 });
    await assertLedgerInvariants(db(), [buyer.book, newHome]);
  });
});
