import { describe, expect, test } from "vitest";
import { timeAxisLabels } from "../../client/src/console/time";

const HOUR = 3600;
// 3 Dec 2026 13:00 KST (04:00 UTC): the admin chart's x ticks are epoch seconds.
const start = Date.UTC(2026, 11, 3, 4, 0) / 1000;

describe("the admin chart's time axis", () => {
  test("hourly ticks read in Korean time on the Korean screen, with the day under the first tick of each day", () => {
    const ticks = [0, 6, 12].map((h) => start + h * HOUR); // 13:00, 19:00 KST on 3 Dec, 01:00 KST on 4 Dec
    expect(timeAxisLabels(ticks, 6 * HOUR, "ko")).toEqual(["오후 1시\n12월 3일", "오후 7시", "오전 1시\n12월 4일"]);
    expect(timeAxisLabels(ticks, 6 * HOUR, "en")).toEqual(["13:00\n3 Dec", "19:00", "01:00\n4 Dec"]);
  });

  test("no English am/pm on the Korean axis, whatever the machine's zone", () => {
    const ticks = Array.from({ length: 48 }, (_, h) => start + h * HOUR);
    for (const label of timeAxisLabels(ticks, HOUR, "ko")) expect(label).not.toMatch(/am|pm|AM|PM/);
  });

  test("half-hour ticks keep their minutes; daily ticks are dates", () => {
    expect(timeAxisLabels([start + HOUR / 2], HOUR / 2, "ko")).toEqual(["오후 1:30\n12월 3일"]);
    const days = [0, 1, 2].map((d) => start + d * 24 * HOUR);
    expect(timeAxisLabels(days, 24 * HOUR, "ko")).toEqual(["12월 3일", "12월 4일", "12월 5일"]);
    expect(timeAxisLabels(days, 24 * HOUR, "en")).toEqual(["3 Dec", "4 Dec", "5 Dec"]);
  });
});
