import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_CACHE_MS } from "../../worker/accounts/sessionCache";
import { sessions, users } from "../../worker/db/schema";
import { CLOSED_HINT_FRESH_MS } from "../../worker/groupbuy/closedHint";
import { sha256Hex } from "../../worker/lib/ids";
import { type D1Meter, meterD1 } from "./d1-meter";
import {
  db,
  gbRow,
  invariants,
  key,
  newResidents,
  openBuy,
  type Person,
  pointsOf,
  room,
  until,
} from "./groupbuy-helpers";
import { errorOf } from "./helpers";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const join = (p: Person, id: string, idempotencyKey = key()) =>
  p.api.groupBuys.join.mutate({ id, shares: 1, idempotencyKey });

/** What another isolate's logout does to D1 (this isolate's cache does not hear of it). */
const revokeElsewhere = async (p: Person) =>
  db()
    .update(sessions)
    .set({ revokedAt: Date.now() })
    .where(eq(sessions.tokenHash, await sha256Hex(p.token)));
/** What another isolate's suspension does to D1. */
const suspendElsewhere = (p: Person) =>
  db()
    .update(users)
    .set({ suspendedUntil: Date.now() + 86_400_000 })
    .where(eq(users.id, p.id));

/** A 2-share buy filled by `a` and `b` (its room says FILLED and the mirror has settled). */
async function filledBuy() {
  const { region, gb, seller } = await openBuy({ totalShares: 2, minShares: 1, maxPerPerson: 1 });
  const [a, b, c, d] = await newResidents(region, 4, 100_000);
  const ka = key();
  const first = await join(a, gb.id, ka);
  await join(b, gb.id);
  await until("the buy filled and mirrored", async () => (await gbRow(gb.id))?.status === "FILLED");
  return { region, gb, seller, a, ka, first, outsiders: [c, d] };
}

describe("the hot join path: sold-out hint and session cache", { timeout: 30_000 }, () => {
  let meter: D1Meter;
  beforeAll(() => {
    meter = meterD1();
  });
  afterAll(() => meter.restore());

  it("a filled buy refuses others from the hint, word for word as the room, with no D1 work; a member's retry still replays", async () => {
    const { region, gb, a, ka, first, outsiders } = await filledBuy();
    const [c] = outsiders;
    const fromRoom = await errorOf(join(c, gb.id));
    expect(fromRoom).toMatchObject({ code: "CONFLICT", message: "Sold out: all 2 shares are taken." });
    meter.reset();
    const fromHint = await errorOf(join(c, gb.id));
    expect(fromHint).toEqual(fromRoom);
    // (the filled buy's settlement may be writing in the background: look for the join's own reads)
    const joinReads = meter.log.filter((l) => l.includes('"sessions"') || l.includes('"region_verifications"'));
    expect(joinReads, "no session read, no guard batch").toEqual([]);
    // the member who joined retries with the same key: the room replays the join, it is not "sold out"
    const replay = await join(a, gb.id, ka);
    expect(replay).toMatchObject({ holdId: first.holdId, replay: true, status: "FILLED" });
    // a member's new attempt is the room's answer too (here: also sold out)
    expect((await errorOf(join(a, gb.id))).code).toBe("CONFLICT");
    expect((await room(gb.id).debugState()).counts).toMatchObject({ taken: 2, confirmed: 2 });
    expect((await pointsOf(c.id, region)).held).toBe(0);
    await invariants(region);
  });

  it("the hint's wording follows the room within CLOSED_HINT_FRESH_MS (a filled buy cancelled later)", async () => {
    const { gb, seller, outsiders } = await filledBuy();
    const [c] = outsiders;
    expect((await errorOf(join(c, gb.id))).code).toBe("CONFLICT");
    await seller.api.groupBuys.cancel.mutate({ id: gb.id, reason: "공급처 사정으로 취소합니다" });
    const soon = await errorOf(join(c, gb.id));
    expect(["CONFLICT", "PRECONDITION_FAILED"]).toContain(soon.code); // refused either way; the wording may lag
    await sleep(CLOSED_HINT_FRESH_MS + 50);
    const later = await errorOf(join(c, gb.id));
    expect(later).toMatchObject({ code: "PRECONDITION_FAILED" });
    expect(later.message).toMatch(/CANCELLED/);
  });

  it("logout or suspension elsewhere stops a join that could take shares at once, though the session is cached", async () => {
    const { region, gb } = await openBuy({ totalShares: 10, minShares: 1, maxPerPerson: 3 });
    const [out, banned] = await newResidents(region, 2, 100_000);
    await join(out, gb.id); // both sessions are now in this isolate's cache
    await join(banned, gb.id);
    await revokeElsewhere(out);
    await suspendElsewhere(banned);
    const e1 = await errorOf(join(out, gb.id));
    expect(e1).toMatchObject({ code: "UNAUTHORIZED", message: "Log in to continue." });
    const e2 = await errorOf(join(banned, gb.id));
    expect(e2.code).toBe("FORBIDDEN");
    expect(e2.message).toMatch(/suspended until/);
    expect((await room(gb.id).debugState()).counts.taken).toBe(2);
    expect((await pointsOf(out.id, region)).held).toBe(5_000);
    expect((await pointsOf(banned.id, region)).held).toBe(5_000);
    await invariants(region);
  });

  it("logout in this isolate drops the cached session at once", async () => {
    const { region, gb } = await openBuy({ totalShares: 10, minShares: 1, maxPerPerson: 3 });
    const [p] = await newResidents(region, 1, 100_000);
    await join(p, gb.id);
    await p.api.auth.logout.mutate();
    meter.reset();
    expect((await errorOf(join(p, gb.id))).code).toBe("UNAUTHORIZED");
    // one plain read (the session, from D1 again), not the guard batch that re-checks a cached session
    expect(meter.log, meter.log.join("\n")).toHaveLength(1);
    expect(meter.log[0]).not.toMatch(/^batch/);
  });

  it("on a closed buy, a logout or suspension elsewhere is at most SESSION_CACHE_MS late (only ever a refusal)", async () => {
    const { region, gb, outsiders } = await filledBuy();
    const [c, d] = outsiders;
    expect((await errorOf(join(c, gb.id))).code).toBe("CONFLICT"); // both sessions cached, the hint learned
    expect((await errorOf(join(d, gb.id))).code).toBe("CONFLICT");
    await revokeElsewhere(c);
    await suspendElsewhere(d);
    await sleep(SESSION_CACHE_MS + 100);
    expect((await errorOf(join(c, gb.id))).code).toBe("UNAUTHORIZED");
    expect((await errorOf(join(d, gb.id))).code).toBe("FORBIDDEN");
    expect((await pointsOf(c.id, region)).held).toBe(0);
    expect((await pointsOf(d.id, region)).held).toBe(0);
  });
});
