import { eq } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { regionVerifications } from "../../worker/db/schema";
import {
  db,
  escrowOf,
  expectRoomCounts,
  invariants,
  key,
  memberRow,
  newRegion,
  newResident,
  newResidents,
  openBuy,
  pointsOf,
  room,
  until,
} from "./groupbuy-helpers";
import { errorOf } from "./helpers";
import { checkLedgerAfterEachTest } from "./ledger-invariants";

// Issue 5: the ledger invariants hold after every test (each book the test wrote to).
checkLedgerAfterEachTest();

describe("joining a group buy", { timeout: 30_000 }, () => {
  it("reserves shares, holds price × shares and shows the live fill", async () => {
    const { region, gb } = await openBuy({ totalShares: 10, minShares: 5, maxPerPerson: 3 });
    const buyer = await newResident(region, 20_000);
    const joined = await buyer.api.groupBuys.join.mutate({ id: gb.id, shares: 2, idempotencyKey: key() });
    expect(joined).toMatchObject({
      shares: 2,
      amount: 10_000,
      paid: 10_000,
      discount: 0,
      replay: false,
      status: "OPEN",
    });
    expect(joined.fill).toMatchObject({ totalShares: 10, takenShares: 2, confirmedShares: 2, remainingShares: 8 });
    expect(await pointsOf(buyer.id, region)).toEqual({ balance: 20_000, held: 10_000, available: 10_000 });
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 0, pending: 10_000 });
    const view = await buyer.api.groupBuys.get.query({ id: gb.id });
    expect(view.fill.confirmedShares).toBe(2);
    expect(view.you).toMatchObject({ relation: "member", shares: 2 });
    await until("member mirrored to D1", async () => (await memberRow(gb.id, buyer.id))?.shares === 2);
    await invariants(region);
  });

  it("replays a retry with the same key and refuses the same key with other shares", async () => {
    const { region, gb } = await openBuy();
    const buyer = await newResident(region);
    const k = key();
    const first = await buyer.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: k });
    const again = await buyer.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: k });
    expect(again).toMatchObject({ holdId: first.holdId, replay: true, shares: 1 });
    expect((await pointsOf(buyer.id, region)).held).toBe(5_000);
    const conflict = await errorOf(buyer.api.groupBuys.join.mutate({ id: gb.id, shares: 2, idempotencyKey: k }));
    expect(conflict.code).toBe("CONFLICT");
    expect(conflict.message).toMatch(/already used/);
    await invariants(region);
  });

  it("releases the shares and reports the shortfall when points do not cover the hold", async () => {
    const { region, gb } = await openBuy();
    const poor = await newResident(region, 7_000);
    const err = await errorOf(poor.api.groupBuys.join.mutate({ id: gb.id, shares: 2, idempotencyKey: key() }));
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toMatch(/3,000/);
    const state = await room(gb.id).debugState();
    expect(state.counts.taken).toBe(0);
    expect(state.reservations.map((r) => r.state)).toEqual(["released"]);
    expect(await pointsOf(poor.id, region)).toEqual({ balance: 7_000, held: 0, available: 7_000 });
    await invariants(region);
  });

  it("enforces max per person across several joins", async () => {
    const { region, gb } = await openBuy({ maxPerPerson: 3 });
    const buyer = await newResident(region);
    await buyer.api.groupBuys.join.mutate({ id: gb.id, shares: 2, idempotencyKey: key() });
    const err = await errorOf(buyer.api.groupBuys.join.mutate({ id: gb.id, shares: 2, idempotencyKey: key() }));
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toMatch(/At most 3/);
    await buyer.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    expect((await pointsOf(buyer.id, region)).held).toBe(15_000);
    await invariants(region);
  });

  it("refuses residents of other neighbourhoods, unverified users and the seller, writing nothing", async () => {
    const { region, gb, seller } = await openBuy();
    const other = await newResident(await newRegion());
    const e1 = await errorOf(other.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() }));
    expect(e1.code).toBe("PRECONDITION_FAILED");
    expect(e1.message).toMatch(/another neighbourhood/);
    const lapsed = await newResident(region);
    await db()
      .update(regionVerifications)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(regionVerifications.userId, lapsed.id));
    const e2 = await errorOf(lapsed.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() }));
    expect(e2.code).toBe("PRECONDITION_FAILED");
    expect(e2.message).toMatch(/Verify your neighbourhood/);
    const e3 = await errorOf(seller.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() }));
    expect(e3.code).toBe("PRECONDITION_FAILED"); // a seller account has no verified home here
    expect((await room(gb.id).debugState()).reservations).toEqual([]);
  });

  it("bad input is a typed error and writes nothing", async () => {
    const { region, gb } = await openBuy();
    const buyer = await newResident(region);
    const bad = [
      { id: gb.id, shares: 0, idempotencyKey: key() },
      { id: gb.id, shares: 1.5, idempotencyKey: key() },
      { id: gb.id, shares: -1, idempotencyKey: key() },
      { id: gb.id, shares: 1, idempotencyKey: "short" },
      { id: "not-an-id", shares: 1, idempotencyKey: key() },
    ];
    for (const input of bad) {
      const err = await errorOf(buyer.api.groupBuys.join.mutate(input));
      expect(err.code, JSON.stringify(input)).toBe("BAD_REQUEST");
    }
    const missing = await errorOf(
      buyer.api.groupBuys.join.mutate({ id: "01ARZ3NDEKTSV4RRFFQ69G5FAV", shares: 1, idempotencyKey: key() }),
    );
    expect(missing.code).toBe("NOT_FOUND");
    expect((await room(gb.id).debugState()).reservations).toEqual([]);
    expect(await pointsOf(buyer.id, region)).toMatchObject({ held: 0 });
  });

  it("during a Plus-first hour the seller chose, others are told when they can join, and nothing is reserved", async () => {
    const { region, gb } = await openBuy({ plusEarlyAccess: true });
    const buyer = await newResident(region);
    const err = await errorOf(buyer.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() }));
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toMatch(/Gonggu Plus members get the first hour/);
    expect((await room(gb.id).debugState()).reservations).toEqual([]);
  });

  it("leave while OPEN voids the hold in full; the shares are free again", async () => {
    const { region, gb } = await openBuy();
    const buyer = await newResident(region, 30_000);
    await buyer.api.groupBuys.join.mutate({ id: gb.id, shares: 3, idempotencyKey: key() });
    const k = key("leave");
    const left = await buyer.api.groupBuys.leave.mutate({ id: gb.id, idempotencyKey: k });
    expect(left).toMatchObject({ shares: 3, amount: 15_000 });
    expect(left.fill.takenShares).toBe(0);
    expect(await pointsOf(buyer.id, region)).toEqual({ balance: 30_000, held: 0, available: 30_000 });
    // a retry of the same leave answers the same, and changes nothing
    expect(await buyer.api.groupBuys.leave.mutate({ id: gb.id, idempotencyKey: k })).toMatchObject({ shares: 3 });
    const again = await errorOf(buyer.api.groupBuys.leave.mutate({ id: gb.id, idempotencyKey: key("leave") }));
    expect(again.code).toBe("PRECONDITION_FAILED");
    await until("member left in D1", async () => (await memberRow(gb.id, buyer.id))?.status === "left");
    expect(await expectRoomCounts(gb.id)).toEqual({ taken: 0, confirmed: 0, participants: 0 });
    await invariants(region);
  });

  it("500 concurrent joins on a 50-share buy: exactly 50 shares, holds = 50 × price, the rest sold out", async () => {
    const { region, gb } = await openBuy(
      { totalShares: 50, minShares: 10, maxPerPerson: 1 },
      { totalPrice: 123_456, totalQuantity: 50, unit: "개" },
    );
    const price = Math.round(123_456 / 50); // 2,469.12 → 2,469
    const buyers = await newResidents(region, 500, 10_000);
    const results = await Promise.allSettled(
      buyers.map((b) => b.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() })),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(50);
    expect(refused).toHaveLength(450);
    for (const r of refused) {
      expect(r.reason.data?.code).toBe("CONFLICT");
      expect(r.reason.message).toMatch(/^Sold out/);
    }
    const state = await room(gb.id).debugState();
    expect(state.counts).toMatchObject({ taken: 50, confirmed: 50, participants: 50 });
    expect(state.meta?.status).toBe("FILLED");
    const escrow = await escrowOf(gb.id, region);
    expect(escrow.pending + escrow.posted).toBe(50 * price);
    await invariants(region);
  }, 180_000);

  it("random share sizes and max-per-person never exceed the total (fast-check)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.record({ who: fc.nat(5), shares: fc.integer({ min: 1, max: 5 }) }), {
          minLength: 1,
          maxLength: 30,
        }),
        async (total, maxPer, attempts) => {
          const { region, gb } = await openBuy(
            { totalShares: total, minShares: 1, maxPerPerson: Math.min(maxPer, total) },
            { totalPrice: 1_200 * total },
          );
          const people = await Promise.all(Array.from({ length: 6 }, () => newResident(region, 100_000)));
          await Promise.allSettled(
            attempts.map((a) =>
              people[a.who].api.groupBuys.join.mutate({ id: gb.id, shares: a.shares, idempotencyKey: key() }),
            ),
          );
          const state = await room(gb.id).debugState();
          expect(state.counts.taken).toBeLessThanOrEqual(total);
          const perUser = new Map<string, number>();
          for (const r of state.reservations.filter((x) => x.state === "confirmed")) {
            perUser.set(r.userId, (perUser.get(r.userId) ?? 0) + r.shares);
          }
          for (const n of perUser.values()) expect(n).toBeLessThanOrEqual(Math.min(maxPer, total));
          const escrow = await escrowOf(gb.id, region);
          expect(escrow.pending + escrow.posted).toBe(state.counts.confirmed * gb.pricePerShare);
          await invariants(region);
        },
      ),
      { numRuns: 15 },
    );
  }, 120_000);
});
