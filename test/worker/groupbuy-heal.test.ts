import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { GroupBuyRoom } from "../../worker/durable/GroupBuyRoom";
import { placeJoinHold } from "../../worker/groupbuy/ledgerOps";
import { getHold } from "../../worker/wallet/holds";
import {
  db,
  escrowOf,
  expectRoomCounts,
  gbRow,
  invariants,
  key,
  newResident,
  openBuy,
  pointsOf,
  room,
  until,
  untilSettled,
  untilStatus,
} from "./groupbuy-helpers";
import { errorOf } from "./helpers";
import { checkLedgerAfterEachTest } from "./ledger-invariants";

// Issue 5: the ledger invariants hold after every test (each book the test wrote to).
checkLedgerAfterEachTest();

type Stub = ReturnType<typeof room>;

/** Direct storage edits stand in for time passing (the DO reads deadlines/expiries from its own SQLite). */
function sqlIn(stub: Stub, query: string, ...bindings: (string | number)[]) {
  return runInDurableObject(stub, (instance: GroupBuyRoom) => instance.debugExec(query, ...bindings));
}

function reserveOnly(stub: Stub, req: Parameters<GroupBuyRoom["reserveStep"]>[0]) {
  return runInDurableObject(stub, (instance: GroupBuyRoom) => {
    const step = instance.reserveStep(req);
    if (!step.ok || !("row" in step)) throw new Error(`reserve failed: ${JSON.stringify(step)}`);
    return step.row.id;
  });
}

/** Steps 1 and 2 of a join, stopping before the confirmation (as if the object died right after the hold). */
function reserveAndHold(stub: Stub, req: Parameters<GroupBuyRoom["reserveStep"]>[0]) {
  return runInDurableObject(stub, async (instance: GroupBuyRoom) => {
    const step = instance.reserveStep(req);
    if (!step.ok || !("row" in step)) throw new Error(`reserve failed: ${JSON.stringify(step)}`);
    const held = await instance.placeHoldStep(step.row.id);
    if (!held.ok) throw new Error(`hold failed: ${JSON.stringify(held)}`);
    return step.row.id;
  });
}

describe("healing a join interrupted by an eviction", { timeout: 30_000 }, () => {
  it("between reservation and hold: the shares return after the reservation expires, nothing is charged", async () => {
    const { region, gb } = await openBuy();
    const buyer = await newResident(region, 50_000);
    const stub = room(gb.id);
    const id = await reserveOnly(stub, {
      groupBuyId: gb.id,
      userId: buyer.id,
      homeRegionId: region,
      shares: 2,
      idempotencyKey: key(),
    });
    await evictDurableObject(stub);
    // Before the expiry the alarm leaves the orphan alone: a slow hold could still be on its way.
    await runDurableObjectAlarm(stub);
    expect((await stub.debugState()).reservations[0]).toMatchObject({ id, state: "reserved" });
    await sqlIn(stub, "UPDATE reservations SET expires_at = 0 WHERE id = ?", id);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const state = await stub.debugState();
    expect(state.reservations[0]).toMatchObject({ id, state: "released" });
    expect(state.counts.taken).toBe(0);
    expect(await getHold(db(), id)).toBeNull();
    expect(await pointsOf(buyer.id, region)).toEqual({ balance: 50_000, held: 0, available: 50_000 });
    await expectRoomCounts(gb.id);
    await invariants(region);
  });

  it("between reservation and hold: a retry with the same key finishes the join", async () => {
    const { region, gb } = await openBuy();
    const buyer = await newResident(region, 50_000);
    const stub = room(gb.id);
    const k = key();
    const id = await reserveOnly(stub, {
      groupBuyId: gb.id,
      userId: buyer.id,
      homeRegionId: region,
      shares: 2,
      idempotencyKey: k,
    });
    await evictDurableObject(stub);
    const joined = await buyer.api.groupBuys.join.mutate({ id: gb.id, shares: 2, idempotencyKey: k });
    expect(joined).toMatchObject({ holdId: id, shares: 2, amount: 10_000 });
    expect((await stub.debugState()).counts).toMatchObject({ taken: 2, confirmed: 2 });
    expect((await pointsOf(buyer.id, region)).held).toBe(10_000);
    await expectRoomCounts(gb.id);
    await invariants(region);
  });

  it("between hold and confirmation: the alarm finds the hold and confirms the shares", async () => {
    const { region, gb } = await openBuy();
    const buyer = await newResident(region, 50_000);
    const stub = room(gb.id);
    const id = await reserveAndHold(stub, {
      groupBuyId: gb.id,
      userId: buyer.id,
      homeRegionId: region,
      shares: 3,
      idempotencyKey: key(),
    });
    await evictDurableObject(stub);
    expect((await getHold(db(), id))?.status).toBe("pending");
    await runDurableObjectAlarm(stub);
    const state = await stub.debugState();
    expect(state.reservations[0]).toMatchObject({ id, state: "confirmed" });
    expect(state.counts).toMatchObject({ taken: 3, confirmed: 3 });
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 0, pending: 15_000 });
    await expectRoomCounts(gb.id);
    await invariants(region);
  });

  it("between hold and confirmation of a buy cancelled meanwhile: the hold is voided, no share is taken", async () => {
    const { region, gb, seller } = await openBuy();
    const buyer = await newResident(region, 50_000);
    const stub = room(gb.id);
    const id = await reserveAndHold(stub, {
      groupBuyId: gb.id,
      userId: buyer.id,
      homeRegionId: region,
      shares: 1,
      idempotencyKey: key(),
    });
    await evictDurableObject(stub);
    await seller.api.groupBuys.cancel.mutate({ id: gb.id, reason: "공급처 사정으로 취소합니다" });
    await runDurableObjectAlarm(stub);
    expect((await stub.debugState()).reservations[0]).toMatchObject({ id, state: "released" });
    expect((await getHold(db(), id))?.status).toBe("voided");
    expect(await pointsOf(buyer.id, region)).toEqual({ balance: 50_000, held: 0, available: 50_000 });
    await expectRoomCounts(gb.id);
    await invariants(region);
  });

  it("a hold that lands after its reservation was released is voided by the late re-check", async () => {
    const { region, gb } = await openBuy();
    const buyer = await newResident(region, 50_000);
    const stub = room(gb.id);
    const id = await reserveOnly(stub, {
      groupBuyId: gb.id,
      userId: buyer.id,
      homeRegionId: region,
      shares: 1,
      idempotencyKey: key(),
    });
    await evictDurableObject(stub);
    await sqlIn(stub, "UPDATE reservations SET expires_at = 0 WHERE id = ?", id);
    await runDurableObjectAlarm(stub);
    // the stray hold of the interrupted join finally lands
    await placeJoinHold(env, {
      holdId: id,
      groupBuyId: gb.id,
      regionId: region,
      userId: buyer.id,
      gross: 5_000,
      shares: 1,
      title: gb.title,
      now: Date.now(),
    });
    expect((await pointsOf(buyer.id, region)).held).toBe(5_000);
    await sqlIn(stub, "UPDATE reservations SET check_at = 0 WHERE id = ?", id);
    await runDurableObjectAlarm(stub);
    expect((await getHold(db(), id))?.status).toBe("voided");
    expect((await stub.debugState()).reservations[0]).toMatchObject({ state: "released", checkAt: null });
    expect(await pointsOf(buyer.id, region)).toMatchObject({ held: 0, balance: 50_000 });
    await expectRoomCounts(gb.id);
    await invariants(region);
  });
});

describe("the deadline (a DO alarm, at-least-once)", { timeout: 30_000 }, () => {
  it("tips with at least the minimum; holds are posted to escrow; a duplicate alarm changes nothing", async () => {
    const { region, gb } = await openBuy({ totalShares: 10, minShares: 3, maxPerPerson: 2 });
    const a = await newResident(region);
    const b = await newResident(region);
    await a.api.groupBuys.join.mutate({ id: gb.id, shares: 2, idempotencyKey: key() });
    await b.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    const stub = room(gb.id);
    await sqlIn(stub, "UPDATE meta SET deadline = ?", Date.now() - 1);
    await runDurableObjectAlarm(stub);
    expect((await stub.debugState()).meta?.status).toBe("TIPPED");
    await untilStatus(gb.id, "TIPPED");
    await untilSettled(gb.id, "posted");
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 15_000, pending: 0 });
    const before = await stub.debugState();
    await stub.reconcile(gb.id); // the alarm's work again
    await stub.reconcile(gb.id);
    const after = await stub.debugState();
    expect(after.meta).toEqual(before.meta);
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 15_000, pending: 0 });
    expect((await gbRow(gb.id))?.closedAt).toBeTypeOf("number");
    // the room says so in its chat, once, and every member hears it in their inbox
    const lines = (await stub.chatHistory(null, 50)).messages.filter((m) => m.code === "tipped");
    expect(lines).toHaveLength(1);
    for (const member of [a, b]) {
      await until("tipped notice", async () =>
        (await member.api.notifications.list.query({ limit: 10 })).items.some(
          (n) => n.kind === "groupbuy.tipped" && n.params.groupBuyId === gb.id,
        ),
      );
    }
    // the tip closed the buy to leaving: only a cancellation returns points now
    expect((await errorOf(a.api.groupBuys.leave.mutate({ id: gb.id, idempotencyKey: key() }))).code).toBe(
      "PRECONDITION_FAILED",
    );
    await expectRoomCounts(gb.id);
    await invariants(region);
  });

  it("fails below the minimum, says why, and voids every hold", async () => {
    const { region, gb } = await openBuy({ totalShares: 10, minShares: 5 });
    const a = await newResident(region, 20_000);
    await a.api.groupBuys.join.mutate({ id: gb.id, shares: 2, idempotencyKey: key() });
    const stub = room(gb.id);
    await sqlIn(stub, "UPDATE meta SET deadline = ?", Date.now() - 1);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    // the alarm delivered again (at-least-once): no alarm is pending any more, so runDurableObjectAlarm would run
    // nothing; reconcile runs the alarm's work itself
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    await stub.reconcile(gb.id);
    const state = await stub.debugState();
    expect(state.meta?.status).toBe("FAILED");
    expect(state.meta?.statusReason).toMatch(/Only 2 of the 5 shares/);
    expect((await stub.chatHistory(null, 50)).messages.filter((m) => m.code === "failed")).toHaveLength(1);
    await untilSettled(gb.id, "voided");
    expect(await pointsOf(a.id, region)).toEqual({ balance: 20_000, held: 0, available: 20_000 });
    const view = await a.api.groupBuys.get.query({ id: gb.id });
    expect(view).toMatchObject({ status: "FAILED", statusReason: expect.stringMatching(/Only 2/) });
    const inbox = await a.api.notifications.list.query({ limit: 10 });
    expect(inbox.items.filter((n) => n.kind === "groupbuy.failed").map((n) => n.params)).toEqual([
      { groupBuyId: gb.id, title: gb.title, refundWon: 10_000 },
    ]);
    await expectRoomCounts(gb.id);
    await invariants(region);
  });

  it("refuses joins after the deadline even before the alarm ran", async () => {
    const { region, gb } = await openBuy();
    const a = await newResident(region);
    await sqlIn(room(gb.id), "UPDATE meta SET deadline = ?", Date.now() - 1);
    const res = await a.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() }).catch((e) => e);
    expect(res.data?.code).toBe("PRECONDITION_FAILED");
    expect(res.message).toMatch(/deadline/);
  });
});
