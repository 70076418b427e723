import { kstWallClock } from "../../../shared/kst";
import { dayParts, localeTag, timeParts } from "./format";
import type { Locale } from "./i18n";

// Dates and times people pick, as choices worded in the reader's language and counted in Korean time: a native
// <input type="date|month|datetime-local"> showed the browser's locale ("12/04/2026, 06:00 PM", "December 2026" in a
// Korean app) and looked different on every form. Values stay machine-readable: "YYYY-MM-DD", "HH:mm", "YYYY-MM".

export type Choice = readonly [value: string, text: string];

const DAY_MS = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per locale and kind, made on first use (building one loads ICU data). Dates given as UTC midnights. */
function format(locale: Locale, kind: "day" | "time" | "month"): Intl.DateTimeFormat {
  const key = `${locale}:${kind}`;
  let f = formats.get(key);
  if (!f) {
    // days and times as format.ts writes them everywhere else (formatDate, formatTime)
    const options: Intl.DateTimeFormatOptions =
      kind === "day" ? dayParts(locale) : kind === "month" ? { year: "numeric", month: "long" } : timeParts;
    f = new Intl.DateTimeFormat(localeTag(locale), { ...options, timeZone: "UTC" });
    formats.set(key, f);
  }
  return f;
}

/** `count` Korean days from the one `fromMs` falls on: "12월 4일 (금)" / "Fri 4 Dec". */
export function dayChoices(fromMs: number, count: number, locale: Locale): Choice[] {
  const first = Date.parse(`${kstWallClock(fromMs).slice(0, 10)}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => {
    const day = first + i * DAY_MS;
    return [new Date(day).toISOString().slice(0, 10), format(locale, "day").format(day)] as const;
  });
}

/** The day's times every `stepMinutes`: "오후 6:00" / "18:00". */
export function timeChoices(stepMinutes: number, locale: Locale): Choice[] {
  return Array.from({ length: (24 * 60) / stepMinutes }, (_, i) => {
    const at = i * stepMinutes * 60_000;
    return [new Date(at).toISOString().slice(11, 16), format(locale, "time").format(at)] as const;
  });
}

/** The Korean month `nowMs` is in and the `count - 1` before it, newest first: "2026년 12월" / "December 2026". */
export function monthChoices(nowMs: number, count: number, locale: Locale): Choice[] {
  const [year, month] = kstWallClock(nowMs).slice(0, 7).split("-").map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) => {
    const first = Date.UTC(year, month - 1 - i, 1);
    return [new Date(first).toISOString().slice(0, 7), format(locale, "month").format(first)] as const;
  });
}

/** The Korean day `days` after the one `fromMs` falls on, at `time` ("HH:mm"), as a day and time choice's value. */
export function kstDayAt(fromMs: number, days: number, time: string): string {
  return `${kstWallClock(fromMs + days * DAY_MS).slice(0, 10)}T${time}`;
}
