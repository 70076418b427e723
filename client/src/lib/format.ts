import { KST_OFFSET_MS } from "../../../shared/kst";
import { WON_FORMAT } from "./bootKeys";
import type { Locale } from "./i18n";

// Intl formatters are made on first use, not when this module loads: building one loads ICU data, ~200 ms of a slow
// phone's CPU (×4) — the largest piece of script work before the home feed's first card. The won formatter is
// built by index.html's boot script while the page waits for its scripts (client/boot/early.js) and taken from there.
let won: Intl.NumberFormat | undefined;

/** Integer won → "₩12,000". Money is integer won everywhere; anything else is a bug upstream, so it throws. */
export function formatWon(amount: number): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`Money must be an integer number of won, got ${amount}`);
  won ??=
    (globalThis as { __gongguWon?: Intl.NumberFormat }).__gongguWon ??
    new Intl.NumberFormat(WON_FORMAT.locale, WON_FORMAT.options);
  return won.format(amount);
}

// Gonggu is a Korean neighbourhood service: times are shown in Korean time whatever the device's zone.
const dateFormats: Partial<Record<Locale, Intl.DateTimeFormat>> = {};

/** Epoch milliseconds → a date in Korean time, e.g. "2026년 11월 30일" / "30 Nov 2026". */
export function formatDate(epochMs: number, locale: Locale): string {
  dateFormats[locale] ??=
    locale === "ko"
      ? new Intl.DateTimeFormat("ko-KR", { dateStyle: "long", timeZone: "Asia/Seoul" })
      : new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "Asia/Seoul" });
  return dateFormats[locale].format(epochMs);
}

const dateTimeFormats: Partial<Record<Locale, Intl.DateTimeFormat>> = {};

/** Epoch milliseconds → a date and time in Korean time, e.g. "2026. 12. 3. 오후 3:00" / "3 Dec 2026, 15:00". */
export function formatDateTime(epochMs: number, locale: Locale): string {
  dateTimeFormats[locale] ??= new Intl.DateTimeFormat(locale === "ko" ? "ko-KR" : "en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "Asia/Seoul",
  });
  return dateTimeFormats[locale].format(epochMs);
}

const timeFormats: Partial<Record<Locale, Intl.DateTimeFormat>> = {};

/**
 * A window of Korean time as its two ends and what goes between: within one day the end is only a time
 * ("2026. 12. 7. 오후 6:00", " ~ ", "오후 8:00" / "7 Dec 2026, 18:00", "–", "20:00"); it repeated the date and year
 * for a window of two hours. Korean ranges take "~".
 */
export function formatDateTimeRange(startMs: number, endMs: number, locale: Locale): [string, string, string] {
  const day = (ms: number) => new Date(ms + KST_OFFSET_MS).toISOString().slice(0, 10);
  const from = formatDateTime(startMs, locale);
  if (day(startMs) !== day(endMs)) return [from, locale === "ko" ? " ~ " : " – ", formatDateTime(endMs, locale)];
  timeFormats[locale] ??= new Intl.DateTimeFormat(locale === "ko" ? "ko-KR" : "en-GB", {
    timeStyle: "short",
    timeZone: "Asia/Seoul",
  });
  return [from, locale === "ko" ? " ~ " : "–", timeFormats[locale].format(endMs)];
}

/** Metres → "850m" under a kilometre, else "3.2km" (one decimal). */
export function formatDistance(metres: number, locale: Locale): string {
  const km = metres >= 1000;
  return new Intl.NumberFormat(locale === "ko" ? "ko-KR" : "en-GB", {
    style: "unit",
    unit: km ? "kilometer" : "meter",
    maximumFractionDigits: km ? 1 : 0,
  }).format(km ? metres / 1000 : metres);
}
