import { describe, expect, it } from "vitest";
import { formatDate, formatTime } from "../../client/src/lib/format";
import { dayChoices, kstDayAt, monthChoices, timeChoices } from "../../client/src/lib/kstChoices";

// 2026-12-03 23:30 UTC is Friday 4 December, 08:30 in Korea.
const AT = Date.UTC(2026, 11, 3, 23, 30);

describe("dates and times to pick, in Korean time and the reader's language (not the browser's)", () => {
  it("days start on the Korean day and read 12월 4일 (금) / Fri 4 Dec", () => {
    expect(dayChoices(AT, 3, "ko")).toEqual([
      ["2026-12-04", "12월 4일 (금)"],
      ["2026-12-05", "12월 5일 (토)"],
      ["2026-12-06", "12월 6일 (일)"],
    ]);
    expect(dayChoices(AT, 1, "en")).toEqual([["2026-12-04", "Fri 4 Dec"]]);
  });

  it("times every 30 minutes read 오후 6:00 / 18:00", () => {
    const ko = timeChoices(30, "ko");
    expect(ko).toHaveLength(48);
    expect(ko[0]).toEqual(["00:00", "오전 12:00"]);
    expect(ko[36]).toEqual(["18:00", "오후 6:00"]);
    expect(timeChoices(30, "en")[37]).toEqual(["18:30", "18:30"]);
  });

  it("reads each day and time as the rest of the app writes that Korean instant (format.ts, one rule)", () => {
    for (const locale of ["ko", "en"] as const) {
      for (const [value, text] of timeChoices(15, locale)) {
        expect(text, value).toBe(formatTime(Date.parse(`2026-12-04T${value}:00+09:00`), locale));
      }
      for (const [value, text] of dayChoices(AT, 14, locale)) {
        expect(text, value).toBe(formatDate(Date.parse(`${value}T12:00:00+09:00`), locale, AT));
      }
    }
  });

  it("months newest first across a year, 2026년 12월 / December 2026", () => {
    expect(monthChoices(AT, 13, "ko").map(([v]) => v)).toEqual([
      "2026-12",
      "2026-11",
      "2026-10",
      "2026-09",
      "2026-08",
      "2026-07",
      "2026-06",
      "2026-05",
      "2026-04",
      "2026-03",
      "2026-02",
      "2026-01",
      "2025-12",
    ]);
    expect(monthChoices(AT, 1, "ko")).toEqual([["2026-12", "2026년 12월"]]);
    expect(monthChoices(AT, 1, "en")).toEqual([["2026-12", "December 2026"]]);
    // the last hours of a UTC month are already the next Korean month
    expect(monthChoices(Date.UTC(2026, 10, 30, 20), 1, "ko")[0]?.[0]).toBe("2026-12");
  });

  it("a form's default is a time of a Korean day (tomorrow evening, not 24 hours from a late night)", () => {
    expect(kstDayAt(AT, 1, "21:00")).toBe("2026-12-05T21:00");
    expect(kstDayAt(Date.UTC(2026, 11, 3, 14, 50), 0, "18:00")).toBe("2026-12-03T18:00"); // 23:50 in Korea
  });
});
