import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { clawbackReward } from "../../worker/membership/clawback";
import { expireLot } from "../../worker/membership/expiry";
import { onPurchaseRefundedAfterCompletion, onPurchasesCompleted } from "../../worker/membership/hooks";
import { rewardState } from "../../worker/membership/lots";
import { getPlus, processPlusRenewals, subscribePlus } from "../../worker/membership/plus";
import { recordCompletion } from "../../worker/membership/rewards";
import { countedSpend, currentTier } from "../../worker/membership/tiers";
import { membershipSummary } from "../../worker/membership/view";
import { escrowAccount, platformAccount, userChargedAccount, userRewardAccount } from "../../worker/wallet/accounts";
import { moveUserBook } from "../../worker/wallet/books";
import { messageChain } from "../../worker/wallet/errors";
import { placeHold, postHold, voidHold } from "../../worker/wallet/holds";
import { getAccounts } from "../../worker/wallet/ledger";
import { beforeStatement } from "./d1-interpose";
import { assertLedgerInvariants } from "./ledger-invariants";
import { BOOKS_TEST, books, booksEnv, buyerInBook, db, ensureRegion, fund, newBook } from "./wallet-helpers";

const DAY = 86_400_000;
const crashed = (e: unknown) => messageChain(e).includes("crashed");
type Db = ReturnType<typeof db>;

async function balanceIn(database: Db, ref: { id: string }) {
  const [row] = await getAccounts(database, [ref.id]);
  return row ? row.creditsPosted - row.debitsPosted : 0;
}

/** Each book balanced in its database, no guarded account overdrawn, and the move's transit nets to zero across them. */
async function expectMoveClosed(from: [Db, string], to: [Db, string]) {
  const transit = (
    await Promise.all([from, to].map(([d, b]) => balanceIn(d, platformAccount("book_transit", b))))
  ).reduce((s, n) => s + n);
  expect(transit).toBe(0);
  await assertLedgerInvariants(from[0], [from[1]]);
  await assertLedgerInvariants(to[0], [to[1]]);
}

/**
 * A buyer of `from` with 100,000 charged points who completed a purchase of 100,000 paid `at` (새싹: 500 reward
 * points, a lot expiring 12 months later; the spend lifts the tier to 이웃) and then spent 200 of the reward points.
 */
async function earnedAndSpent(at: number) {
  const buyer = await buyerInBook();
  const userId = buyer.user.id;
  await fund(userId, buyer.book, 100_000, "charged", at - DAY);
  const purchaseId = `p:${newId(at)}`;
  const purchase = { purchaseId, userId, book: buyer.book, groupBuyId: newId(at), gross: 100_000, discount: 0 };
  const done = await recordCompletion(db(), { ...purchase, paid: 100_000 }, at);
  expect(done).toMatchObject({ reward: 500, tierAfter: 1 });
  const holdId = `h:${newId(at)}`;
  const toAccount = escrowAccount(newId(at), buyer.book);
  await placeHold(db(), { holdId, userId, regionId: buyer.book, amount: 200, toAccount, now: at + 1 });
  await postHold(db(), { holdId, now: at + 2 });
  return { ...buyer, userId, purchaseId, lotId: done.lotId!, expiresAt: done.expiresAt! };
}

describe("a region move carries reward lots and membership", { timeout: 30_000 }, () => {
  beforeAll(() => applyD1Migrations(BOOKS_TEST, env.TEST_MIGRATIONS));

  it("in one database: the moved reward points expire on their day in the new book; a clawback takes them there", async () => {
    const at = Date.now() - 10 * DAY;
    const { userId, book: from, lotId, purchaseId, expiresAt } = await earnedAndSpent(at);
    const to = newBook("m");
    const args = { moveId: newId(), userId, fromRegion: from, toRegion: to, now: Date.now() };
    expect(await moveUserBook(db(), db(), args)).toEqual({ charged: 100_000, reward: 300 });
    await moveUserBook(db(), db(), args); // a retry (a duplicate delivery of the queued move) changes nothing

    // was: the lot stayed in book A, so the 300 points in B had no expiry at all
    const state = await rewardState(db(), userId, to);
    expect(state.lots.map((l) => [l.id, l.remaining, l.expiresAt])).toEqual([[lotId, 300, expiresAt]]);
    expect(state.withoutExpiry).toBe(0);
    expect(await expireLot(db(), lotId, expiresAt - 1)).toBe(0); // not yet
    await expectMoveClosed([db(), from], [db(), to]);

    // a refund after the move takes the reward back where the points are: 300 unspent + 200 spent from charged points
    // (was: it ran in book A, emptied by the move, and wrote all 500 off)
    const clawed = await clawbackReward(db(), { purchaseId, now: Date.now(), reason: "refund after a move" });
    expect(clawed).toMatchObject({ target: 500, fromReward: 300, fromCharged: 200, writtenOff: 0 });
    expect(await balanceIn(db(), userRewardAccount(userId, to))).toBe(0);
    expect(await balanceIn(db(), userChargedAccount(userId, to))).toBe(99_800);
    expect(await balanceIn(db(), platformAccount("write_off", from))).toBe(0);
    await expectMoveClosed([db(), from], [db(), to]);
  });

  it("in one database: a lot expires from the new book on the day it would have", async () => {
    const at = Date.now() - 10 * DAY;
    const { userId, book: from, lotId, expiresAt } = await earnedAndSpent(at);
    const to = newBook("m");
    await moveUserBook(db(), db(), { moveId: newId(), userId, fromRegion: from, toRegion: to, now: Date.now() });
    // was 0: the lot in book A found nothing left there, and book B's 300 never expired
    expect(await expireLot(db(), lotId, expiresAt)).toBe(300);
    expect(await balanceIn(db(), userRewardAccount(userId, to))).toBe(0);
    expect(await balanceIn(db(), platformAccount("reward_expiry", to))).toBe(300);
    await expectMoveClosed([db(), from], [db(), to]);
  });

  it("reward points held in the old book at the move, released later, follow by the next move into the carried lot", async () => {
    const at = Date.now() - 10 * DAY;
    const { userId, book: from, lotId, expiresAt } = await earnedAndSpent(at);
    const holdId = `h:${newId()}`;
    await placeHold(db(), { holdId, userId, regionId: from, amount: 100, now: Date.now() }); // reward first
    const to = newBook("m");
    const move = () => ({ moveId: newId(), userId, fromRegion: from, toRegion: to, now: Date.now() });
    expect(await moveUserBook(db(), db(), move())).toMatchObject({ reward: 200 });
    expect((await rewardState(db(), userId, to)).lots.map((l) => l.remaining)).toEqual([200]);

    await voidHold(db(), { holdId, now: Date.now() });
    expect(await moveUserBook(db(), db(), move())).toMatchObject({ reward: 100 }); // the stray balance's move
    expect((await rewardState(db(), userId, to)).lots.map((l) => l.remaining)).toEqual([300]);
    expect(await expireLot(db(), lotId, expiresAt)).toBe(300);
    await expectMoveClosed([db(), from], [db(), to]);
  });

  it("to a book in another database: tier, spend, Plus extra and lots arrive; a refund in the old book claws back there", async () => {
    const at = Date.now() - 10 * DAY;
    const buyer = await buyerInBook();
    const { book: from } = buyer;
    const userId = buyer.user.id;
    await fund(userId, from, 100_000, "charged", at - DAY);
    await subscribePlus(db(), { id: userId, homeRegionId: from }, at - DAY);
    const purchaseId = `p:${newId(at)}`;
    const purchase = { purchaseId, userId, book: from, groupBuyId: newId(at), gross: 100_000, discount: 0 };
    const done = await recordCompletion(db(), { ...purchase, paid: 100_000 }, Date.now());
    expect(done).toMatchObject({ reward: 2_500, bonus: 2_000, tierAfter: 1 }); // 0.5 % + the Plus 2 %

    const to = newBook("own");
    const args = { moveId: newId(), userId, fromRegion: from, toRegion: to, now: Date.now() };
    expect(await moveUserBook(db(), books(), args)).toEqual({ charged: 100_000 - 4_900, reward: 2_500 });
    await moveUserBook(db(), books(), args); // retried: nothing twice

    // was: in B's database the tier read 새싹 (0) until the monthly recalculation, the month's Plus extra read 0,
    // and the 2,500 points had no lot
    expect((await currentTier(books(), userId)).level).toBe(1);
    expect(await countedSpend(books(), userId, Date.now())).toBe(100_000);
    const summary = await membershipSummary(books(), { id: userId, homeRegionId: to }, Date.now());
    expect(summary.tier.level).toBe(1);
    expect(summary.plus).toMatchObject({ active: true, extraEarnedThisMonth: 2_000 });
    expect(summary.rewards).toMatchObject({ balance: 2_500, withoutExpiry: 0 });
    expect(summary.rewards.lots).toEqual([expect.objectContaining({ id: done.lotId, remaining: 2_500 })]);
    // book A's database keeps a closed row naming book B: its cron expires nothing, and a refund there follows it
    expect(await rewardState(db(), userId, from)).toMatchObject({ lots: [] });

    const clawed = await onPurchaseRefundedAfterCompletion(booksEnv(to), {
      holdId: purchaseId,
      regionId: from,
      reason: "refund after a move",
      now: Date.now(),
    });
    expect(clawed).toMatchObject({ target: 2_500, fromReward: 2_500, fromCharged: 0, writtenOff: 0 });
    expect(await countedSpend(books(), userId, Date.now())).toBe(0); // the purchase no longer counts, in B
    await expectMoveClosed([db(), from], [books(), to]);
  });

  it("a crash between writing the lots to the new database and closing the old rows: the retry keeps the new rows", async () => {
    const at = Date.now() - 10 * DAY;
    const { userId, book: from, lotId, expiresAt } = await earnedAndSpent(at);
    const to = newBook("own");
    const args = { moveId: newId(), userId, fromRegion: from, toRegion: to, now: Date.now() };
    const crash = beforeStatement(/^update "reward_lots"/, from, () => Promise.reject(new Error("crashed")));
    try {
      await expect(moveUserBook(db(), books(), args)).rejects.toSatisfy(crashed);
    } finally {
      crash.restore();
    }
    // meanwhile the old database's cron reaches the lot: nothing of it is left in book A
    expect(await expireLot(db(), lotId, expiresAt)).toBe(0);
    await moveUserBook(db(), books(), args);
    expect(await expireLot(books(), lotId, expiresAt)).toBe(300);
    expect(await balanceIn(books(), platformAccount("reward_expiry", to))).toBe(300);
    await expectMoveClosed([db(), from], [books(), to]);
  });
});

describe("a purchase completed in the old region after a move", { timeout: 30_000 }, () => {
  beforeAll(() => applyD1Migrations(BOOKS_TEST, env.TEST_MIGRATIONS));

  it("its reward, lot, spend and tier land in the home book's database, once, whatever moves come between deliveries", async () => {
    const buyer = await buyerInBook(newBook("own"));
    const userId = buyer.user.id;
    const from = buyer.book;
    const ownEnv = booksEnv(from);
    const at = Date.now() - DAY;
    await fund(userId, from, 150_000, "charged", at, books());
    const groupBuyId = newId(at);
    const holdId = `join:${newId(at)}`;
    await placeHold(books(), {
      holdId,
      userId,
      regionId: from,
      amount: 100_000,
      toAccount: escrowAccount(groupBuyId, from),
      now: at,
    });
    const hold = await postHold(books(), { holdId, now: at + 1 });
    // the buyer moves home to a book in the main database while the buy waits for pickup
    const home = newBook("m");
    await ensureRegion(home);
    await db().update(users).set({ homeRegionId: home }).where(eq(users.id, userId));
    await moveUserBook(books(), db(), { moveId: newId(), userId, fromRegion: from, toRegion: home, now: Date.now() });

    const done = await onPurchasesCompleted(ownEnv, groupBuyId, [hold], Date.now());
    // was: 500 reward points, the lot, the spend and the tier all in the old book's database, until a next move
    expect(done).toEqual([expect.objectContaining({ reward: 500, tierAfter: 1, replayed: false })]);
    expect(await balanceIn(db(), userRewardAccount(userId, home))).toBe(500);
    expect(await balanceIn(books(), userRewardAccount(userId, from))).toBe(0);
    expect((await rewardState(db(), userId, home)).lots.map((l) => [l.id, l.remaining])).toEqual([
      [done[0].lotId, 500],
    ]);
    expect((await currentTier(db(), userId)).level).toBe(1);
    expect(await countedSpend(db(), userId, Date.now())).toBe(100_000);

    // delivered again after a further move: recorded where the first delivery recorded it, nothing twice
    const next = newBook("m");
    await ensureRegion(next);
    await db().update(users).set({ homeRegionId: next }).where(eq(users.id, userId));
    await moveUserBook(db(), db(), { moveId: newId(), userId, fromRegion: home, toRegion: next, now: Date.now() });
    expect(await onPurchasesCompleted(ownEnv, groupBuyId, [hold], Date.now())).toEqual([
      expect.objectContaining({ reward: 500, replayed: true }),
    ]);
    expect(await balanceIn(db(), userRewardAccount(userId, next))).toBe(500);
    expect(await balanceIn(db(), userRewardAccount(userId, home))).toBe(0);
    expect(await balanceIn(books(), userRewardAccount(userId, from))).toBe(0);
    await assertLedgerInvariants(books(), [from]);
    await assertLedgerInvariants(db(), [home, next]);
  });
});

describe("a region move's lots, raced", { timeout: 30_000 }, () => {
  beforeAll(() => applyD1Migrations(BOOKS_TEST, env.TEST_MIGRATIONS));

  it("a refund's clawback in the old book between the move reading the lots and closing them: the new book's copy closes too", async () => {
    const at = Date.now() - 10 * DAY;
    const { userId, book: from, lotId, purchaseId, expiresAt } = await earnedAndSpent(at);
    const to = newBook("own");
    const refund = () =>
      onPurchaseRefundedAfterCompletion(booksEnv(to), {
        holdId: purchaseId,
        regionId: from,
        reason: "refund",
        now: Date.now(),
      });
    // the clawback lands after the lots were copied to B's database, before A's rows are closed: it runs in A, whose
    // points already left (all 500 written off there)
    let first: Awaited<ReturnType<typeof refund>> | undefined;
    const race = beforeStatement(/^update "reward_lots"/, from, async () => {
      first = await refund();
    });
    try {
      await moveUserBook(db(), books(), { moveId: newId(), userId, fromRegion: from, toRegion: to, now: Date.now() });
    } finally {
      race.restore();
    }
    expect(first).toMatchObject({ target: 500, fromReward: 0, fromCharged: 0, writtenOff: 500 });

    // was: B kept an open copy and A's clawed row named B, so the refund's second delivery clawed 300 + 200 again in B
    // and B's cron would expire the lot there as well
    expect(await refund()).toMatchObject({ replayed: true, writtenOff: 500 });
    expect((await rewardState(books(), userId, to)).lots).toEqual([]);
    expect(await expireLot(books(), lotId, expiresAt)).toBe(0);
    expect(await balanceIn(books(), userRewardAccount(userId, to))).toBe(300);
    expect(await balanceIn(books(), userChargedAccount(userId, to))).toBe(100_000);
    await expectMoveClosed([db(), from], [books(), to]);
  });
});

describe("a region move's Plus row, interrupted", { timeout: 30_000 }, () => {
  beforeAll(() => applyD1Migrations(BOOKS_TEST, env.TEST_MIGRATIONS));
  let restore = () => {};
  afterEach(() => restore());

  it("between writing it to the new database and deleting the old: the old book never renews or lapses it, the retry heals", async () => {
    const buyer = await buyerInBook();
    const from = buyer.book;
    const userId = buyer.user.id;
    const start = Date.now() - 40 * DAY; // the first period is over
    await fund(userId, from, 30_000, "charged", start);
    await subscribePlus(db(), { id: userId, homeRegionId: from }, start);
    const to = newBook("own");
    const args = { moveId: newId(), userId, fromRegion: from, toRegion: to, now: Date.now() };
    const crash = beforeStatement(/^delete from "plus_subscriptions"/, userId, () =>
      Promise.reject(new Error("crashed")),
    );
    restore = () => crash.restore();
    await expect(moveUserBook(db(), books(), args)).rejects.toSatisfy(crashed);
    crash.restore();
    expect(await getPlus(db(), userId)).toMatchObject({ book: from });
    expect(await getPlus(books(), userId)).toMatchObject({ book: to });

    // book A's renewal cron runs in the window: was a lapse (the points left with the move), which the retry then
    // copied over book B's row
    const events = await processPlusRenewals(db(), Date.now());
    expect(events.filter((e) => e.userId === userId)).toEqual([]);
    expect(await getPlus(db(), userId)).toMatchObject({ status: "active" });

    await moveUserBook(db(), books(), args);
    expect(await getPlus(db(), userId)).toBeUndefined();
    expect(await getPlus(books(), userId)).toMatchObject({ book: to, status: "active", periodNo: 1, moveId: null });
    const renewed = await processPlusRenewals(books(), Date.now());
    expect(renewed).toContainEqual(expect.objectContaining({ kind: "renewed", userId, periodNo: 2 }));
    await expectMoveClosed([db(), from], [books(), to]);
  });
});
