import { TRPCError } from "@trpc/server";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GROUP_BUY_STATUSES, type GroupBuyStatus } from "../../shared/schemas/groupbuy";
import { sharePricing } from "../../worker/groupbuy/pricing";
import { type Actor, assertTransition, canTransition, deadlineOutcome } from "../../worker/groupbuy/stateMachine";

function codeOf(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof TRPCError) return e.code;
    throw e;
  }
}

describe("price per share", () => {
  it("rounds half-up to the won and reports the difference the seller owns", () => {
    // 10,000 / 3 = 3,333.33 → 3,333; buyers pay 9,999, the seller absorbs 1 won
    expect(sharePricing(10_000, 3)).toEqual({ pricePerShare: 3_333, collectedIfFilled: 9_999, roundingDifference: -1 });
    // 10,001 / 2 = 5,000.5 → 5,001 (exactly half rounds up); buyers pay 1 won more, the seller keeps it
    expect(sharePricing(10_001, 2)).toEqual({
      pricePerShare: 5_001,
      collectedIfFilled: 10_002,
      roundingDifference: 1,
    });
    // 20,000 / 3 = 6,666.67 → 6,667
    expect(sharePricing(20_000, 3).pricePerShare).toBe(6_667);
    expect(sharePricing(50_000, 50)).toEqual({
      pricePerShare: 1_000,
      collectedIfFilled: 50_000,
      roundingDifference: 0,
    });
  });

  it("never loses a won: per-share × shares − total is the reported difference, always under one share", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000, max: 10_000_000 }), fc.integer({ min: 2, max: 1_000 }), (total, shares) => {
        fc.pre(total / shares >= 100);
        const p = sharePricing(total, shares);
        expect(p.pricePerShare * shares - total).toBe(p.roundingDifference);
        expect(Math.abs(p.roundingDifference) * 2).toBeLessThanOrEqual(shares);
        expect(Number.isSafeInteger(p.pricePerShare)).toBe(true);
      }),
    );
  });

  it("refuses splits where a share would cost under 100 won", () => {
    expect(codeOf(() => sharePricing(1_000, 11))).toBe("BAD_REQUEST");
    expect(codeOf(() => sharePricing(1_000, 10))).toBeNull();
  });
});

describe("state machine", () => {
  const legal: [GroupBuyStatus, GroupBuyStatus, Actor][] = [
    ["OPEN", "FILLED", "system"],
    ["OPEN", "TIPPED", "system"],
    ["OPEN", "FAILED", "system"],
    ["OPEN", "CANCELLED", "seller"],
    ["OPEN", "CANCELLED", "host"],
    ["OPEN", "CANCELLED", "admin"],
    ["FILLED", "ORDERED", "seller"],
    ["TIPPED", "ORDERED", "seller"],
    ["FILLED", "CANCELLED", "seller"],
    ["TIPPED", "CANCELLED", "admin"],
    ["ORDERED", "READY", "seller"],
    ["READY", "COMPLETED", "system"],
  ];

  it("allows exactly the documented transitions", () => {
    for (const [from, to, actor] of legal)
      expect(
        codeOf(() => assertTransition(from, to, actor)),
        `${from}→${to}`,
      ).toBeNull();
  });

  it("refuses every other transition with PRECONDITION_FAILED", () => {
    const allowed = new Set(legal.map(([f, t]) => `${f}>${t}`));
    let checked = 0;
    for (const from of GROUP_BUY_STATUSES) {
      for (const to of GROUP_BUY_STATUSES) {
        if (allowed.has(`${from}>${to}`)) continue;
        expect(canTransition(from, to), `${from}→${to}`).toBe(false);
        for (const actor of ["system", "seller", "host", "admin"] as const) {
          expect(
            codeOf(() => assertTransition(from, to, actor)),
            `${from}→${to} by ${actor}`,
          ).toBe("PRECONDITION_FAILED");
        }
        checked++;
      }
    }
    expect(checked).toBe(64 - 10); // 8 × 8 pairs minus the 10 legal ones
  });

  it("refuses the wrong actor with FORBIDDEN, and a host cancelling after the fill with PRECONDITION_FAILED", () => {
    expect(codeOf(() => assertTransition("OPEN", "FILLED", "seller"))).toBe("FORBIDDEN");
    expect(codeOf(() => assertTransition("FILLED", "ORDERED", "host"))).toBe("FORBIDDEN");
    expect(codeOf(() => assertTransition("ORDERED", "READY", "admin"))).toBe("FORBIDDEN");
    expect(codeOf(() => assertTransition("READY", "COMPLETED", "seller"))).toBe("FORBIDDEN");
    expect(codeOf(() => assertTransition("FILLED", "CANCELLED", "host"))).toBe("PRECONDITION_FAILED");
  });

  it("tips at the deadline with at least the minimum, else fails", () => {
    expect(deadlineOutcome(5, 5)).toBe("TIPPED");
    expect(deadlineOutcome(4, 5)).toBe("FAILED");
    expect(deadlineOutcome(0, 1)).toBe("FAILED");
  });
});
