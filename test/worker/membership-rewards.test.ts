import { env } from "cloudflare:workers";
import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, membershipStatus, notifications } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { addMonthsKst, kstMonth } from "../../worker/membership/calendar";
import { clawbackReward } from "../../worker/membership/clawback";
import { discountForJoin, reverseJoinDiscount } from "../../worker/membership/discount";
import { expireDueLots, expireLot } from "../../worker/membership/expiry";
import { onPurchaseRefundedAfterCompletion } from "../../worker/membership/hooks";
import { rewardState } from "../../worker/membership/lots";
import { recordCompletion } from "../../worker/membership/rewards";
import {
  escrowAccount,
  platformAccount,
  sellerPayablePendingAccount,
  userChargedAccount,
  userRewardAccount,
} from "../../worker/wallet/accounts";
import { placeHold, postHold } from "../../worker/wallet/holds";
import { transfer } from "../../worker/wallet/ledger";
import { insertUser } from "./fixtures";
import { assertLedgerInvariants } from "./ledger-invariants";
import { balance, DAY, db, fundedUser, joinAndCapture, T0 } from "./membership-helpers";
import { ensureRegion, newBook } from "./wallet-helpers";

async function setTier(userId: string, level: number, now = T0) {
  await db()
    .insert(membershipStatus)
    .values({ userId, tierLevel: level, tierSince: now, recalcMonth: kstMonth(now), updatedAt: now })
    .onConflictDoUpdate({ target: membershipStatus.userId, set: { tierLevel: level } });
}

/** Spends from the user's points the way a join does (a hold captured into some escrow). */
async function spend(book: string, userId: string, amount: number, now: number) {
  const holdId = `spend:${newId(now)}`;
  await placeHold(db(), { holdId, userId, regionId: book, amount, toAccount: escrowAccount(newId(now), book), now });
  return postHold(db(), { holdId, now });
}

describe("discount at join", { timeout: 30_000 }, () => {
  it("reduces the hold; the platform pays the discount into escrow so the seller gets the full price", async () => {
    const book = newBook();
    const userId = await fundedUser(book, 100_000);
    await setTier(userId, 1); // 이웃: 1 %
    expect(await discountForJoin(db(), userId, 15_000, T0)).toMatchObject({
      tier: "neighbor",
      discount: 150,
      net: 14_850,
    });

    const { hold, purchase, groupBuyId } = await joinAndCapture(book, userId, 15_000, T0);
    expect(hold).toMatchObject({ amount: 14_850, capturedAmount: 14_850, status: "posted" });
    expect(purchase).toMatchObject({ gross: 15_000, discount: 150, paid: 14_850 });
    expect(await balance(userChargedAccount(userId, book))).toBe(85_150);
    expect(await balance(escrowAccount(groupBuyId, book))).toBe(15_000);
    expect(await balance(platformAccount("promotion_expense", book))).toBe(-150);

    // settlement takes the full price out of escrow
    await transfer(db(), {
      id: `settle:${groupBuyId}`,
      book,
      debit: escrowAccount(groupBuyId, book),
      credit: sellerPayablePendingAccount("seller-1", book),
      amount: 15_000,
      kind: "settlement",
      now: T0,
    });
    expect(await balance(sellerPayablePendingAccount("seller-1", book))).toBe(15_000);
    await assertLedgerInvariants(db(), [book]);
  });

  it("a refunded join gives the discount back to the platform, not to the buyer", async () => {
    const book = newBook();
    const userId = await fundedUser(book, 50_000);
    await setTier(userId, 3); // VIP: 3 %
    const { hold, groupBuyId } = await joinAndCapture(book, userId, 10_001, T0);
    expect(hold.amount).toBe(9_701); // 3 % of 10,001 = 300.03 → 300
    await transfer(db(), {
      id: `${hold.id}:refund:c`,
      book,
      debit: escrowAccount(groupBuyId, book),
      credit: userChargedAccount(userId, book),
      amount: hold.capturedAmount,
      kind: "escrow_refund",
      now: T0,
    });
    const back = await reverseJoinDiscount(db(), hold, groupBuyId, T0);
    expect(back?.amount).toBe(300);
    expect(await reverseJoinDiscount(db(), hold, groupBuyId, T0 + 1)).toEqual(back); // idempotent
    expect(await balance(escrowAccount(groupBuyId, book))).toBe(0);
    expect(await balance(userChargedAccount(userId, book))).toBe(50_000);
    expect(await balance(platformAccount("promotion_expense", book))).toBe(0);
    await assertLedgerInvariants(db(), [book]);
  });

  it("sprouts get no discount and no discount transfer", async () => {
    const book = newBook();
    const userId = await fundedUser(book, 5_000);
    const { hold, purchase, groupBuyId } = await joinAndCapture(book, userId, 4_000, T0);
    expect(purchase).toMatchObject({ gross: 4_000, discount: 0, paid: 4_000 });
    expect(hold.meta).toMatchObject({ discount: 0, tier: "sprout" });
    expect(await balance(escrowAccount(groupBuyId, book))).toBe(4_000);
  });

  it("refuses a zero or fractional price with a typed error", async () => {
    for (const bad of [0, -5, 1.5]) {
      const e = await discountForJoin(db(), "u", bad, T0).catch((x) => x);
      expect(e).toBeInstanceOf(TRPCError);
      expect((e as TRPCError).code).toBe("BAD_REQUEST");
    }
  });
});

describe("rewards on completion", { timeout: 30_000 }, () => {
  it("accrue into the reward account as a lot expiring 12 months later, once", async () => {
    const book = newBook();
    const userId = await fundedUser(book, 100_000);
    const { purchase } = await joinAndCapture(book, userId, 30_000, T0);
    const outcome = await recordCompletion(db(), purchase, T0);
    // 새싹 0.5 % of 30,000
    expect(outcome).toMatchObject({ reward: 150, bonus: 0, replayed: false, expiresAt: addMonthsKst(T0, 12) });
    expect(await recordCompletion(db(), purchase, T0 + 5)).toMatchObject({ reward: 150, replayed: true });
    expect(await balance(userRewardAccount(userId, book))).toBe(150);
    const state = await rewardState(db(), userId, book);
    expect(state.lots.map((l) => [l.amount, l.remaining, l.expiresAt])).toEqual([[150, 150, addMonthsKst(T0, 12)]]);
    await assertLedgerInvariants(db(), [book]);
  });

  it("round half-up at the boundary: 0.5 % of 299 / 300 / 301 won", async () => {
    const book = newBook();
    const userId = await fundedUser(book, 10_000);
    const rewards = [];
    for (const paid of [299, 300, 301]) {
      const { purchase } = await joinAndCapture(book, userId, paid, T0);
      rewards.push((await recordCompletion(db(), purchase, T0)).reward);
    }
    // 1.495 → 1, 1.5 → 2, 1.505 → 2
    expect(rewards).toEqual([1, 2, 2]);
  });

  it("upgrades the tier at once when spend crosses a threshold; the reward uses the tier before it", async () => {
    const book = newBook();
    const userId = await fundedUser(book, 200_000);
    const first = await joinAndCapture(book, userId, 99_999, T0);
    expect(await recordCompletion(db(), first.purchase, T0)).toMatchObject({
      tierBefore: 0,
      tierAfter: 0,
      reward: 500,
    });
    const second = await joinAndCapture(book, userId, 1, T0 + 1);
    expect(await recordCompletion(db(), second.purchase, T0 + 1)).toMatchObject({ tierBefore: 0, tierAfter: 1 });
    // now 이웃: 1 % discount on the next join
    expect((await discountForJoin(db(), userId, 10_000, T0 + 2)).discount).toBe(100);
  });
});

describe("reward lots: spend oldest-first, expire, remind", { timeout: 30_000 }, () => {
  it("a hold uses reward points first, consuming the soonest-expiring lot first", async () => {
    const book = newBook();
    const userId = await fundedUser(book, 1_000_000);
    await setTier(userId, 3); // VIP: 2 % reward
    const lotIds = [];
    for (let m = 0; m < 3; m++) {
      // (purchases paid elsewhere: a join here would itself spend the reward points earned so far)
      const at = addMonthsKst(T0, m);
      const purchase = {
        purchaseId: `p:${newId(at)}`,
        userId,
        book,
        groupBuyId: newId(at),
        gross: 100_000,
        discount: 3_000,
        paid: 97_000,
      };
      lotIds.push((await recordCompletion(db(), purchase, at)).lotId);
    }
    // VIP: 2 % of 97,000 = 1,940 per lot
    let state = await rewardState(db(), userId, book);
    expect(state.lots.map((l) => l.remaining)).toEqual([1_940, 1_940, 1_940]);

    const at = addMonthsKst(T0, 3);
    const hold = await spend(book, userId, 2_500, at);
    expect(hold).toMatchObject({ fromReward: 2_500, fromCharged: 0 });
    state = await rewardState(db(), userId, book);
    expect(state.lots.map((l) => [l.id, l.remaining])).toEqual([
      [lotIds[0], 0],
      [lotIds[1], 1_380],
      [lotIds[2], 1_940],
    ]);

    // first lot expires with nothing left: closed, no transfer; the second gives what is left to the expiry account
    expect(await expireLot(db(), lotIds[0]!, addMonthsKst(T0, 12))).toBe(0);
    expect(await expireLot(db(), lotIds[1]!, addMonthsKst(T0, 13))).toBe(1_380);
    expect(await expireLot(db(), lotIds[1]!, addMonthsKst(T0, 13) + 5)).toBe(0); // already closed
    expect(await balance(platformAccount("reward_expiry", book))).toBe(1_380);
    expect(await balance(userRewardAccount(userId, book))).toBe(1_940);
    state = await rewardState(db(), userId, book);
    expect(state.lots.map((l) => [l.id, l.remaining])).toEqual([[lotIds[2], 1_940]]);
    await assertLedgerInvariants(db(), [book]);
  });

  it("points reserved by an open hold are not expired from under it", async () => {
    const book = newBook();
    const userId = await fundedUser(book, 100_000);
    const { purchase } = await joinAndCapture(book, userId, 40_000, T0);
    const { lotId } = await recordCompletion(db(), purchase, T0); // 200
    await placeHold(db(), { holdId: `h:${newId()}`, userId, regionId: book, amount: 150, now: T0 + DAY });
    expect(await expireLot(db(), lotId!, addMonthsKst(T0, 12))).toBe(50);
    await assertLedgerInvariants(db(), [book]);
  });

  it("expireDueLots only touches lots past their date", async () => {
    const book = newBook();
    const userId = await fundedUser(book, 100_000);
    const { purchase } = await joinAndCapture(book, userId, 20_000, T0);
    const { lotId, expiresAt } = await recordCompletion(db(), purchase, T0);
    const early = await expireDueLots(db(), expiresAt! - 1);
    expect(early.some((e) => e.lotId === lotId)).toBe(false);
    expect(await balance(userRewardAccount(userId, book))).toBe(100);
  });
});

describe("clawback after a refund", { timeout: 30_000 }, () => {
  async function earned(charged: number, gross: number) {
    const book = newBook();
    await ensureRegion(book);
    const user = await insertUser(db(), "buyer");
    await transfer(db(), {
      id: `fund:${newId()}`,
      book,
      debit: platformAccount("pg_clearing", book),
      credit: userChargedAccount(user.id, book),
      amount: charged,
      kind: "charge",
      now: T0,
    });
    await setTier(user.id, 3); // VIP: 3 % off, 2 % reward
    const { purchase, hold } = await joinAndCapture(book, user.id, gross, T0);
    const outcome = await recordCompletion(db(), purchase, T0);
    return { book, userId: user.id, purchase, hold, outcome };
  }

  it("takes an unspent reward back from the reward account and stops counting the spend", async () => {
    const { book, userId, purchase, outcome } = await earned(200_000, 100_000);
    expect(outcome.reward).toBe(1_940);
    const result = await clawbackReward(db(), { purchaseId: purchase.purchaseId, now: T0 + DAY, reason: "refund" });
    expect(result).toMatchObject({ target: 1_940, fromReward: 1_940, fromCharged: 0, writtenOff: 0 });
    expect(await balance(userRewardAccount(userId, book))).toBe(0);
    expect(await balance(platformAccount("promotion_expense", book))).toBe(-3_000); // only the discount remains spent
    const again = await clawbackReward(db(), { purchaseId: purchase.purchaseId, now: T0 + 2 * DAY, reason: "refund" });
    expect(again).toMatchObject({ fromReward: 1_940, replayed: true });
    await assertLedgerInvariants(db(), [book]);
  });

  it("takes what was already spent from charged points", async () => {
    const { book, userId, purchase } = await earned(200_000, 100_000);
    await spend(book, userId, 1_500, T0 + DAY); // 1,500 of the 1,940 reward points spent
    const charged = await balance(userChargedAccount(userId, book));
    const result = await clawbackReward(db(), { purchaseId: purchase.purchaseId, now: T0 + 2 * DAY, reason: "refund" });
    expect(result).toMatchObject({ target: 1_940, fromReward: 440, fromCharged: 1_500, writtenOff: 0 });
    expect(await balance(userChargedAccount(userId, book))).toBe(charged - 1_500);
    await assertLedgerInvariants(db(), [book]);
  });

  it("never below zero: the rest is written off, audit-logged and the user notified", async () => {
    const { book, userId, purchase, hold } = await earned(97_000, 100_000); // spends every charged point on the join
    expect(await balance(userChargedAccount(userId, book))).toBe(0);
    await spend(book, userId, 1_000, T0 + DAY);
    const result = await onPurchaseRefundedAfterCompletion(env, {
      holdId: hold.id,
      regionId: book,
      reason: "seller refunded the order",
      now: T0 + 2 * DAY,
    });
    expect(result).toMatchObject({ target: 1_940, fromReward: 940, fromCharged: 0, writtenOff: 1_000 });
    expect(await balance(userChargedAccount(userId, book))).toBe(0);
    expect(await balance(userRewardAccount(userId, book))).toBe(0);
    expect(await balance(platformAccount("write_off", book))).toBe(-1_000);
    const audit = await db()
      .select()
      .from(auditLog)
      .where(eq(auditLog.id, `clawback:${purchase.purchaseId}`))
      .get();
    expect(audit).toMatchObject({ action: "membership.reward_writeoff", targetId: userId });
    expect(audit?.detail).toMatchObject({ writtenOff: 1_000, reason: "seller refunded the order" });
    const note = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, userId), eq(notifications.kind, "membership.reward_clawed_back")))
      .get();
    expect(note?.params).toEqual({ groupBuyId: purchase.groupBuyId, amountWon: 1_940, fromChargedWon: 0 });
    await assertLedgerInvariants(db(), [book]);
  });

  it("an expired lot is clawed back only for the part the user had spent", async () => {
    const { book, userId, purchase, outcome } = await earned(300_000, 100_000);
    await spend(book, userId, 600, T0 + DAY);
    await expireLot(db(), outcome.lotId!, addMonthsKst(T0, 12)); // 1,340 expire
    const result = await clawbackReward(db(), {
      purchaseId: purchase.purchaseId,
      now: addMonthsKst(T0, 12) + DAY,
      reason: "late refund",
    });
    expect(result).toMatchObject({ target: 600, fromReward: 0, fromCharged: 600, writtenOff: 0 });
    await assertLedgerInvariants(db(), [book]);
  });
});
