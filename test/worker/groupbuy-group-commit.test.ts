import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { charges, regionVerifications } from "../../worker/db/schema";
import type { GroupBuyRoom } from "../../worker/durable/GroupBuyRoom";
import { GUARD_GROUP_MAX } from "../../worker/groupbuy/config";
import { sha256Hex } from "../../worker/lib/ids";
import { getHold, HOLD_GROUP_MAX } from "../../worker/wallet/holds";
import { type D1Meter, meterD1 } from "./d1-meter";
import {
  db,
  escrowOf,
  gbRow,
  holdRows,
  invariants,
  key,
  memberRow,
  newResidents,
  openBuy,
  pointsOf,
  revokeElsewhere,
  room,
  suspendElsewhere,
  until,
  untilStatus,
} from "./groupbuy-helpers";
import { debtCharge, fund } from "./wallet-helpers";

/** Concurrent joins per storm here; GROUP_COMMIT_JOINS=500 for a big run. */
const JOINS = Number(env.GROUP_COMMIT_JOINS) || 60;

type Stub = ReturnType<typeof room>;

/**
 * The room places the ledger holds of joins that arrive together in one D1 batch (group commit). These tests pin what
 * must not change because of it: each buyer's outcome is their own, money stays exact, and an eviction at any point of
 * a group heals like a single join does.
 */
describe("group commit of join holds", { timeout: 240_000 }, () => {
  let meter: D1Meter | undefined;
  afterEach(() => meter?.restore());

  it(`${JOINS} concurrent joins, some buyers short of points: exactly the funded ones get shares`, async () => {
    const { region, gb, pricing } = await openBuy(
      { totalShares: JOINS, minShares: 1, maxPerPerson: 1 },
      { totalPrice: 1_000 * JOINS, totalQuantity: JOINS, unit: "개" },
    );
    const price = pricing.pricePerShare;
    expect(price).toBe(1_000);
    // everyone has price − 1; every third buyer stays 1 won short, the others get the last won, and every fifth of
    // those also 400 reward points (a hold takes reward points first)
    const people = await newResidents(region, JOINS, price - 1);
    const short = (i: number) => i % 3 === 0;
    const mixed = (i: number) => !short(i) && i % 5 === 0;
    for (const [i, p] of people.entries()) {
      if (short(i)) continue;
      await fund(p.id, region, 1);
      if (mixed(i)) await fund(p.id, region, 400, "reward");
    }
    const results = await Promise.allSettled(
      people.map((p) => p.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key("gc") })),
    );
    const funded = people.filter((_, i) => !short(i));
    for (const [i, r] of results.entries()) {
      if (short(i)) {
        expect(r.status, `buyer ${i} is short`).toBe("rejected");
        const reason = (r as PromiseRejectedResult).reason;
        expect(reason.data?.code).toBe("PRECONDITION_FAILED");
        expect(reason.data?.details).toMatchObject({ reason: "insufficient_points", shortfall: 1 });
      } else {
        expect(r.status, `buyer ${i} is funded`).toBe("fulfilled");
        if (r.status === "fulfilled") expect(r.value).toMatchObject({ shares: 1, amount: price, paid: price });
      }
    }
    const state = await room(gb.id).debugState();
    expect(state.counts).toEqual({ taken: funded.length, confirmed: funded.length, participants: funded.length });
    expect(state.counts, "kept in memory = summed over the reservations").toEqual(state.summed);
    expect(state.reservations.filter((r) => r.state === "released")).toHaveLength(JOINS - funded.length);
    expect((await escrowOf(gb.id, region)).pending).toBe(funded.length * price);
    for (const [i, p] of people.entries()) {
      const points = await pointsOf(p.id, region);
      if (short(i)) expect(points.held, `buyer ${i} holds nothing`).toBe(0);
      else expect(points, `buyer ${i} holds the price`).toMatchObject({ held: price, available: mixed(i) ? 400 : 0 });
    }
    // reward first: a mixed buyer's hold took 400 reward + 600 charged
    const row = state.reservations.find((r) => r.userId === people[5].id)!;
    expect(await getHold(db(), row.id)).toMatchObject({ amount: price, fromReward: 400, fromCharged: 600 });
    await invariants(region);
  });

  it("a retry of a join whose hold a group already placed gets that hold, not a second one", async () => {
    const { region, gb } = await openBuy({ totalShares: 10, minShares: 1, maxPerPerson: 2 });
    const [a, b] = await newResidents(region, 2, 100_000);
    const ka = key("a");
    const [first] = await Promise.all([
      a.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: ka }),
      b.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key("b") }),
    ]);
    const again = await a.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: ka });
    expect(again).toMatchObject({ holdId: first.holdId, replay: true });
    expect((await pointsOf(a.id, region)).held).toBe(first.paid);
    await invariants(region);
  });

  /** Reserves one share each for `people` inside the room (step 1 only). */
  function reserveFor(stub: Stub, gbId: string, region: string, people: { id: string }[]) {
    return runInDurableObject(stub, (instance: GroupBuyRoom) =>
      people.map((p) => {
        const step = instance.reserveStep({
          groupBuyId: gbId,
          userId: p.id,
          homeRegionId: region,
          shares: 1,
          idempotencyKey: key("ev"),
        });
        if (!step.ok || !("row" in step)) throw new Error(`reserve failed: ${JSON.stringify(step)}`);
        return step.row.id;
      }),
    );
  }

  async function reserveMany(stub: Stub, gbId: string, region: string, n: number) {
    const people = await newResidents(region, n, 100_000);
    return { people, ids: await reserveFor(stub, gbId, region, people) };
  }

  it("evicted after a group's batch landed, before any confirmation: the alarm confirms every join", async () => {
    const n = Math.min(HOLD_GROUP_MAX, 30);
    const { region, gb, pricing } = await openBuy({ totalShares: n, minShares: 1, maxPerPerson: 1 });
    const stub = room(gb.id);
    const { ids } = await reserveMany(stub, gb.id, region, n);
    meter = meterD1();
    await runInDurableObject(stub, async (instance: GroupBuyRoom) => {
      const placed = await Promise.all(ids.map((id) => instance.placeHoldStep(id)));
      expect(placed.every((p) => p.ok)).toBe(true);
    });
    // one group: a tier read and one ledger batch for all n holds
    expect(meter.log.filter((l) => l.startsWith("batch") && l.includes("ledger_transfers"))).toHaveLength(1);
    meter.restore();
    meter = undefined;
    await evictDurableObject(stub);
    // the group-commit counters (bench:join reads them around a storm) are in storage: a restart keeps them
    expect((await stub.debugState()).holdGroups).toEqual({ groups: 1, holds: n });
    await runDurableObjectAlarm(stub);
    const state = await stub.debugState();
    expect(state.counts).toMatchObject({ taken: n, confirmed: n });
    expect(state.meta?.status).toBe("FILLED");
    expect((await escrowOf(gb.id, region)).pending).toBe(n * pricing.pricePerShare);
    await untilStatus(gb.id, "FILLED");
    await invariants(region);
  });

  it("one group with buyers short of points: the others' holds land in the group's batch, the short ones are refused alone", async () => {
    const n = 30;
    const { region, gb, pricing } = await openBuy({ totalShares: n, minShares: 1, maxPerPerson: 1 });
    const price = pricing.pricePerShare;
    const stub = room(gb.id);
    const people = await newResidents(region, n, price - 1);
    const short = (i: number) => i % 3 === 1;
    for (const [i, p] of people.entries()) if (!short(i)) await fund(p.id, region, 1);
    const ids = await reserveFor(stub, gb.id, region, people);
    meter = meterD1();
    const placed = await runInDurableObject(stub, async (instance: GroupBuyRoom) => {
      const out = await Promise.all(ids.map((id) => instance.placeHoldStep(id)));
      for (const [i, id] of ids.entries()) if (out[i].ok) await instance.confirmStep(id);
      return out;
    });
    const ledgerBatches = meter.log.filter((l) => l.startsWith("batch") && l.includes("ledger_transfers"));
    meter.restore();
    meter = undefined;
    const shortCount = people.filter((_, i) => short(i)).length;
    // the group's batch, then each short buyer alone (their exact shortfall comes from the single-hold path)
    expect(ledgerBatches).toHaveLength(1 + shortCount);
    for (const [i, r] of placed.entries()) {
      if (short(i)) expect(r).toMatchObject({ ok: false, code: "PRECONDITION_FAILED", details: { shortfall: 1 } });
      else expect(r.ok).toBe(true);
    }
    const state = await stub.debugState();
    expect(state.counts).toMatchObject({ taken: n - shortCount, confirmed: n - shortCount });
    expect((await escrowOf(gb.id, region)).pending).toBe((n - shortCount) * price);
    await invariants(region);
  });

  it("a group of joins costs a few multi-row D1 statements and two room writes per join", async () => {
    const n = 30;
    const { region, gb, pricing } = await openBuy({ totalShares: 2 * n, minShares: 1, maxPerPerson: 1 });
    const stub = room(gb.id);
    const { people, ids } = await reserveMany(stub, gb.id, region, n);
    meter = meterD1();
    const writes = await runInDurableObject(stub, async (instance: GroupBuyRoom, state) => {
      // count what the room writes to its own SQLite from the group commit to the last confirmation
      const sql = state.storage.sql;
      const exec = sql.exec;
      const written: string[] = [];
      sql.exec = function (this: SqlStorage, query: string, ...bindings: SqlStorageValue[]) {
        if (/^\s*(INSERT|UPDATE|DELETE)/i.test(query)) written.push(query.trim().slice(0, 60));
        return exec.call(this, query, ...bindings);
      } as typeof sql.exec;
      try {
        const placed = await Promise.all(ids.map((id) => instance.placeHoldStep(id)));
        expect(placed.every((p) => p.ok)).toBe(true);
        for (const id of ids)
          expect(await instance.confirmStep(id)).toMatchObject({ ok: true, paid: pricing.pricePerShare });
      } finally {
        sql.exec = exec;
      }
      return written;
    });
    // per join: the confirmation (state and paid in one statement) and its chat line; once: the group's counter and
    // the mirror's own few per flush. Was 4 per join: paid, state, the mirror's sequence and the chat line.
    expect(writes.length, writes.join("\n")).toBeLessThanOrEqual(2 * n + 6);
    await until("the group mirrored", async () => (await gbRow(gb.id))?.takenShares === n);
    const statements = (l: string) => Number(/^batch\((\d+)\)/.exec(l)?.[1] ?? 1);
    const ledger = meter.log.filter((l) => l.startsWith("batch") && l.includes("ledger_transfers"));
    expect(ledger).toHaveLength(1);
    // the two legs of each hold, and every account they touch ensured in multi-row inserts (was one statement each:
    // 4n + 1 in all)
    expect(statements(ledger[0])).toBeLessThanOrEqual(2 * n + 10);
    const mirror = meter.log.filter((l) => l.includes('update "group_buys"'));
    // per flush (one or a few, as the confirmations land — how many depends on timing: at most one per 50 ms while
    // joins keep landing): the buy row, then holds, members and recommender signals in multi-row upserts, so 4 per
    // flush plus the extra chunks of n rows (~10 at n = 30). Was one statement per hold, member and signal: ≥ 1 + 3n.
    expect(
      mirror.reduce((sum, l) => sum + statements(l), 0),
      mirror.join("\n"),
    ).toBeLessThanOrEqual(4 * mirror.length + 10);
    expect(mirror.length).toBeLessThanOrEqual(10); // so at most 50 statements: per row it was ≥ 91
    meter.restore();
    meter = undefined;
    // the mirror is exact: one active hold row and one member row per buyer with what their hold took
    const holds = await holdRows(gb.id);
    expect(holds).toHaveLength(n);
    for (const h of holds)
      expect(h).toMatchObject({
        state: "active",
        shares: 1,
        amount: pricing.pricePerShare,
        paid: pricing.pricePerShare,
      });
    for (const p of people) {
      expect(await memberRow(gb.id, p.id)).toMatchObject({ status: "joined", shares: 1, paid: pricing.pricePerShare });
    }
    await invariants(region);
  });

  it("evicted while a group's batch is in flight: every share ends confirmed with its hold or released without", async () => {
    const n = 20;
    const { region, gb, pricing } = await openBuy({ totalShares: n, minShares: 1, maxPerPerson: 1 });
    const stub = room(gb.id);
    const { people, ids } = await reserveMany(stub, gb.id, region, n);
    await runInDurableObject(stub, (instance: GroupBuyRoom) => {
      // start the group commit and walk away: the object dies with the batch in flight
      for (const id of ids) void instance.placeHoldStep(id).catch(() => {});
    });
    await evictDurableObject(stub);
    // past every reservation's expiry, the alarm settles each one by what the ledger says
    await runInDurableObject(stub, (_i: GroupBuyRoom, state) => {
      state.storage.sql.exec("UPDATE reservations SET expires_at = 0 WHERE state = 'reserved'");
    });
    await runDurableObjectAlarm(stub);
    const state = await stub.debugState();
    expect(state.reservations.filter((r) => r.state === "reserved")).toHaveLength(0);
    let confirmed = 0;
    for (const r of state.reservations) {
      const hold = await getHold(db(), r.id);
      if (r.state === "confirmed") {
        confirmed++;
        expect(hold?.status, `confirmed ${r.id} has its hold`).toBe("pending");
      } else {
        expect(hold === null || hold.status === "voided", `released ${r.id} holds nothing`).toBe(true);
      }
    }
    expect(state.counts.confirmed).toBe(confirmed);
    expect((await escrowOf(gb.id, region)).pending).toBe(confirmed * pricing.pricePerShare);
    const held = await Promise.all(people.map((p) => pointsOf(p.id, region)));
    expect(held.reduce((s, p) => s + p.held, 0)).toBe(confirmed * pricing.pricePerShare);
    await invariants(region);
  });
  it("concurrent joins share the room's guard reads; each caller's refusal is their own, with nothing reserved", async () => {
    const { region, gb } = await openBuy({ totalShares: JOINS, minShares: 1, maxPerPerson: 1 });
    const people = await newResidents(region, JOINS, 10_000);
    const [loggedOut, suspended, unverified, indebted] = people;
    await revokeElsewhere(loggedOut);
    await suspendElsewhere(suspended);
    await db().delete(regionVerifications).where(eq(regionVerifications.userId, unverified.id));
    await db()
      .insert(charges)
      .values(debtCharge(indebted.id, region, 5_000));
    const hashes = await Promise.all(people.map((p) => sha256Hex(p.token)));
    meter = meterD1();
    // the room's own calls, as joinClaimed makes them, all at once: through tRPC each request's own CPU spaces them
    // out on the test's one thread, so a group's size would depend on timing
    const stub = room(gb.id);
    const results = await Promise.all(
      people.map((p, i) =>
        stub.join({
          groupBuyId: gb.id,
          userId: p.id,
          claim: { tokenHash: hashes[i] },
          homeRegionId: null,
          shares: 1,
          idempotencyKey: key("guard"),
        }),
      ),
    );
    const guardReads = meter.sql.filter((q) => q.includes('"region_verifications"'));
    const statements = guardReads.reduce((n, q) => n + q.split(" ; ").length, 0);
    expect(statements, "every join's guards were read once").toBe(JOINS);
    // the first join finds the room idle and reads alone; the rest queue behind it (at most GUARD_GROUP_MAX per round
    // trip): 3 round trips for 60 joins when every call reached the room before the first read came back
    expect(guardReads.length, "in shared round trips").toBeGreaterThanOrEqual(
      1 + Math.ceil((JOINS - 1) / GUARD_GROUP_MAX),
    );
    expect(guardReads.length, "in shared round trips").toBeLessThanOrEqual(Math.ceil(JOINS / 10));
    expect(results[0]).toMatchObject({ ok: false, code: "UNAUTHORIZED" });
    expect(results[1]).toMatchObject({
      ok: false,
      code: "FORBIDDEN",
      message: expect.stringMatching(/suspended until/),
    });
    expect(results[2]).toMatchObject({
      ok: false,
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/Verify your neighbourhood/),
    });
    expect(results[3]).toMatchObject({
      ok: false,
      code: "PRECONDITION_FAILED",
      details: { reason: "outstanding_debt" },
    });
    for (const [i, r] of results.slice(4).entries())
      expect(r, `buyer ${i + 4} joins`).toMatchObject({ ok: true, shares: 1 });
    const state = await room(gb.id).debugState();
    expect(state.counts.taken).toBe(JOINS - 4);
    const refusedIds = new Set(people.slice(0, 4).map((p) => p.id));
    expect(state.reservations.filter((r) => refusedIds.has(r.userId))).toEqual([]);
    for (const p of people.slice(0, 4)) expect((await pointsOf(p.id, region)).held).toBe(0);
    await until("the buy mirrored", async () => (await gbRow(gb.id))?.takenShares === JOINS - 4);
    await invariants(region);
  });
});
