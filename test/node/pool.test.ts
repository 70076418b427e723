import { describe, expect, it } from "vitest";
import { settleAllLimited } from "../../worker/lib/pool";

describe("settleAllLimited", () => {
  it("never has more than `limit` tasks in flight, runs every item once, and settles failures in place", async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    const items = Array.from({ length: 50 }, (_, i) => i);
    const results = await settleAllLimited(items, 8, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      seen.push(i);
      await new Promise((r) => setTimeout(r, i % 3));
      inFlight--;
      if (i % 10 === 7) throw new Error(`no ${i}`);
      return i * 2;
    });
    expect(peak).toBe(8);
    expect(seen.sort((a, b) => a - b)).toEqual(items);
    expect(results).toHaveLength(50);
    expect(results[3]).toEqual({ status: "fulfilled", value: 6 });
    expect(results[17]).toMatchObject({ status: "rejected", reason: new Error("no 17") });
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(5);
  });

  it("handles no items and a limit above the item count", async () => {
    expect(await settleAllLimited([], 8, async () => 1)).toEqual([]);
    expect(await settleAllLimited([1, 2], 100, async (x) => x)).toEqual([
      { status: "fulfilled", value: 1 },
      { status: "fulfilled", value: 2 },
    ]);
  });
});
