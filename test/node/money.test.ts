import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  allocate,
  applyBps,
  applyPercent,
  assertNonNegativeWon,
  assertWon,
  MAX_WON,
  MoneyError,
  percentToBps,
  refundFeeShare,
  splitTotal,
  sumWon,
} from "../../shared/money";

describe("money", () => {
  it("accepts only safe integers", () => {
    expect(assertWon(0)).toBe(0);
    expect(assertWon(-5)).toBe(-5);
    expect(assertWon(MAX_WON)).toBe(MAX_WON);
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_WON + 1, "100", null, undefined, 10n]) {
      expect(() => assertWon(bad)).toThrow(MoneyError);
    }
    expect(() => assertNonNegativeWon(-1)).toThrow(/at least 0/);
    expect(() => assertNonNegativeWon(0, "amount", 1)).toThrow(/at least 1/);
  });

  it("sums refuse to leave the safe range", () => {
    expect(sumWon([1, 2, 3])).toBe(6);
    expect(() => sumWon([MAX_WON, 1])).toThrow(MoneyError);
  });

  it("rounds half-up to the won", () => {
    expect(applyBps(1_000, 250)).toBe(25); // 2.5 % exact
    expect(applyBps(10, 500)).toBe(1); // 0.5 → 1 (half up)
    expect(applyBps(9, 500)).toBe(0); // 0.45 → 0
    expect(applyBps(30, 500)).toBe(2); // 1.5 → 2
    expect(applyBps(29, 500)).toBe(1); // 1.45 → 1
    expect(applyBps(12_345, 333)).toBe(411); // 411.0885
    expect(applyBps(0, 1_000)).toBe(0);
    expect(applyBps(1_000, 0)).toBe(0);
    expect(applyBps(1_000, 10_000)).toBe(1_000);
    expect(applyPercent(19_900, 3.5)).toBe(697); // 696.5 → 697
    expect(applyBps(MAX_WON, 10_000)).toBe(MAX_WON); // no precision loss at the top
    expect(applyBps(MAX_WON, 5_000)).toBe(4_503_599_627_370_496); // 4503599627370495.5 → up
  });

  it("refuses bad rates", () => {
    expect(() => applyBps(100, -1)).toThrow(MoneyError);
    expect(() => applyBps(100, 10_001)).toThrow(MoneyError);
    expect(() => applyBps(100, 1.5)).toThrow(MoneyError);
    expect(() => percentToBps(3.555)).toThrow(/two decimals/);
    expect(() => percentToBps(101)).toThrow(/between 0 and 100/);
    expect(percentToBps(3.5)).toBe(350);
    expect(percentToBps(0.07)).toBe(7);
  });

  it("splits a total into half-up shares and reports the remainder", () => {
    expect(splitTotal(10_000, 3)).toEqual({ perShare: 3_333, shares: 3, remainder: 1 });
    expect(splitTotal(10_001, 2)).toEqual({ perShare: 5_001, shares: 2, remainder: -1 });
    expect(splitTotal(9_999, 1)).toEqual({ perShare: 9_999, shares: 1, remainder: 0 });
    expect(splitTotal(0, 7)).toEqual({ perShare: 0, shares: 7, remainder: 0 });
    expect(() => splitTotal(100, 0)).toThrow(MoneyError);
    expect(() => splitTotal(100.5, 2)).toThrow(MoneyError);
  });

  it("split invariant: perShare × shares + remainder = total, |remainder| ≤ shares/2", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 1, max: 10_000 }), (total, shares) => {
        const s = splitTotal(total, shares);
        expect(s.perShare * s.shares + s.remainder).toBe(total);
        expect(Math.abs(s.remainder) * 2).toBeLessThanOrEqual(shares);
      }),
    );
  });

  it("allocates exactly, proportionally", () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(10, [3, 7])).toEqual([3, 7]);
    expect(allocate(0, [1, 2])).toEqual([0, 0]);
    expect(() => allocate(10, [])).toThrow(MoneyError);
    expect(() => allocate(10, [0, 0])).toThrow(MoneyError);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e13 }),
        fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 20 }).filter((w) => w.some((x) => x > 0)),
        (total, weights) => {
          const parts = allocate(total, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          const sum = weights.reduce((a, b) => a + b, 0);
          parts.forEach((p, i) => {
            expect(Math.abs(p - (total * weights[i]) / sum)).toBeLessThan(1.0001);
          });
        },
      ),
    );
  });

  it("refund fee shares: refunding every purchase, in any order, gives back exactly the fee taken", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 2_000_000 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 1_000 }),
        (purchases, feeBps, seed) => {
          const gross = purchases.reduce((a, b) => a + b, 0);
          const order = [...purchases].sort((a, b) => ((a * 7919 + seed) % 101) - ((b * 7919 + seed) % 101));
          let refundedBefore = 0;
          let returned = 0;
          for (const refund of order) {
            const share = refundFeeShare({ gross, refundedBefore, refund, feeBps });
            expect(share).toBeGreaterThanOrEqual(0);
            expect(share).toBeLessThanOrEqual(refund);
            refundedBefore += refund;
            returned += share;
            // what stays taken is the fee on what is left, by the same rule
            expect(applyBps(gross, feeBps) - returned).toBe(applyBps(gross - refundedBefore, feeBps));
          }
          expect(returned).toBe(applyBps(gross, feeBps));
        },
      ),
    );
    // the 5 % fee of a 20,000-won buy, two 10,000-won purchases: 500 back each
    expect(refundFeeShare({ gross: 20_000, refundedBefore: 0, refund: 10_000, feeBps: 500 })).toBe(500);
    // 3 × 3,333 won at 5 %: fee 500 (499.95 rounds up); shares 167 + 166 + 167, never a won lost
    expect(
      [0, 3_333, 6_666].map((before) =>
        refundFeeShare({ gross: 9_999, refundedBefore: before, refund: 3_333, feeBps: 500 }),
      ),
    ).toEqual([167, 166, 167]);
    expect(() => refundFeeShare({ gross: 1_000, refundedBefore: 900, refund: 200, feeBps: 500 })).toThrow(MoneyError);
  });
});
