import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ledgerAccounts, ledgerReconciliations } from "../../worker/db/schema";
import worker from "../../worker/index";
import { newId } from "../../worker/lib/ids";
import { DAILY_CRON } from "../../worker/scheduled";
import { platformAccount, userChargedAccount, userRewardAccount } from "../../worker/wallet/accounts";
import { moveUserBook } from "../../worker/wallet/books";
import { getHold, placeHold } from "../../worker/wallet/holds";
import { getTransfer, transfer } from "../../worker/wallet/ledger";
import { walletSummary } from "../../worker/wallet/wallet";
import { assertLedgerInvariants } from "./ledger-invariants";
import { db, fund, newBook } from "./wallet-helpers";

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
