import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RoomStore, UNMIRRORED_SQL } from "../../worker/durable/roomStore";

/** Runs `fn` over the storage of a fresh room object, with a RoomStore of its own. */
function inStore<T>(fn: (store: RoomStore, sql: SqlStorage) => T) {
  const stub = env.GROUP_BUY.get(env.GROUP_BUY.newUniqueId());
  return runInDurableObject(stub, (_instance, state) => fn(new RoomStore(state.storage.sql), state.storage.sql));
}

function reserve(store: RoomStore, i: number) {
  return store.insertReservation({
    id: `r${String(i).padStart(4, "0")}`,
    userId: `u${i}`,
    idemKey: `key-${i}-0000`,
    shares: 1,
    amount: 1_000,
    createdAt: 1_000 + i,
    expiresAt: 100_000,
  });
}

describe("the room's mirror scan", () => {
  it("walks only the partial index of changed rows: no read of every confirmed row, no sort", async () => {
    await inStore((_store, sql) => {
      const plan = sql
        .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${UNMIRRORED_SQL}`, 10)
        .toArray()
        .map((r) => r.detail);
      expect(plan).toEqual(["SCAN reservations USING INDEX reservations_unmirrored"]);
    });
  });

  it("returns the rows changed since their last mirror, oldest first, up to the limit", async () => {
    await inStore((store) => {
      const rows = Array.from({ length: 6 }, (_, i) => reserve(store, i));
      for (const r of rows) store.move(r.id, "reserved", "confirmed", { paid: 1_000 });
      // a reserved row is not mirrored yet (only confirmed, left, or voiding on its way to left)
      reserve(store, 6);
      const changed = store.unmirroredReservations(10);
      expect(changed.map((r) => r.id)).toEqual(rows.map((r) => r.id));
      store.markMirrored(
        changed.slice(0, 4).map((r) => ({ id: r.id, rev: r.rev })),
        [],
        0,
      );
      expect(store.unmirroredReservations(10).map((r) => r.id)).toEqual(["r0004", "r0005"]);
      expect(store.unmirroredReservations(1).map((r) => r.id)).toEqual(["r0004"]);
      // a mirrored row that changes again (its buyer leaves) is back in the scan, in its place by age
      const left = store.move("r0001", "confirmed", "left");
      expect(left?.state).toBe("left");
      expect(store.unmirroredReservations(10).map((r) => r.id)).toEqual(["r0001", "r0004", "r0005"]);
    });
  });
});
