import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { formatRelative } from "../../client/src/lib/format";
import { createTicker, redrawAfter, type TickerHost } from "../../client/src/lib/ticker";

// Relative times ("3분 전") move on by themselves: one shared timer (client/src/lib/ticker.ts) at a cadence that fits
// their age, asleep while the tab is hidden. Before it a list drawn at 12:00 said "지금" until something redrew it.

function page() {
  let hidden = false;
  let onChange: (() => void) | null = null;
  const host: TickerHost = {
    now: () => Date.now(),
    setTimeout: (run, ms) => setTimeout(run, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    hidden: () => hidden,
    onVisibilityChange: (run) => {
      onChange = run;
    },
  };
  return {
    ticker: createTicker(host),
    setHidden(value: boolean) {
      hidden = value;
      onChange?.();
    },
  };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.UTC(2026, 11, 3, 3, 0)); // 12:00 in Korea
});
afterEach(() => vi.useRealTimers());

describe("relative times on one ticker", () => {
  it("'지금' becomes '1분 전' and then '2분 전' without anything else redrawing", () => {
    const { ticker } = page();
    const at = Date.now();
    let shown = formatRelative(at, "ko");
    ticker.watch(at, (now) => {
      shown = formatRelative(at, "ko", now);
    });
    expect(shown).toBe("지금");
    vi.advanceTimersByTime(MINUTE);
    expect(shown).toBe("1분 전");
    vi.advanceTimersByTime(MINUTE);
    expect(shown).toBe("2분 전");
  });

  it("keeps one timer however many times are on screen, and none once they are gone", () => {
    const { ticker } = page();
    const stops = Array.from({ length: 200 }, (_, i) => ticker.watch(Date.now() - i * 7 * MINUTE, () => {}));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(10 * MINUTE);
    expect(vi.getTimerCount()).toBe(1);
    for (const stop of stops) stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("redraws every 30 s under an hour, every 5 minutes within a day, hourly after", () => {
    expect([redrawAfter(0), redrawAfter(59 * MINUTE), redrawAfter(2 * HOUR), redrawAfter(3 * 24 * HOUR)]).toEqual([
      30_000,
      30_000,
      5 * MINUTE,
      HOUR,
    ]);
    const { ticker } = page();
    const draws = { fresh: 0, hours: 0, days: 0 };
    ticker.watch(Date.now(), () => draws.fresh++);
    ticker.watch(Date.now() - 2 * HOUR, () => draws.hours++);
    ticker.watch(Date.now() - 3 * 24 * HOUR, () => draws.days++);
    vi.advanceTimersByTime(HOUR);
    // 30 s while under an hour old, then every 5 minutes
    expect(draws).toEqual({ fresh: 120, hours: 12, days: 1 });
  });

  it("sleeps while the tab is hidden and catches up the moment it is shown", () => {
    const { ticker, setHidden } = page();
    const at = Date.now();
    const draws: number[] = [];
    ticker.watch(at, (now) => draws.push(now));
    setHidden(true);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10 * MINUTE);
    expect(draws).toEqual([]);
    setHidden(false);
    expect(draws.map((now) => formatRelative(at, "ko", now))).toEqual(["10분 전"]);
    expect(vi.getTimerCount()).toBe(1);
  });
});
