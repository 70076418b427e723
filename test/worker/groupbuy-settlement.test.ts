import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { groupBuys, ledgerTransfers, membershipStatus } from "../../worker/db/schema";
import { AUTO_CONFIRM_MS, PAYABLE_HOLD_MS } from "../../worker/groupbuy/config";
import worker from "../../worker/index";
import { newId } from "../../worker/lib/ids";
import { kstMonth } from "../../worker/membership/calendar";
import { fundJoinDiscount } from "../../worker/membership/discount";
import {
  platformAccount,
  sellerPayableAvailableAccount,
  sellerPayablePendingAccount,
} from "../../worker/wallet/accounts";
import { getHold, postHold } from "../../worker/wallet/holds";
import { getAccounts } from "../../worker/wallet/ledger";
import { captureLogs } from "./card-scan";
import {
  db,
  escrowOf,
  filledBuy,
  gbRow,
  holdRows,
  invariants,
  key,
  memberRow,
  newResident,
  newResidents,
  openBuy,
  type Person,
  pointsOf,
  until,
  untilSettled,
  untilStatus,
} from "./groupbuy-helpers";
import { errorOf } from "./helpers";
import { registerAccount } from "./payout-helpers";

async function deliver(bodies: unknown[]) {
  const batch = createMessageBatch(
    "gonggu-jobs",
    // the id is logged with a retry: no long digit runs (a random float's digits can pass the card sweep's Luhn check)
    bodies.map((body, i) => ({ id: `m${i}-${crypto.randomUUID()}`, timestamp: Date.now(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

async function cron(cronExpr: string, at: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: cronExpr }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function balance(id: string) {
  const [row] = await getAccounts(db(), [id]);
  return row ? row.creditsPosted - row.debitsPosted : 0;
}

async function transfersOf(groupBuyId: string) {
  return db()
    .select()
    .from(ledgerTransfers)
    .where(like(ledgerTransfers.reference, `groupbuy:${groupBuyId}`))
    .all();
}

async function pickUp(people: Person[], id: string) {
  for (const p of people) await p.api.groupBuys.confirmPickup.mutate({ id });
}

describe("settlement", { timeout: 30_000 }, () => {
  it("FILLED posts every hold into escrow; duplicate deliveries change nothing", async () => {
    const { region, gb, a, b } = await filledBuy();
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 20_000, pending: 0 });
    expect(await pointsOf(a.id, region)).toEqual({ balance: 20_000, held: 0, available: 20_000 });
    const before = await transfersOf(gb.id);
    const jobs = (await holdRows(gb.id)).map((h) => ({
      type: "groupbuy.settleHold",
      groupBuyId: gb.id,
      holdId: h.holdId,
    }));
    const result = await deliver([...jobs, ...jobs, ...jobs]);
    expect(result.explicitAcks).toHaveLength(jobs.length * 3);
    expect(result.retryMessages).toEqual([]);
    expect(await transfersOf(gb.id)).toHaveLength(before.length);
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 20_000, pending: 0 });
    expect(await pointsOf(b.id, region)).toEqual({ balance: 20_000, held: 0, available: 20_000 });
    await invariants(region);
  });

  it("the full lifecycle pays the seller gross − fee after the window, then a payout batch pays out", async () => {
    const { region, gb, seller, a, b } = await filledBuy();
    await registerAccount(seller); // the payout batch pays only sellers with a payout account
    expect(await seller.api.groupBuys.markOrdered.mutate({ id: gb.id })).toEqual({ status: "ORDERED" });
    expect(await seller.api.groupBuys.markReady.mutate({ id: gb.id })).toEqual({ status: "READY" });
    const kinds = (await a.api.notifications.list.query({ limit: 10 })).items.map((n) => n.kind);
    expect(kinds.sort()).toEqual(["groupbuy.filled", "groupbuy.ready"]);
    expect(await a.api.groupBuys.confirmPickup.mutate({ id: gb.id })).toMatchObject({ completed: false });
    // confirming twice is harmless
    expect(await a.api.groupBuys.confirmPickup.mutate({ id: gb.id })).toMatchObject({ completed: false });
    expect(await b.api.groupBuys.confirmPickup.mutate({ id: gb.id })).toMatchObject({ completed: true });
    await until("escrow settled to the seller", async () => (await gbRow(gb.id))?.settledAt);
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 0, pending: 0 });
    expect(await balance(sellerPayablePendingAccount(seller.id, region).id)).toBe(19_000);
    expect(await balance(platformAccount("platform_fee_revenue", region).id)).toBe(1_000);
    const listed = await seller.api.seller.payouts.query({});
    expect(listed.items[0]).toMatchObject({
      groupBuyId: gb.id,
      gross: 20_000,
      fee: 1_000,
      net: 19_000,
      status: "pending",
    });
    await until("a completed buy on the trust record", async () => {
      const trust = await a.api.trust.get.query({ userId: a.id });
      return trust.completedBuys === 1 && trust.noShows === 0;
    });
    // duplicate completion jobs change nothing
    await deliver([
      { type: "groupbuy.complete", groupBuyId: gb.id },
      { type: "groupbuy.complete", groupBuyId: gb.id },
    ]);
    expect(await balance(sellerPayablePendingAccount(seller.id, region).id)).toBe(19_000);

    await cron("*/5 * * * *", Date.now() + PAYABLE_HOLD_MS + 60_000);
    expect(await balance(sellerPayableAvailableAccount(seller.id, region).id)).toBe(19_000);
    expect((await seller.api.seller.payouts.query({})).totals).toEqual({ pending: 0, available: 19_000, paid: 0 });
    await cron("0 18 * * *", Date.now() + PAYABLE_HOLD_MS + 120_000);
    await cron("0 18 * * *", Date.now() + PAYABLE_HOLD_MS + 180_000); // a second run pays nothing twice
    const paid = await seller.api.seller.payouts.query({});
    expect(paid.totals).toEqual({ pending: 0, available: 0, paid: 19_000 });
    expect(paid.payouts).toHaveLength(1);
    expect(paid.payouts[0]).toMatchObject({
      amount: 19_000,
      status: "paid",
      gatewayRef: expect.stringMatching(/^po_/),
    });
    expect(await balance(sellerPayableAvailableAccount(seller.id, region).id)).toBe(0);
    await invariants(region);
  });

  it("cancelling after posting refunds every buyer in full and shows the reason", async () => {
    const { region, gb, seller, a, b } = await filledBuy();
    await seller.api.groupBuys.cancel.mutate({ id: gb.id, reason: "산지 태풍 피해로 출고 불가" });
    await untilSettled(gb.id, "refunded");
    expect(await pointsOf(a.id, region)).toEqual({ balance: 30_000, held: 0, available: 30_000 });
    expect(await pointsOf(b.id, region)).toEqual({ balance: 30_000, held: 0, available: 30_000 });
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 0, pending: 0 });
    const view = await a.api.groupBuys.get.query({ id: gb.id });
    expect(view).toMatchObject({ status: "CANCELLED", statusReason: "산지 태풍 피해로 출고 불가" });
    // duplicate refund deliveries refund nothing twice
    await deliver(
      (await holdRows(gb.id)).map((h) => ({ type: "groupbuy.settleHold", groupBuyId: gb.id, holdId: h.holdId })),
    );
    expect(await pointsOf(a.id, region)).toMatchObject({ balance: 30_000 });
    await invariants(region);
  });

  it("a no-show is paid to the seller like any share and goes on the buyer's trust record", async () => {
    const { region, gb, seller, a, b } = await filledBuy();
    await seller.api.groupBuys.markOrdered.mutate({ id: gb.id });
    await seller.api.groupBuys.markReady.mutate({ id: gb.id });
    expect(await seller.api.groupBuys.markNoShow.mutate({ id: gb.id, userId: b.id })).toMatchObject({
      completed: false,
    });
    const err = await errorOf(b.api.groupBuys.confirmPickup.mutate({ id: gb.id }));
    expect(err).toMatchObject({ code: "PRECONDITION_FAILED", details: { reason: "marked_no_show" } });
    await pickUp([a], gb.id);
    await until("settled", async () => (await gbRow(gb.id))?.settledAt);
    expect(await balance(sellerPayablePendingAccount(seller.id, region).id)).toBe(19_000);
    expect(await pointsOf(b.id, region)).toMatchObject({ balance: 20_000 });
    // once the picked-up buyer's purchase has counted, the no-show's never does
    await until(
      "a's purchase counted",
      async () => (await a.api.trust.get.query({ userId: a.id })).completedBuys === 1,
    );
    expect(await a.api.trust.get.query({ userId: b.id })).toMatchObject({ noShows: 1, completedBuys: 0 });
    const parts = await seller.api.groupBuys.participants.query({ id: gb.id });
    expect(parts.find((p) => p.userId === b.id)?.noShowAt).toBeTypeOf("number");
    await invariants(region);
  });

  it("refusals a buyer or seller can meet on a stale screen carry a reason the app words", async () => {
    const { region, gb, seller, a } = await filledBuy();
    // FILLED: leaving is over (the page still showed "참여 취소")
    const leave = await errorOf(a.api.groupBuys.leave.mutate({ id: gb.id, idempotencyKey: `leave-${gb.id}` }));
    expect(leave).toMatchObject({ code: "PRECONDITION_FAILED", details: { reason: "leave_closed" } });
    await seller.api.groupBuys.markOrdered.mutate({ id: gb.id });
    await seller.api.groupBuys.markReady.mutate({ id: gb.id });
    await pickUp([a], gb.id);
    // the seller's list still offered "노쇼 처리" for a buyer who has just picked up
    const noShow = await errorOf(seller.api.groupBuys.markNoShow.mutate({ id: gb.id, userId: a.id }));
    expect(noShow).toMatchObject({ code: "PRECONDITION_FAILED", details: { reason: "already_picked_up" } });
    await invariants(region);
  });

  it("buyers who never confirm are confirmed automatically after the window (cron)", async () => {
    const { region, gb, seller, a } = await filledBuy();
    await seller.api.groupBuys.markOrdered.mutate({ id: gb.id });
    await seller.api.groupBuys.markReady.mutate({ id: gb.id });
    await cron("*/5 * * * *", Date.now());
    expect((await gbRow(gb.id))?.status).toBe("READY");
    await db()
      .update(groupBuys)
      .set({ readyAt: Date.now() - AUTO_CONFIRM_MS - 1 })
      .where(eq(groupBuys.id, gb.id));
    await cron("*/5 * * * *", Date.now());
    await untilStatus(gb.id, "COMPLETED");
    expect(await memberRow(gb.id, a.id)).toMatchObject({ pickupBy: "auto" });
    await until("settled", async () => (await gbRow(gb.id))?.settledAt);
    expect(await balance(sellerPayablePendingAccount(seller.id, region).id)).toBe(19_000);
    await invariants(region);
  });
});

/**
 * A buy whose holds are placed and mirrored but not settled: two buyers (one VIP, so a discount is funded at capture)
 * join a 4-share buy with 2 + 1 shares, so it stays OPEN in its room and the room sends no settlement job; the test
 * then marks the D1 row FILLED (what a settlement job reads) and delivers the jobs itself.
 */
async function unsettledBuy() {
  const setup = await openBuy({ totalShares: 4, minShares: 2, maxPerPerson: 2 }, { totalPrice: 20_000 });
  const vip = await newResident(setup.region, 30_000);
  await makeVip(vip.id);
  const plain = await newResident(setup.region, 30_000);
  await vip.api.groupBuys.join.mutate({ id: setup.gb.id, shares: 2, idempotencyKey: key() });
  await plain.api.groupBuys.join.mutate({ id: setup.gb.id, shares: 1, idempotencyKey: key() });
  await until("both holds mirrored", async () => (await holdRows(setup.gb.id)).length === 2);
  await db().update(groupBuys).set({ status: "FILLED" }).where(eq(groupBuys.id, setup.gb.id));
  const holdIds = (await holdRows(setup.gb.id)).map((h) => h.holdId);
  return { ...setup, vip, plain, holdIds };
}

async function makeVip(userId: string) {
  const now = Date.now();
  await db()
    .insert(membershipStatus)
    .values({ userId, tierLevel: 3, tierSince: now, recalcMonth: kstMonth(now), updatedAt: now });
}

const settleHolds = (groupBuyId: string, holdIds: string[]) => ({ type: "groupbuy.settleHolds", groupBuyId, holdIds });

describe("settlement jobs of many holds (groupbuy.settleHolds)", { timeout: 30_000 }, () => {
  it("captures a chunk in one go; three deliveries at once capture and fund every discount exactly once", async () => {
    const { region, gb, vip, plain, holdIds } = await unsettledBuy();
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 0, pending: 14_700 }); // 9,700 (VIP: 3 % off) + 5,000
    const job = settleHolds(gb.id, holdIds);
    // three invocations side by side (one batch runs jobs of the same holds one after another)
    const logs = captureLogs();
    let results: Awaited<ReturnType<typeof deliver>>[];
    try {
      results = await Promise.all([deliver([job]), deliver([job]), deliver([job])]);
    } finally {
      logs.restore();
    }
    expect(results.flatMap((r) => r.explicitAcks)).toHaveLength(3);
    expect(results.flatMap((r) => r.retryMessages)).toEqual([]);
    // a delivery whose batch lost to another's (the holds settled under it) says so at info level, nothing louder
    const lines = logs.lines.map((l) => JSON.parse(l) as { level: string; where?: string; failure?: string });
    expect(lines.filter((l) => l.level !== "info")).toEqual([]);
    for (const line of lines.filter((l) => l.where === "settleHolds")) {
      expect(line).toMatchObject({
        groupBuyId: gb.id,
        failure: expect.stringMatching(/^(already_settled|duplicate_id)$/),
      });
    }
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 15_000, pending: 0 });
    expect(await balance(platformAccount("promotion_expense", region).id)).toBe(-300);
    expect(await pointsOf(vip.id, region)).toEqual({ balance: 20_300, held: 0, available: 20_300 });
    expect(await pointsOf(plain.id, region)).toEqual({ balance: 25_000, held: 0, available: 25_000 });
    expect((await holdRows(gb.id)).map((h) => h.settlement)).toEqual(["posted", "posted"]);
    const transfers = await transfersOf(gb.id);
    const ids = transfers.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id.endsWith(":discount"))).toHaveLength(1);
    expect(transfers.filter((t) => t.phase === "post")).toHaveLength(
      transfers.filter((t) => t.phase === "pending").length,
    );
    // later duplicates, and the old one-hold job for the same holds, add nothing
    await deliver([job, ...holdIds.map((holdId) => ({ type: "groupbuy.settleHold", groupBuyId: gb.id, holdId }))]);
    expect(await transfersOf(gb.id)).toHaveLength(transfers.length);
    await invariants(region);
  });

  it("a hold that cannot settle yet retries the job; the retry posts nothing twice", async () => {
    const { region, gb, holdIds } = await unsettledBuy();
    const notMirrored = newId(Date.now());
    const job = settleHolds(gb.id, [holdIds[0], notMirrored, holdIds[1]]);
    const first = await deliver([job]);
    expect(first.explicitAcks).toEqual([]);
    expect(first.retryMessages).toHaveLength(1);
    // the holds that could settle did
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 15_000, pending: 0 });
    expect((await holdRows(gb.id)).map((h) => h.settlement)).toEqual(["posted", "posted"]);
    const transfers = await transfersOf(gb.id);
    const again = await deliver([job]);
    expect(again.retryMessages).toHaveLength(1);
    expect(await transfersOf(gb.id)).toHaveLength(transfers.length);
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 15_000, pending: 0 });
    await invariants(region);
  });

  it("a chunk larger than one ledger batch, one hold already captured by the old one-hold job, settles exactly", async () => {
    const setup = await openBuy({ totalShares: 20, minShares: 2, maxPerPerson: 1 }, { totalPrice: 100_000 });
    const buyers = await newResidents(setup.region, 13, 10_000);
    await makeVip(buyers[0].id);
    for (const b of buyers) await b.api.groupBuys.join.mutate({ id: setup.gb.id, shares: 1, idempotencyKey: key() });
    await until("13 holds mirrored", async () => (await holdRows(setup.gb.id)).length === 13);
    await db().update(groupBuys).set({ status: "FILLED" }).where(eq(groupBuys.id, setup.gb.id));
    const holdIds = (await holdRows(setup.gb.id)).map((h) => h.holdId);
    await deliver([{ type: "groupbuy.settleHold", groupBuyId: setup.gb.id, holdId: holdIds[6] }]);
    const result = await deliver([settleHolds(setup.gb.id, holdIds)]);
    expect(result.retryMessages).toEqual([]);
    expect(await escrowOf(setup.gb.id, setup.region)).toEqual({ posted: 65_000, pending: 0 });
    expect(await balance(platformAccount("promotion_expense", setup.region).id)).toBe(-150); // VIP: 3 % of 5,000
    expect((await holdRows(setup.gb.id)).every((h) => h.settlement === "posted")).toBe(true);
    for (const b of buyers.slice(1)) {
      expect(await pointsOf(b.id, setup.region)).toEqual({ balance: 5_000, held: 0, available: 5_000 });
    }
    const transfers = await transfersOf(setup.gb.id);
    expect(transfers.filter((t) => t.phase === "post")).toHaveLength(13);
    expect((await deliver([settleHolds(setup.gb.id, holdIds)])).retryMessages).toEqual([]);
    expect(await transfersOf(setup.gb.id)).toHaveLength(transfers.length);
    await invariants(setup.region);
  });

  it("a buy cancelled right after it filled: its two jobs for the same holds in one batch run one after another, with no failed ledger batch", async () => {
    const { region, gb, vip, plain, holdIds } = await unsettledBuy();
    await db().update(groupBuys).set({ status: "CANCELLED" }).where(eq(groupBuys.id, gb.id));
    const other = await unsettledBuy(); // a job of other holds in the same batch still runs beside them
    const logs = captureLogs();
    let result: Awaited<ReturnType<typeof deliver>>;
    try {
      // what the room sends at FILLED, then at CANCELLED: the same holds
      result = await deliver([
        settleHolds(gb.id, holdIds),
        settleHolds(other.gb.id, other.holdIds),
        settleHolds(gb.id, holdIds),
      ]);
    } finally {
      logs.restore();
    }
    expect(result.explicitAcks).toHaveLength(3);
    expect(logs.lines.filter((l) => l.includes("already settled") || l.includes('"where":"settleHolds"'))).toEqual([]);
    expect((await holdRows(gb.id)).map((h) => h.settlement)).toEqual(["voided", "voided"]);
    expect(await pointsOf(vip.id, region)).toEqual({ balance: 30_000, held: 0, available: 30_000 });
    expect(await pointsOf(plain.id, region)).toEqual({ balance: 30_000, held: 0, available: 30_000 });
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 0, pending: 0 });
    expect((await holdRows(other.gb.id)).map((h) => h.settlement)).toEqual(["posted", "posted"]);
    await invariants(region, other.region);
  });

  it("a FAILED buy's chunk releases every hold at once; a cancellation after capture refunds every hold in full", async () => {
    const failed = await unsettledBuy();
    await db().update(groupBuys).set({ status: "FAILED" }).where(eq(groupBuys.id, failed.gb.id));
    const release = settleHolds(failed.gb.id, failed.holdIds);
    expect((await deliver([release, release])).retryMessages).toEqual([]);
    expect(await pointsOf(failed.vip.id, failed.region)).toEqual({ balance: 30_000, held: 0, available: 30_000 });
    expect(await pointsOf(failed.plain.id, failed.region)).toEqual({ balance: 30_000, held: 0, available: 30_000 });
    expect(await escrowOf(failed.gb.id, failed.region)).toEqual({ posted: 0, pending: 0 });
    expect((await holdRows(failed.gb.id)).map((h) => h.settlement)).toEqual(["voided", "voided"]);

    const { region, gb, vip, plain, holdIds } = await unsettledBuy();
    const job = settleHolds(gb.id, holdIds);
    expect((await deliver([job])).retryMessages).toEqual([]);
    await db().update(groupBuys).set({ status: "CANCELLED" }).where(eq(groupBuys.id, gb.id));
    expect((await deliver([job, job])).retryMessages).toEqual([]);
    expect(await pointsOf(vip.id, region)).toEqual({ balance: 30_000, held: 0, available: 30_000 });
    expect(await pointsOf(plain.id, region)).toEqual({ balance: 30_000, held: 0, available: 30_000 });
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 0, pending: 0 });
    expect(await balance(platformAccount("promotion_expense", region).id)).toBe(0);
    expect((await holdRows(gb.id)).map((h) => h.settlement)).toEqual(["refunded", "refunded"]);
    const transfers = await transfersOf(gb.id);
    expect((await deliver([job])).retryMessages).toEqual([]);
    expect(await transfersOf(gb.id)).toHaveLength(transfers.length);
    await invariants(region, failed.region);
  });
});

describe("a refund job delivered again (groupbuy.settleHolds)", { timeout: 30_000 }, () => {
  it("returns a discount funded after its refund (a capture that raced the cancellation): it reads the ledger, not the column", async () => {
    const { region, gb, vip, plain, holdIds } = await unsettledBuy();
    // captured, the discount not funded yet: a one-hold capture stopped between postHold and onJoinCaptured
    const now = Date.now();
    for (const holdId of holdIds) await postHold(db(), { holdId, now, description: "captured" });
    await db().update(groupBuys).set({ status: "CANCELLED" }).where(eq(groupBuys.id, gb.id));
    const job = settleHolds(gb.id, holdIds);
    expect((await deliver([job])).retryMessages).toEqual([]);
    expect((await holdRows(gb.id)).map((h) => h.settlement)).toEqual(["refunded", "refunded"]);
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 0, pending: 0 });
    // the stopped capture goes on: Gonggu pays the VIP's discount into the escrow the refund emptied
    const vipHold = (await holdRows(gb.id)).find((h) => h.userId === vip.id)!.holdId;
    await fundJoinDiscount(db(), (await getHold(db(), vipHold))!, gb.id, now);
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 300, pending: 0 });
    const transfers = await transfersOf(gb.id);
    // the job again: the plain hold is done (nothing moves), the VIP's discount goes back to Gonggu, once
    expect((await deliver([job, job])).retryMessages).toEqual([]);
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 0, pending: 0 });
    expect(await balance(platformAccount("promotion_expense", region).id)).toBe(0);
    expect((await transfersOf(gb.id)).map((t) => t.id).sort()).toEqual(
      [...transfers.map((t) => t.id), `${vipHold}:discount:back`].sort(),
    );
    expect(await pointsOf(vip.id, region)).toEqual({ balance: 30_000, held: 0, available: 30_000 });
    expect(await pointsOf(plain.id, region)).toEqual({ balance: 30_000, held: 0, available: 30_000 });
    await invariants(region);
  });
});

describe("membership discounts", { timeout: 30_000 }, () => {
  it("the buyer holds the net price, Gonggu pays the discount into escrow, the seller is paid the full price", async () => {
    const setup = await openBuy({ totalShares: 4, minShares: 2, maxPerPerson: 2 }, { totalPrice: 20_000 });
    const vip = await newResident(setup.region, 30_000);
    await makeVip(vip.id);
    const plain = await newResident(setup.region, 30_000);
    const joined = await vip.api.groupBuys.join.mutate({ id: setup.gb.id, shares: 2, idempotencyKey: key() });
    expect(joined).toMatchObject({ amount: 10_000, paid: 9_700, discount: 300 }); // VIP: 3 %
    expect(await pointsOf(vip.id, setup.region)).toMatchObject({ held: 9_700 });
    await plain.api.groupBuys.join.mutate({ id: setup.gb.id, shares: 2, idempotencyKey: key() });
    await untilSettled(setup.gb.id, "posted");
    expect(await escrowOf(setup.gb.id, setup.region)).toEqual({ posted: 20_000, pending: 0 });
    expect(await balance(platformAccount("promotion_expense", setup.region).id)).toBe(-300);
    await setup.seller.api.groupBuys.markOrdered.mutate({ id: setup.gb.id });
    await setup.seller.api.groupBuys.markReady.mutate({ id: setup.gb.id });
    await pickUp([vip, plain], setup.gb.id);
    await until("settled", async () => (await gbRow(setup.gb.id))?.settledAt);
    expect(await balance(sellerPayablePendingAccount(setup.seller.id, setup.region).id)).toBe(19_000);
    await until(
      "the VIP's purchase counted",
      async () => (await vip.api.trust.get.query({ userId: vip.id })).completedBuys === 1,
    );
    await invariants(setup.region);
  });

  it("a cancellation gives the buyer what they paid and Gonggu its discount back", async () => {
    const setup = await openBuy({ totalShares: 2, minShares: 2, maxPerPerson: 2 }, { totalPrice: 10_000 });
    const vip = await newResident(setup.region, 30_000);
    await makeVip(vip.id);
    await vip.api.groupBuys.join.mutate({ id: setup.gb.id, shares: 2, idempotencyKey: key() });
    await untilSettled(setup.gb.id, "posted");
    expect(await pointsOf(vip.id, setup.region)).toEqual({ balance: 20_300, held: 0, available: 20_300 });
    await setup.seller.api.groupBuys.cancel.mutate({ id: setup.gb.id, reason: "출고 지연으로 취소" });
    await untilSettled(setup.gb.id, "refunded");
    expect(await pointsOf(vip.id, setup.region)).toEqual({ balance: 30_000, held: 0, available: 30_000 });
    expect(await escrowOf(setup.gb.id, setup.region)).toEqual({ posted: 0, pending: 0 });
    expect(await balance(platformAccount("promotion_expense", setup.region).id)).toBe(0);
    await invariants(setup.region);
  });
});

describe("transitions through the API", { timeout: 30_000 }, () => {
  it("refuses illegal moves with PRECONDITION_FAILED and other people's moves with FORBIDDEN", async () => {
    const { region, gb, seller } = await openBuy();
    const buyer = await newResident(region);
    await buyer.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    const cases: [() => Promise<unknown>, string][] = [
      [() => seller.api.groupBuys.markOrdered.mutate({ id: gb.id }), "PRECONDITION_FAILED"], // OPEN → ORDERED
      [() => seller.api.groupBuys.markReady.mutate({ id: gb.id }), "PRECONDITION_FAILED"], // OPEN → READY
      [() => buyer.api.groupBuys.confirmPickup.mutate({ id: gb.id }), "PRECONDITION_FAILED"],
      [() => buyer.api.groupBuys.cancel.mutate({ id: gb.id, reason: "그냥요" }), "FORBIDDEN"],
      [() => buyer.api.groupBuys.markOrdered.mutate({ id: gb.id }), "FORBIDDEN"],
      [() => seller.api.groupBuys.cancel.mutate({ id: gb.id, reason: "x" }), "BAD_REQUEST"], // reason too short
    ];
    for (const [call, code] of cases) expect((await errorOf(call())).code).toBe(code);
    expect((await gbRow(gb.id))?.status).toBe("OPEN");
    const f = await filledBuy();
    await f.seller.api.groupBuys.markOrdered.mutate({ id: f.gb.id });
    const later: [() => Promise<unknown>, string][] = [
      [() => f.seller.api.groupBuys.markOrdered.mutate({ id: f.gb.id }), "PRECONDITION_FAILED"], // ORDERED → ORDERED
      [() => f.seller.api.groupBuys.cancel.mutate({ id: f.gb.id, reason: "늦은 취소" }), "PRECONDITION_FAILED"],
      [() => f.a.api.groupBuys.leave.mutate({ id: f.gb.id, idempotencyKey: key() }), "PRECONDITION_FAILED"],
      [() => f.a.api.groupBuys.confirmPickup.mutate({ id: f.gb.id }), "PRECONDITION_FAILED"], // not READY yet
    ];
    for (const [call, code] of later) expect((await errorOf(call())).code).toBe(code);
    await invariants(region, f.region);
  });
});
