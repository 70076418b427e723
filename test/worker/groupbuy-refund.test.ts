import { env } from "cloudflare:workers";
import { and, eq, like } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import {
  groupBuyHolds,
  groupBuys,
  ledgerTransfers,
  membershipStatus,
  notifications,
  purchaseRefunds,
  rewardLots,
  sellerPayables,
} from "../../worker/db/schema";
import { PAYABLE_HOLD_MS, REFUND_WINDOW_MS } from "../../worker/groupbuy/config";
import { releaseDuePayables } from "../../worker/groupbuy/payouts";
import { kstMonth } from "../../worker/membership/calendar";
import { sandboxGateway } from "../../worker/payments";
import { platformAccount, sellerPayableAvailableAccount } from "../../worker/wallet/accounts";
import { beforeStatement } from "./d1-interpose";
import {
  db,
  escrowOf,
  gbRow,
  invariants,
  key,
  memberRow,
  newResident,
  openBuy,
  type Person,
  pointsOf,
  until,
  untilSettled,
  untilStatus,
} from "./groupbuy-helpers";
import { balance, completedBuyOf, payoutRun, registerAccount } from "./payout-helpers";

/**
 * A 20,000-won buy (4 shares at 5,000) completed by `vip` (3 % off: pays 9,700, Gonggu 300) and `plain` (10,000), its
 * escrow settled to the seller (payable gross 20,000, fee 1,000, net 19,000, pending) and both rewards granted.
 */
async function completedBuy() {
  const setup = await openBuy({ totalShares: 4, minShares: 2, maxPerPerson: 2 }, { totalPrice: 20_000 });
  const vip = await newResident(setup.region, 30_000);
  const plain = await newResident(setup.region, 30_000);
  const now = Date.now();
  await db()
    .insert(membershipStatus)
    .values({ userId: vip.id, tierLevel: 3, tierSince: now, recalcMonth: kstMonth(now), updatedAt: now });
  for (const p of [vip, plain])
    await p.api.groupBuys.join.mutate({ id: setup.gb.id, shares: 2, idempotencyKey: key() });
  await untilStatus(setup.gb.id, "FILLED");
  await untilSettled(setup.gb.id, "posted");
  await setup.seller.api.groupBuys.markOrdered.mutate({ id: setup.gb.id });
  await setup.seller.api.groupBuys.markReady.mutate({ id: setup.gb.id });
  for (const p of [vip, plain]) await p.api.groupBuys.confirmPickup.mutate({ id: setup.gb.id });
  await until("escrow settled to the seller", async () => (await gbRow(setup.gb.id))?.settledAt);
  const holds = await db().select().from(groupBuyHolds).where(eq(groupBuyHolds.groupBuyId, setup.gb.id)).all();
  const holdOf = (p: Person) => holds.find((h) => h.userId === p.id)!.holdId;
  await until("both rewards granted", async () => {
    const lots = await Promise.all(
      [vip, plain].map((p) =>
        db()
          .select()
          .from(rewardLots)
          .where(eq(rewardLots.purchaseId, holdOf(p)))
          .get(),
      ),
    );
    return lots.every(Boolean);
  });
  return { ...setup, vip, plain, holdOf };
}

const payableOf = (groupBuyId: string) =>
  db().select().from(sellerPayables).where(eq(sellerPayables.groupBuyId, groupBuyId)).get();

/** Every ledger row that mentions the buy (by reference), to show a replay adds none. */
const buyTransfers = (groupBuyId: string) =>
  db()
    .select()
    .from(ledgerTransfers)
    .where(eq(ledgerTransfers.reference, `groupbuy:${groupBuyId}`))
    .all();

const refund = (seller: Person, groupBuyId: string, buyerId: string, idempotencyKey = key()) =>
  seller.api.groupBuys.refundPurchase.mutate({ groupBuyId, buyerId, reason: "딸기가 상해 있었어요", idempotencyKey });

describe("groupBuys.refundPurchase (seller-funded refund after completion)", { timeout: 60_000 }, () => {
  afterEach(async () => {
    await sandboxGateway(env).resetSwitches();
  });

  it("refunds from the pending payable: buyer paid back, discount to Gonggu, fee share to the seller, reward clawed back; once", async () => {
    const { region, seller, gb, vip, plain } = await completedBuy();
    expect(await payableOf(gb.id)).toMatchObject({ gross: 20_000, fee: 1_000, net: 19_000, status: "pending" });
    const promotionBefore = await balance(platformAccount("promotion_expense", region).id);
    const vipBefore = await pointsOf(vip.id, region);
    const k = key();
    const first = await refund(seller, gb.id, vip.id, k);
    // fee share = fee(20,000) − fee(10,000) = 1,000 − 500; the seller gives up 10,000 − 500
    expect(first).toMatchObject({
      grossWon: 10_000,
      refundedWon: 9_700,
      discountWon: 300,
      feeReturnedWon: 500,
      sellerPaidWon: 9_500,
      source: "pending",
    });
    const rows = await buyTransfers(gb.id);
    // same key → same answer; another key for the same buyer → the same refund; nothing moves twice
    expect(await refund(seller, gb.id, vip.id, k)).toEqual(first);
    expect(await refund(seller, gb.id, vip.id)).toEqual(first);
    expect(await buyTransfers(gb.id)).toHaveLength(rows.length);
    expect(await payableOf(gb.id)).toMatchObject({ net: 9_500, refunded: 10_000, feeReturned: 500 });
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 0, pending: 0 });
    // the 9,700 paid comes back and the reward it earned (2 % of 9,700, not spent) goes back to Gonggu with the 300
    const vipAfter = await pointsOf(vip.id, region);
    const lot = await db().select().from(rewardLots).where(eq(rewardLots.userId, vip.id)).get();
    expect(lot?.amount).toBe(194);
    expect(await balance(platformAccount("promotion_expense", region).id)).toBe(promotionBefore + 300 + 194);
    expect(vipAfter.balance).toBe(vipBefore.balance + 9_700 - (lot?.amount ?? 0));
    expect(vipAfter.balance).toBe(30_000);
    expect((await memberRow(gb.id, vip.id))?.refundedAt).toBe(first.refundedAt);
    const mine = await vip.api.groupBuys.mine.query({});
    expect(mine.items.find((i) => i.id === gb.id)?.you.refundedAt).toBe(first.refundedAt);
    const told = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, vip.id), eq(notifications.kind, "groupbuy.purchase_refunded")))
      .all();
    expect(told).toHaveLength(1);
    expect(told[0].params).toMatchObject({ refundWon: 9_700, reason: "딸기가 상해 있었어요" });

    // the other buyer too: the fee shares add up to exactly the fee taken, the payable to zero
    // two refunds of the same buyer at once (a double tap in two tabs, other keys): one refund, the same answer
    const [second, again] = await Promise.all([refund(seller, gb.id, plain.id), refund(seller, gb.id, plain.id)]);
    expect(again).toEqual(second);
    expect(second).toMatchObject({ grossWon: 10_000, refundedWon: 10_000, feeReturnedWon: 500, sellerPaidWon: 9_500 });
    expect(await payableOf(gb.id)).toMatchObject({ net: 0, refunded: 20_000, feeReturned: 1_000 });
    expect(await pointsOf(plain.id, region)).toMatchObject({ balance: 30_000 });
    const feeRows = (await buyTransfers(gb.id)).filter(
      (t) => t.kind === "platform_fee" || t.kind === "platform_fee_refund",
    );
    expect(feeRows.reduce((s, t) => s + (t.kind === "platform_fee" ? t.amount : -t.amount), 0)).toBe(0);
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 0, pending: 0 });
    await invariants(region);
  });

  it("a payout claiming the payable mid-refund wins: the refund takes from the balance or is refused, never paid out twice", async () => {
    const { region, seller, gb, vip } = await completedBuy();
    await registerAccount(seller);
    await releaseDuePayables(env, Date.now() + PAYABLE_HOLD_MS + 60_000);
    expect(await payableOf(gb.id)).toMatchObject({ net: 19_000, status: "available" });
    const clearing = await balance(platformAccount("pg_clearing", region).id);
    // The payout batch runs between the refund's reads and its batch (the guarded insert of the refund row), and the
    // bank transfer is still IN_PROGRESS: the payout claimed the payable but the ledger has not moved yet, so only the
    // refund's guard on the payable row stands between it and refunding money that payout is paying.
    await sandboxGateway(env).setSwitches({ mode: "slow", delayMs: 300 });
    const hook = beforeStatement(/insert into "purchase_refunds"/i, gb.id, () => payoutRun());
    let error: unknown;
    try {
      await refund(seller, gb.id, vip.id);
    } catch (e) {
      error = e;
    } finally {
      hook.restore();
    }
    // it re-read: the payable is claimed, and the seller has no other available balance → refused with the shortfall
    expect(error).toMatchObject({
      data: { code: "PRECONDITION_FAILED", details: { reason: "seller_balance_short", shortfall: 9_500 } },
    });
    expect(await payableOf(gb.id)).toMatchObject({ net: 19_000, status: "available", refunded: 0 });
    await payoutRun(); // the bank transfer completed: paid once, in full, nothing held for an operator
    await sandboxGateway(env).resetSwitches();
    const [payout] = (await seller.api.seller.payouts.query({})).payouts;
    expect(payout).toMatchObject({ status: "paid", amount: 19_000, failureReason: null });
    expect(await payableOf(gb.id)).toMatchObject({ net: 19_000, status: "paid", refunded: 0 });
    expect(await balance(platformAccount("pg_clearing", region).id)).toBe(clearing + 19_000);
    expect(await balance(sellerPayableAvailableAccount(seller.id, region).id)).toBe(0);
    expect(await db().select().from(purchaseRefunds).where(eq(purchaseRefunds.groupBuyId, gb.id)).all()).toEqual([]);
    expect((await memberRow(gb.id, vip.id))?.refundedAt).toBeNull();
    await invariants(region);

    // A second completed buy of the same seller becomes available: the refund now comes out of that balance, and
    // the next payout pays only what is left of it.
    const next = await completedBuyOf(seller, region, 20_000);
    const clearing2 = await balance(platformAccount("pg_clearing", region).id); // its buyers' charges came in
    await releaseDuePayables(env, Date.now() + PAYABLE_HOLD_MS + 60_000);
    const done = await refund(seller, gb.id, vip.id);
    expect(done).toMatchObject({ source: "balance", sellerPaidWon: 9_500, refundedWon: 9_700 });
    expect(await payableOf(next)).toMatchObject({ net: 19_000 - 9_500, deducted: 9_500, status: "available" });
    expect(await balance(sellerPayableAvailableAccount(seller.id, region).id)).toBe(9_500);
    await payoutRun();
    expect(await payableOf(next)).toMatchObject({ status: "paid" });
    expect(await balance(platformAccount("pg_clearing", region).id)).toBe(clearing2 + 9_500);
    expect(await balance(sellerPayableAvailableAccount(seller.id, region).id)).toBe(0);
    await invariants(region);
  });

  it("a refund before the payout run: the payout pays only what is left", async () => {
    const { region, seller, gb, plain } = await completedBuy();
    await registerAccount(seller);
    await releaseDuePayables(env, Date.now() + PAYABLE_HOLD_MS + 60_000);
    const clearing = await balance(platformAccount("pg_clearing", region).id);
    expect(await refund(seller, gb.id, plain.id)).toMatchObject({ source: "available", sellerPaidWon: 9_500 });
    await payoutRun();
    expect(await payableOf(gb.id)).toMatchObject({ net: 9_500, status: "paid" });
    expect(await balance(platformAccount("pg_clearing", region).id)).toBe(clearing + 9_500);
    await invariants(region);
  });

  it("refuses what it may not do, writing nothing", async () => {
    const { region, seller, gb, vip } = await completedBuy();
    const before = await buyTransfers(gb.id);
    const codeOf = async (p: Promise<unknown>) => {
      try {
        await p;
        return "OK";
      } catch (e) {
        return (e as { data: { code: string } }).data;
      }
    };
    // a buyer of the buy is not its seller
    expect(await codeOf(refund(vip, gb.id, vip.id))).toMatchObject({ code: "FORBIDDEN" });
    // not a buyer of this buy
    expect(await codeOf(refund(seller, gb.id, seller.id))).toMatchObject({ code: "NOT_FOUND" });
    // past the window
    await db()
      .update(groupBuys)
      .set({ completedAt: Date.now() - REFUND_WINDOW_MS - 60_000 })
      .where(eq(groupBuys.id, gb.id));
    expect(await codeOf(refund(seller, gb.id, vip.id))).toMatchObject({
      code: "PRECONDITION_FAILED",
      details: { reason: "refund_window_closed" },
    });
    expect(await buyTransfers(gb.id)).toEqual(before);
    expect(await db().select().from(purchaseRefunds).where(like(purchaseRefunds.groupBuyId, gb.id)).all()).toEqual([]);
    await invariants(region);
  });
});
