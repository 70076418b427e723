/**
 * A room's alarm is one invocation, with the 1,000 subrequests / D1 queries one invocation may send (local workerd
 * enforces neither; test/worker/subrequest-meter.ts counts them). Its heal reads the ledger once per orphaned
 * reservation: bounded per alarm, the rest continues at the next one.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { GroupBuyRoom } from "../../worker/durable/GroupBuyRoom";
import { expectRoomCounts, openBuy, room } from "./groupbuy-helpers";
import { meterSubrequests } from "./subrequest-meter";

/** One alarm with every binding of the room's env metered; what it sent and when it set the next alarm. */
function meteredAlarm(stub: ReturnType<typeof room>) {
  return runInDurableObject(stub, async (instance: GroupBuyRoom, state) => {
    const target = instance as unknown as { env: Env };
    const own = target.env;
    const meter = meterSubrequests(own);
    target.env = meter.env;
    try {
      await instance.alarm();
    } finally {
      target.env = own;
    }
    const next = await state.storage.getAlarm();
    return { total: meter.total, d1: meter.d1, nextIn: next === null ? null : next - Date.now() };
  });
}

describe("a room's alarm within one invocation's subrequests", { timeout: 120_000 }, () => {
  it("1,000 orphaned reservations (a 1,000-share buy evicted mid-storm): each alarm heals at most its bound, the next alarm comes within seconds, every share returns", async () => {
    const { gb } = await openBuy({ totalShares: 1000, minShares: 1, maxPerPerson: 1000 }, { totalPrice: 5_000_000 });
    const stub = room(gb.id);
    const tag = crypto.randomUUID().slice(0, 8);
    const thousand = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)";
    // 1,000 buyers (the mirror's member rows reference users), each with a reservation that is reserved, expired and
    // has no hold in the ledger: what an eviction between the reservation and the hold leaves
    await env.DB.prepare(
      `${thousand} INSERT INTO users (id, email, password_hash, display_name, created_at)
       SELECT 'orphan-' || ?1 || '-' || i, 'orphan-' || ?1 || '-' || i || '@example.com', '!', '고아' || i, 1 FROM n`,
    )
      .bind(tag)
      .run();
    await runInDurableObject(stub, (instance: GroupBuyRoom) =>
      instance.debugExec(
        `${thousand} INSERT INTO reservations (id, user_id, idem_key, shares, amount, state, created_at, expires_at)
         SELECT 'orphan-' || ?1 || '-' || i, 'orphan-' || ?1 || '-' || i, 'k-' || i, 1, 5000, 'reserved', 1, 2 FROM n`,
        tag,
      ),
    );
    await evictDurableObject(stub);
    expect((await stub.debugState()).counts.taken).toBe(1000);
    const alarms: number[] = [];
    for (let i = 0; i < 40; i++) {
      const { total, nextIn } = await meteredAlarm(stub);
      alarms.push(total);
      const { counts } = await stub.debugState();
      if (counts.taken === 0) break;
      // the rest is due now: the next alarm comes after DEADLINE_RECHECK_MS, not FLUSH_RETRY_MS or later
      expect(nextIn).not.toBeNull();
      expect(nextIn as number).toBeLessThanOrEqual(2_000);
    }
    console.log(`1,000 orphans, subrequests per alarm: ${alarms.join(", ")}`);
    expect(Math.max(...alarms), `per alarm: ${alarms.join(", ")}`).toBeLessThanOrEqual(100);
    const state = await stub.debugState();
    expect(state.counts.taken).toBe(0);
    expect(state.reservations.filter((r) => r.state === "reserved")).toHaveLength(0);
    await expectRoomCounts(gb.id);
  });
});
