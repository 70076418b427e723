import { formatDateTime as formatIn, localeTag, TIME_ZONE } from "../lib/format";
import { type Locale, locale } from "../lib/i18n";

// A form's local date and time is Korean time, like every time the app shows, whatever zone the device is set to (a
// seller abroad, a laptop on UTC).

/** A DateTimeField's value ("YYYY-MM-DDTHH:mm"), read as Korean time → epoch ms (NaN when empty or invalid). */
export function fromLocalInput(value: string): number {
  return value ? Date.parse(`${value}+09:00`) : Number.NaN;
}

/** Epoch ms → a date and time in Korean time, in the reader's language (reactive on it, like `t`). */
export function formatDateTime(epochMs: number): string {
  return formatIn(epochMs, locale());
}

const DAY_S = 86_400;
const tickFormats = new Map<string, Intl.DateTimeFormat>();

/** A formatter of one part of an instant in Korean time, in the reader's language (made once per kind). */
function tickFormat(loc: Locale, part: "hour" | "minute" | "day"): Intl.DateTimeFormat {
  const key = `${loc}:${part}`;
  let format = tickFormats.get(key);
  if (!format) {
    const options: Intl.DateTimeFormatOptions =
      part === "day"
        ? { month: "short", day: "numeric" }
        : loc === "en"
          ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }
          : part === "hour"
            ? { hour: "numeric" }
            : { hour: "numeric", minute: "2-digit" };
    format = new Intl.DateTimeFormat(localeTag(loc), { ...options, timeZone: TIME_ZONE });
    tickFormats.set(key, format);
  }
  return format;
}

/**
 * A time axis's tick labels (ticks in epoch seconds, `incrSeconds` apart) in Korean time and the reader's language,
 * like every other date in the app (uPlot's own labels are English "3pm"): hourly ticks read "오후 3시" / "15:00", with
 * the day under the first tick and under each tick that starts a new day; daily ticks read "12월 3일" / "3 Dec".
 */
export function timeAxisLabels(ticks: number[], incrSeconds: number, loc: Locale): string[] {
  const day = tickFormat(loc, "day");
  if (incrSeconds >= DAY_S) return ticks.map((s) => day.format(s * 1000));
  const time = tickFormat(loc, incrSeconds % 3600 === 0 ? "hour" : "minute");
  let lastDay = "";
  return ticks.map((s) => {
    const date = day.format(s * 1000);
    const label = time.format(s * 1000);
    if (date === lastDay) return label;
    lastDay = date;
    return `${label}\n${date}`;
  });
}
