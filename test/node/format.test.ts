import { describe, expect, test } from "vitest";
import { formatDate, formatWon } from "../../client/src/lib/format";

describe("client formatters", () => {
  test("formatWon shows integer won the Korean way", () => {
    expect(formatWon(12000)).toBe("₩12,000");
    expect(formatWon(0)).toBe("₩0");
    expect(formatWon(-3500)).toBe("-₩3,500");
    expect(formatWon(1_234_567_890)).toBe("₩1,234,567,890");
  });

  test("formatWon refuses fractions and unsafe numbers (money is integer won)", () => {
    expect(() => formatWon(0.5)).toThrow(RangeError);
    expect(() => formatWon(Number.NaN)).toThrow(RangeError);
    expect(() => formatWon(2 ** 53)).toThrow(RangeError);
  });

  test("formatDate shows Korean time whatever the machine's zone", () => {
    const lateUtc = Date.UTC(2026, 10, 30, 20, 0); // 30 Nov 20:00 UTC = 1 Dec 05:00 KST
    expect(formatDate(lateUtc, "ko")).toBe("2026년 12월 1일");
    expect(formatDate(lateUtc, "en")).toBe("1 Dec 2026");
  });
});
