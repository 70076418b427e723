import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { membershipStatus, rewardLots } from "../../worker/db/schema";
import { kstMonth } from "../../worker/membership/calendar";
import { PLUS } from "../../worker/membership/config";
import { subscribePlus } from "../../worker/membership/plus";
import { platformAccount, sellerPayablePendingAccount } from "../../worker/wallet/accounts";
import { getAccounts } from "../../worker/wallet/ledger";
import {
  buyInput,
  db,
  escrowOf,
  gbRow,
  invariants,
  key,
  newProduct,
  newRegion,
  newResident,
  newSeller,
  openBuy,
  pointsOf,
  until,
  untilSettled,
  untilStatus,
} from "./groupbuy-helpers";
import { errorOf } from "./helpers";
import { checkLedgerAfterEachTest } from "./ledger-invariants";

// Issue 5: the ledger invariants hold after every test (each book the test wrote to).
checkLedgerAfterEachTest();

async function balance(id: string) {
  const [row] = await getAccounts(db(), [id]);
  return row ? row.creditsPosted - row.debitsPosted : 0;
}

async function setTier(userId: string, level: number) {
  const now = Date.now();
  await db()
    .insert(membershipStatus)
    .values({ userId, tierLevel: level, tierSince: now, recalcMonth: kstMonth(now), updatedAt: now });
}

/** 4 shares at 5,000 won: a VIP (3 % off) and a sprout each take 2. */
async function filledWithVip() {
  const setup = await openBuy({ totalShares: 4, minShares: 2, maxPerPerson: 2 }, { totalPrice: 20_000 });
  const vip = await newResident(setup.region, 30_000);
  const sprout = await newResident(setup.region, 30_000);
  await setTier(vip.id, 3);
  const joined = await vip.api.groupBuys.join.mutate({ id: setup.gb.id, shares: 2, idempotencyKey: key() });
  await sprout.api.groupBuys.join.mutate({ id: setup.gb.id, shares: 2, idempotencyKey: key() });
  await untilStatus(setup.gb.id, "FILLED");
  await untilSettled(setup.gb.id, "posted");
  return { ...setup, vip, sprout, joined };
}

describe("membership in group buys", { timeout: 60_000 }, () => {
  it("a VIP holds 3 % less; the platform tops escrow up so the seller is paid the full price; rewards follow", async () => {
    const { region, gb, seller, vip, sprout, joined } = await filledWithVip();
    // the receipt: full price, discount, what was held
    expect(joined).toMatchObject({ amount: 10_000, discount: 300, paid: 9_700 });
    expect(await pointsOf(vip.id, region)).toEqual({ balance: 20_300, held: 0, available: 20_300 });
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 20_000, pending: 0 });
    expect(await balance(platformAccount("promotion_expense", region).id)).toBe(-300);

    await seller.api.groupBuys.markOrdered.mutate({ id: gb.id });
    await seller.api.groupBuys.markReady.mutate({ id: gb.id });
    await vip.api.groupBuys.confirmPickup.mutate({ id: gb.id });
    await sprout.api.groupBuys.confirmPickup.mutate({ id: gb.id });
    await until("escrow settled to the seller", async () => (await gbRow(gb.id))?.settledAt);
    expect(await balance(sellerPayablePendingAccount(seller.id, region).id)).toBe(19_000); // 20,000 − 5 % fee

    // completion: VIP earns 2 % of the 9,700 paid, the sprout 0.5 % of 10,000
    const lots = async (userId: string) => db().select().from(rewardLots).where(eq(rewardLots.userId, userId)).all();
    await until(
      "rewards credited",
      async () => (await lots(vip.id)).length === 1 && (await lots(sprout.id)).length === 1,
    );
    expect((await lots(vip.id))[0]).toMatchObject({ amount: 194, groupBuyId: gb.id });
    expect((await lots(sprout.id))[0]).toMatchObject({ amount: 50 });
    expect(await pointsOf(vip.id, region)).toMatchObject({ balance: 20_300 + 194 });
    const summary = await sprout.api.membership.get.query();
    expect(summary.spend.counted).toBe(10_000);
    expect(summary.rewards.lots).toEqual([expect.objectContaining({ earned: 50, remaining: 50 })]);
    await invariants(region);
  });

  it("cancelling after posting refunds what the buyer paid and gives the discount back to the platform", async () => {
    const { region, gb, seller, vip } = await filledWithVip();
    await seller.api.groupBuys.cancel.mutate({ id: gb.id, reason: "산지 사정으로 출고 불가" });
    await untilSettled(gb.id, "refunded");
    expect(await pointsOf(vip.id, region)).toEqual({ balance: 30_000, held: 0, available: 30_000 });
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 0, pending: 0 });
    expect(await balance(platformAccount("promotion_expense", region).id)).toBe(0);
    await invariants(region);
  });

  it("Plus early access: the first hour is for Plus members when the seller chose it", async () => {
    const { region, gb } = await openBuy({ plusEarlyAccess: true });
    const regular = await newResident(region, 50_000);
    const shown = await regular.api.groupBuys.get.query({ id: gb.id });
    expect(shown).toMatchObject({ plusEarlyAccess: true, openToAllAt: gb.createdAt + PLUS.earlyAccessMs });
    const refused = await errorOf(regular.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() }));
    expect(refused).toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringContaining("Plus") });

    const member = await newResident(region, 50_000);
    await subscribePlus(db(), { id: member.id, homeRegionId: region }, Date.now());
    const joined = await member.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    expect(joined).toMatchObject({ shares: 1, discount: 0 });

    // a buy without early access is open to everyone at once
    const open = await openBuy();
    const neighbour = await newResident(open.region, 50_000);
    const view = await neighbour.api.groupBuys.get.query({ id: open.gb.id });
    expect(view).toMatchObject({ plusEarlyAccess: false, openToAllAt: open.gb.createdAt });
    await expect(
      neighbour.api.groupBuys.join.mutate({ id: open.gb.id, shares: 1, idempotencyKey: key() }),
    ).resolves.toMatchObject({ shares: 1 });
  });

  it("only the seller may choose early access (a host cannot)", async () => {
    const region = await newRegion();
    const seller = await newSeller();
    const product = await newProduct(seller);
    const host = await newResident(region, 50_000);
    const err = await errorOf(
      host.api.groupBuys.create.mutate(
        buyInput(product.id, region, { hostShares: 1, plusEarlyAccess: true, idempotencyKey: key() }),
      ),
    );
    expect(err.code).toBe("BAD_REQUEST");
  });
});
