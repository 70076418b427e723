import { describe, expect, test } from "vitest";
import { backoffDelayMs } from "../../shared/backoff";

const spa = { initialMs: 1000, maxMs: 30_000 };

describe("reconnect backoff (the SPA's room socket and the SDK's connectRoom)", () => {
  test("doubles from the first delay, jittered between half and all of it", () => {
    for (const [attempt, exp] of [
      [1, 1000],
      [2, 2000],
      [3, 4000],
      [5, 16_000],
    ]) {
      expect(backoffDelayMs(attempt, spa, () => 0)).toBe(exp / 2);
      expect(backoffDelayMs(attempt, spa, () => 0.999_999)).toBe(exp);
    }
  });

  test("never waits longer than the cap, however many attempts failed", () => {
    for (const attempt of [6, 10, 50, 1000]) {
      expect(backoffDelayMs(attempt, spa, () => 0.999_999)).toBe(30_000);
      expect(backoffDelayMs(attempt, spa, () => 0)).toBe(15_000);
    }
  });

  test("stays inside its bounds for random jitter (whole milliseconds)", () => {
    for (let attempt = 1; attempt <= 20; attempt++) {
      const exp = Math.min(30_000, 500 * 2 ** (attempt - 1));
      for (let i = 0; i < 50; i++) {
        const ms = backoffDelayMs(attempt, { initialMs: 500, maxMs: 30_000 });
        expect(Number.isInteger(ms)).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(exp / 2);
        expect(ms).toBeLessThanOrEqual(exp);
      }
    }
  });

  test("an attempt below 1 waits the first delay, not less", () => {
    expect(backoffDelayMs(0, spa, () => 0.999_999)).toBe(1000);
  });
});
