import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { en } from "../../client/src/i18n/en";
import { ko } from "../../client/src/i18n/ko";
import { notificationLines } from "../../client/src/lib/notificationText";
import { addMonthsKst, kstMonth, kstMonthStart } from "../../worker/membership/calendar";
import { PLUS, TIERS, tierLevelFor } from "../../worker/membership/config";
import { quoteDiscount } from "../../worker/membership/discount";
import { canJoinEarly } from "../../worker/membership/hooks";
import { attribute, type LotRow } from "../../worker/membership/lots";

const kst = (y: number, m: number, d: number, h = 0, min = 0) => Date.UTC(y, m - 1, d, h - 9, min);

// Dates leave out the year when it is this one: they are read from a fixed today (3 Dec 2026, 15:00 KST).
beforeAll(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.UTC(2026, 11, 3, 6, 0));
});
afterAll(() => vi.useRealTimers());

describe("membership calendar (Korea time)", () => {
  it("names the Korean month, not the UTC one", () => {
    // 2026-03-31 23:30 KST is still March in UTC+9 terms, 2026-04-01 00:10 KST is April (UTC still says March 31)
    expect(kstMonth(kst(2026, 3, 31, 23, 30))).toBe("2026-03");
    expect(kstMonth(kst(2026, 4, 1, 0, 10))).toBe("2026-04");
    expect(kstMonthStart(kst(2026, 4, 17), 1)).toBe(kst(2026, 5, 1));
    expect(kstMonthStart(kst(2026, 12, 17), 1)).toBe(kst(2027, 1, 1));
  });

  it("adds months from an anchor, clamping to the month's last day", () => {
    const jan31 = kst(2026, 1, 31, 14, 5);
    expect(addMonthsKst(jan31, 1)).toBe(kst(2026, 2, 28, 14, 5));
    expect(addMonthsKst(jan31, 2)).toBe(kst(2026, 3, 31, 14, 5));
    expect(addMonthsKst(kst(2028, 1, 31), 1)).toBe(kst(2028, 2, 29));
    expect(addMonthsKst(kst(2026, 5, 31, 1), -3)).toBe(kst(2026, 2, 28, 1));
    expect(addMonthsKst(kst(2026, 3, 10), 12)).toBe(kst(2027, 3, 10));
  });

  it("round-trips: n months forward then back lands on the same time when no clamping happens", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2024, max: 2030 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: -24, max: 24 }),
        (y, m, d, n) => {
          const t = kst(y, m, d, 13, 7);
          expect(addMonthsKst(addMonthsKst(t, n), -n)).toBe(t);
        },
      ),
    );
  });
});

describe("tiers", () => {
  it("has the configured thresholds, discounts and rewards", () => {
    expect(TIERS.map((t) => [t.id, t.minSpend, t.discountBps, t.rewardBps])).toEqual([
      ["sprout", 0, 0, 50],
      ["neighbor", 100_000, 100, 100],
      ["regular", 300_000, 200, 150],
      ["vip", 1_000_000, 300, 200],
    ]);
    expect(PLUS).toMatchObject({ priceWon: 4_900, extraRewardBps: 200 });
  });

  it("reaches a tier exactly at its threshold", () => {
    expect(tierLevelFor(0)).toBe(0);
    expect(tierLevelFor(99_999)).toBe(0);
    expect(tierLevelFor(100_000)).toBe(1);
    expect(tierLevelFor(299_999)).toBe(1);
    expect(tierLevelFor(300_000)).toBe(2);
    expect(tierLevelFor(999_999)).toBe(2);
    expect(tierLevelFor(1_000_000)).toBe(3);
    expect(tierLevelFor(50_000_000)).toBe(3);
  });
});

describe("discount rounding (money module: half-up to the won)", () => {
  const neighbor = { id: "neighbor" as const, discountBps: 100 };
  it("1 % of 149 / 150 / 151 won", () => {
    expect(quoteDiscount(149, neighbor)).toMatchObject({ discount: 1, net: 148 });
    expect(quoteDiscount(150, neighbor)).toMatchObject({ discount: 2, net: 148 });
    expect(quoteDiscount(151, neighbor)).toMatchObject({ discount: 2, net: 149 });
    expect(quoteDiscount(49, neighbor)).toMatchObject({ discount: 0, net: 49 });
    expect(quoteDiscount(50, neighbor)).toMatchObject({ discount: 1, net: 49 });
  });
  it("3 % of 16,650 is 499.5 → 500; of 16,649 is 499.47 → 499", () => {
    const vip = { id: "vip" as const, discountBps: 300 };
    expect(quoteDiscount(16_650, vip).discount).toBe(500);
    expect(quoteDiscount(16_649, vip).discount).toBe(499);
  });
  it("gross = net + discount, and the discount never exceeds the rate", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000_000 }), fc.constantFrom(...TIERS), (gross, tier) => {
        const q = quoteDiscount(gross, tier);
        expect(q.net + q.discount).toBe(gross);
        expect(q.net).toBeGreaterThanOrEqual(1);
        expect(q.discount * 10_000).toBeLessThanOrEqual(gross * tier.discountBps + 5_000);
      }),
    );
  });
});

function lot(id: string, amount: number, expiresAt: number, clawed = 0): LotRow {
  return {
    id,
    userId: "u",
    book: "b",
    purchaseId: id,
    groupBuyId: "g",
    base: amount,
    bonus: 0,
    amount,
    clawed,
    expired: 0,
    earnedAt: expiresAt - 1000,
    expiresAt,
    noticeAt: null,
    closedAt: null,
    clawbackId: null,
  };
}

describe("reward lot attribution", () => {
  it("spending consumed the soonest-expiring lots first", () => {
    const lots = [lot("b", 300, 20), lot("a", 200, 10), lot("c", 100, 30)];
    // 600 earned, 250 spent → a fully gone, b 250 left, c untouched
    const { lots: out, withoutExpiry } = attribute(lots, 350);
    expect(out.map((l) => [l.id, l.remaining])).toEqual([
      ["a", 0],
      ["b", 250],
      ["c", 100],
    ]);
    expect(withoutExpiry).toBe(0);
  });
  it("points beyond every lot have no expiry (grants), clawed parts hold nothing", () => {
    const { lots: out, withoutExpiry } = attribute([lot("a", 200, 10, 50)], 500);
    expect(out[0].remaining).toBe(150);
    expect(withoutExpiry).toBe(350);
  });
  it("never attributes more than is available or than a lot holds", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ amount: fc.integer({ min: 1, max: 10_000 }), expiresAt: fc.integer({ min: 0, max: 100 }) }),
          { maxLength: 12 },
        ),
        fc.integer({ min: -100, max: 200_000 }),
        (specs, available) => {
          const { lots: out, withoutExpiry } = attribute(
            specs.map((s, i) => lot(`l${i}`, s.amount, s.expiresAt)),
            available,
          );
          const total = out.reduce((s, l) => s + l.remaining, 0);
          expect(total + withoutExpiry).toBe(Math.max(0, available));
          for (const l of out) expect(l.remaining).toBeGreaterThanOrEqual(0);
          for (const l of out) expect(l.remaining).toBeLessThanOrEqual(l.amount);
          // a later-expiring lot is drained only after every earlier one is empty
          for (let i = 0; i + 1 < out.length; i++) {
            if (out[i + 1].remaining < out[i + 1].amount) expect(out[i].remaining).toBe(0);
          }
        },
      ),
    );
  });
});

describe("Plus early access", () => {
  const openedAt = kst(2026, 3, 10, 10);
  it("first hour: Plus only if the seller chose it; after that everyone", () => {
    expect(canJoinEarly({ openedAt, plusEarlyAccess: true, isPlus: false, now: openedAt + 59 * 60_000 })).toBe(false);
    expect(canJoinEarly({ openedAt, plusEarlyAccess: true, isPlus: true, now: openedAt + 1 })).toBe(true);
    expect(canJoinEarly({ openedAt, plusEarlyAccess: true, isPlus: false, now: openedAt + 3_600_000 })).toBe(true);
    expect(canJoinEarly({ openedAt, plusEarlyAccess: false, isPlus: false, now: openedAt })).toBe(true);
  });
});

describe("membership notification text", () => {
  const t = (dict: Record<string, string>) => (key: string, params?: Record<string, string>) =>
    params ? dict[key].replace(/\{(\w+)\}/g, (m, name: string) => params[name] ?? m) : dict[key];
  const base = { id: "01JAAAAAAAAAAAAAAAAAAAAAAA", readAt: null, createdAt: 0 };

  it("says up or down by tier order, in both languages", () => {
    const up = {
      ...base,
      kind: "membership.tier_changed" as const,
      params: { tier: "vip" as const, previousTier: "regular" as const },
    };
    const down = { ...up, params: { tier: "sprout" as const, previousTier: "neighbor" as const } };
    expect(notificationLines(up, t(ko))).toEqual(["축하해요! 멤버십 등급이 VIP 등급으로 올랐어요."]);
    expect(notificationLines(down, t(ko))[0]).toContain("새싹 등급으로 조정");
    expect(notificationLines(down, t(en))[0]).toContain("your tier this month is Sprout");
  });

  it("shows Korean-calendar dates and won amounts; adds the short-of-points line only when short", () => {
    // 2026-03-31 23:30 KST is 14:30 UTC: the date shown must be the Korean one
    const renewsAt = Date.UTC(2026, 2, 31, 14, 30);
    const soon = {
      ...base,
      kind: "membership.plus_renewal_soon" as const,
      params: { renewsAt, priceWon: 4_900, enoughPoints: true },
    };
    expect(notificationLines(soon, t(ko))).toEqual(["공구 플러스가 3월 31일 (화)에 자동 갱신돼요 (4,900원)."]);
    expect(notificationLines({ ...soon, params: { ...soon.params, enoughPoints: false } }, t(en))).toHaveLength(2);
    const claw = {
      ...base,
      kind: "membership.reward_clawed_back" as const,
      params: { groupBuyId: base.id, amountWon: 1_940, fromChargedWon: 0 },
    };
    expect(notificationLines(claw, t(ko))).toEqual(["환불된 주문으로 받은 적립금 1,940원을 회수했어요."]);
  });
});
