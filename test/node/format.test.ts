import { describe, expect, test } from "vitest";
import { formatDate, formatDateTimeRange, formatWon } from "../../client/src/lib/format";

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

  test("a pickup window within one Korean day writes the day once; across days, both in full", () => {
    const six = Date.UTC(2026, 11, 7, 9, 0); // 18:00 KST
    expect(formatDateTimeRange(six, six + 2 * 3_600_000, "ko").join("")).toBe("2026. 12. 7. 오후 6:00 ~ 오후 8:00");
    expect(formatDateTimeRange(six, six + 2 * 3_600_000, "en").join("")).toBe("7 Dec 2026, 18:00–20:00");
    // 18:00 to 02:00 crosses midnight in Korea
    expect(formatDateTimeRange(six, six + 8 * 3_600_000, "ko").join("")).toBe(
      "2026. 12. 7. 오후 6:00 ~ 2026. 12. 8. 오전 2:00",
    );
  });

  test("formatDate shows Korean time whatever the machine's zone", () => {
    const lateUtc = Date.UTC(2026, 10, 30, 20, 0); // 30 Nov 20:00 UTC = 1 Dec 05:00 KST
    expect(formatDate(lateUtc, "ko")).toBe("2026년 12월 1일");
    expect(formatDate(lateUtc, "en")).toBe("1 Dec 2026");
  });
});
