import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notifications, rewardLots } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { recordCompletion } from "../../worker/membership/rewards";
import { DAILY_CRON } from "../../worker/scheduled";
import { platformAccount, userChargedAccount, userRewardAccount } from "../../worker/wallet/accounts";
import { transfer } from "../../worker/wallet/ledger";
import { insertUser } from "./fixtures";
import { assertLedgerInvariants } from "./ledger-invariants";
import { balance, DAY, db, fundedUser, joinAndCapture, runCron, T0 } from "./membership-helpers";
import { ensureRegion, newBook } from "./wallet-helpers";

/**
 * The reward lots' reminder and expiry through the whole scheduled handler at the daily schedule. A file of its own in
 * an isolated runtime (vitest.config.ts): the daily run also reconciles every ledger book in the database, and in the
 * shared runtime that was every book the files before it had made (≈ 0.45 s per run a dozen files in, on a quiet
 * machine; this test runs it five times), so its time grew with the batch's order and the machine's load, up to
 * its 30 s timeout.
 */
describe("reward lots in the daily cron", { timeout: 30_000 }, () => {
  it("the daily cron reminds 30 days before and expires after the date, each once", async () => {
    const book = newBook();
    await ensureRegion(book);
    const user = await insertUser(db(), "buyer");
    await fundedUser(book, 0);
    await transfer(db(), {
      id: `fund:${newId()}`,
      book,
      debit: platformAccount("pg_clearing", book),
      credit: userChargedAccount(user.id, book),
      amount: 60_000,
      kind: "charge",
      now: T0,
    });
    const { purchase } = await joinAndCapture(book, user.id, 50_000, T0);
    const { lotId, expiresAt } = await recordCompletion(db(), purchase, T0); // 250, expires T0 + 12 months
    const mine = () => db().select().from(notifications).where(eq(notifications.userId, user.id)).all();

    await runCron(expiresAt! - 31 * DAY, DAILY_CRON);
    expect(await mine()).toHaveLength(0);
    await runCron(expiresAt! - 29 * DAY, DAILY_CRON);
    await runCron(expiresAt! - 28 * DAY, DAILY_CRON);
    const reminders = await mine();
    expect(reminders.map((n) => [n.kind, n.params])).toEqual([
      ["membership.reward_expiring", { amountWon: 250, expiresAt }],
    ]);

    await runCron(expiresAt! + 60_000, DAILY_CRON);
    await runCron(expiresAt! + 2 * DAY, DAILY_CRON);
    const lot = await db().select().from(rewardLots).where(eq(rewardLots.id, lotId!)).get();
    expect(lot).toMatchObject({ expired: 250, closedAt: expiresAt! + 60_000 });
    expect(await balance(userRewardAccount(user.id, book))).toBe(0);
    await assertLedgerInvariants(db(), [book]);
  });
});
