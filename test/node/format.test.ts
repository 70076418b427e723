import { describe, expect, test } from "vitest";
import { ko } from "../../client/src/i18n/ko";
import {
  formatDate,
  formatDateTime,
  formatDateTimeRange,
  formatRelative,
  formatTime,
  formatWon,
  formatWonDelta,
} from "../../client/src/lib/format";
import { fillWords } from "../../shared/words";

const kst = (y: number, mo: number, d: number, h = 0, mi = 0) => Date.UTC(y, mo - 1, d, h - 9, mi);

describe("formatWon: money as Korean apps write it", () => {
  test("Korean writes the amount and 원; English keeps the won sign", () => {
    expect(formatWon(4900, "ko")).toBe("4,900원");
    expect(formatWon(4900, "en")).toBe("₩4,900");
    expect(formatWon(0, "ko")).toBe("0원");
    expect(formatWon(0, "en")).toBe("₩0");
    expect(formatWon(-2000, "ko")).toBe("-2,000원");
    expect(formatWon(-2000, "en")).toBe("-₩2,000");
    expect(formatWon(1_234_567_890, "ko")).toBe("1,234,567,890원");
    expect(formatWon(Number.MAX_SAFE_INTEGER, "ko")).toBe("9,007,199,254,740,991원");
    expect(formatWon(1_234_567_890, "en")).toBe("₩1,234,567,890");
  });

  test("a movement says its direction: + in, - out, none for 0", () => {
    expect(formatWonDelta(50_000, "ko")).toBe("+50,000원");
    expect(formatWonDelta(-2000, "ko")).toBe("-2,000원");
    expect(formatWonDelta(0, "ko")).toBe("0원");
    expect(formatWonDelta(160, "en")).toBe("+₩160");
  });

  test("refuses fractions and unsafe numbers (money is integer won)", () => {
    for (const locale of ["ko", "en"] as const) {
      expect(() => formatWon(0.5, locale)).toThrow(RangeError);
      expect(() => formatWon(Number.NaN, locale)).toThrow(RangeError);
      expect(() => formatWon(2 ** 53, locale)).toThrow(RangeError);
    }
  });

  test("sentences read right with the particle after 원", () => {
    const say = (key: keyof typeof ko, params: Record<string, string>) => fillWords(ko[key], params);
    expect(say("plus.subscribe", { price: formatWon(4900, "ko") })).toBe("4,900원으로 가입하기");
    expect(say("refusal.refund_exceeds_refundable", { refundable: formatWon(12000, "ko") })).toBe(
      "지금 환불할 수 있는 금액은 12,000원이에요.",
    );
    expect(say("charge.deferred", { amount: formatWon(30000, "ko") })).toContain("포인트 30,000원을 먼저 드렸어요");
    expect(say("notification.charge.succeeded", { title: "귤", amount: formatWon(4900, "ko") })).toBe(
      "'귤' 결제 4,900원이 완료됐어요.",
    );
    expect(say("charge.submit", { amount: formatWon(10000, "ko") })).toBe("10,000원 충전하기");
  });
});

describe("dates in Korean time", () => {
  const now = kst(2026, 12, 6, 23, 0); // Sunday 6 Dec 2026, 23:00 KST

  test("a date and time: month, day and weekday; the year only when not this year", () => {
    const at = kst(2026, 12, 6, 22, 56);
    expect(formatDateTime(at, "ko", now)).toBe("12월 6일 (일) 오후 10:56");
    expect(formatDateTime(at, "en", now)).toBe("Sun 6 Dec, 22:56");
    const lastYear = kst(2025, 12, 6, 9, 5);
    expect(formatDateTime(lastYear, "ko", now)).toBe("2025년 12월 6일 (토) 오전 9:05");
    expect(formatDateTime(lastYear, "en", now)).toBe("Sat 6 Dec 2025, 09:05");
    expect(formatTime(at, "ko")).toBe("오후 10:56");
  });

  test("the day is Korea's whatever the machine's zone", () => {
    const lateUtc = Date.UTC(2026, 10, 30, 20, 0); // 30 Nov 20:00 UTC = 1 Dec 05:00 KST
    expect(formatDate(lateUtc, "ko", now)).toBe("12월 1일 (화)");
    expect(formatDate(lateUtc, "en", now)).toBe("Tue 1 Dec");
    expect(formatDate(kst(2027, 1, 1), "ko", now)).toBe("2027년 1월 1일 (금)");
    // the year turns at midnight in Korea, not in UTC
    expect(formatDate(kst(2027, 1, 1, 1), "en", kst(2027, 1, 1, 0, 30))).toBe("Fri 1 Jan");
  });

  test("recent things read as how long ago", () => {
    const ago = (ms: number, locale: "ko" | "en") => formatRelative(now - ms, locale, now);
    expect(ago(20_000, "ko")).toBe("지금");
    expect(ago(-5_000, "ko")).toBe("지금"); // a clock a little ahead
    expect(ago(3 * 60_000, "ko")).toBe("3분 전");
    expect(ago(3 * 60_000, "en")).toBe("3 minutes ago");
    expect(ago(5 * 3_600_000, "ko")).toBe("5시간 전");
    expect(formatRelative(kst(2026, 12, 5, 22, 0), "ko", now)).toBe("어제");
    expect(formatRelative(kst(2026, 12, 5, 22, 0), "en", now)).toBe("yesterday");
    // past midnight, an hour ago is yesterday
    expect(formatRelative(kst(2026, 12, 6, 23, 30), "ko", kst(2026, 12, 7, 0, 40))).toBe("어제");
    expect(formatRelative(kst(2026, 12, 3, 12, 0), "ko", now)).toBe("3일 전");
    expect(formatRelative(kst(2026, 11, 20, 12, 0), "ko", now)).toBe("11월 20일 (금)");
    expect(formatRelative(kst(2025, 11, 20, 12, 0), "en", now)).toBe("Thu 20 Nov 2025");
  });

  test("a pickup window within one Korean day writes the day once; across days, both in full", () => {
    const six = kst(2026, 12, 7, 18);
    expect(formatDateTimeRange(six, six + 2 * 3_600_000, "ko", now).join("")).toBe(
      "12월 7일 (월) 오후 6:00 ~ 오후 8:00",
    );
    expect(formatDateTimeRange(six, six + 2 * 3_600_000, "en", now).join("")).toBe("Mon 7 Dec, 18:00–20:00");
    // 18:00 to 02:00 crosses midnight in Korea
    expect(formatDateTimeRange(six, six + 8 * 3_600_000, "ko", now).join("")).toBe(
      "12월 7일 (월) 오후 6:00 ~ 12월 8일 (화) 오전 2:00",
    );
  });
});
