import { KST_OFFSET_MS } from "../../../shared/kst";
import { type Locale, WON_FORMAT } from "./bootKeys";

// Intl formatters are made on first use, not when this module loads: building one loads ICU data, ~200 ms of a slow
// phone's CPU (×4) — the largest piece of script work before the home feed's first card. The Korean grouping
// formatter (all a Korean amount needs) is built by index.html's boot script while the page waits for its scripts
// (client/boot/early.js) and taken from there.
let grouping: Intl.NumberFormat | undefined;
let wonEn: Intl.NumberFormat | undefined;

/** Digits grouped by Intl.NumberFormat('ko-KR'): 10000 → "10,000" (formatWon and the typed-amount field share it). */
export function groupDigits(n: number): string {
  grouping ??=
    (globalThis as { __gongguWon?: Intl.NumberFormat }).__gongguWon ??
    new Intl.NumberFormat(WON_FORMAT.locale, WON_FORMAT.options);
  return grouping.format(n);
}

/**
 * Integer won as money text: Korean writes the amount and 원 ("4,900원", "-2,000원", "0원"), as Korean payment apps
 * do; English keeps the currency sign ("₩4,900", "-₩2,000"). Either way it ends in 원 when read aloud, so a Korean
 * particle after it takes the consonant form (원을, 원이, 원으로: test/node/korean-particles.test.ts).
 * Money is integer won everywhere; anything else is a bug upstream, so it throws.
 */
export function formatWon(amount: number, locale: Locale): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`Money must be an integer number of won, got ${amount}`);
  if (locale === "ko") return `${groupDigits(amount)}원`;
  wonEn ??= new Intl.NumberFormat("ko-KR", { style: "currency", currency: "KRW" });
  return wonEn.format(amount);
}

/** A movement of won with its direction: "+50,000원" in, "-2,000원" out (wallet lines and the month's totals). */
export function formatWonDelta(delta: number, locale: Locale): string {
  return `${delta > 0 ? "+" : ""}${formatWon(delta, locale)}`;
}

// Gonggu is a Korean neighbourhood service: times are shown in Korean time whatever the device's zone.
/** Korean time: every instant the app shows or lets people pick. */
export const TIME_ZONE = "Asia/Seoul";
const kstYear = (epochMs: number) => new Date(epochMs + KST_OFFSET_MS).getUTCFullYear();
/** Days since the epoch on Korea's calendar: two instants on the same Korean day share it. */
const kstDay = (epochMs: number) => Math.floor((epochMs + KST_OFFSET_MS) / 86_400_000);
/** The BCP 47 tag each of the app's languages formats with. */
export const localeTag = (locale: Locale) => (locale === "ko" ? "ko-KR" : "en-GB");

const dayFormats: Partial<Record<Locale, Intl.DateTimeFormat>> = {};
const timeFormats: Partial<Record<Locale, Intl.DateTimeFormat>> = {};
const relativeFormats: Partial<Record<Locale, Intl.RelativeTimeFormat>> = {};

/** The parts a day is written with, "12월 6일 (일)" / "Sun 6 Dec" (also the day choices of lib/kstChoices.ts). */
export const dayParts = (locale: Locale): Intl.DateTimeFormatOptions => ({
  month: locale === "ko" ? "long" : "short",
  day: "numeric",
  weekday: "short",
});

/** The parts a time of day is written with, "오후 10:56" / "22:56" (also the time choices of lib/kstChoices.ts). */
export const timeParts: Intl.DateTimeFormatOptions = { timeStyle: "short" };

/**
 * A day on the Korean calendar as Korean apps write it: "12월 6일 (일)" / "Sun 6 Dec", with the year only when it is
 * not this year ("2025년 12월 6일 (토)" / "Sat 6 Dec 2025"). Intl's own year form drops the brackets ("2025년 12월 6일
 * 토"), so the year is put on by hand.
 */
export function formatDate(epochMs: number, locale: Locale, now = Date.now()): string {
  dayFormats[locale] ??= new Intl.DateTimeFormat(localeTag(locale), { ...dayParts(locale), timeZone: TIME_ZONE });
  const day = dayFormats[locale].format(epochMs);
  const year = kstYear(epochMs);
  if (year === kstYear(now)) return day;
  return locale === "ko" ? `${year}년 ${day}` : `${day} ${year}`;
}

/** A time of day in Korean time: "오후 10:56" / "22:56" (chat lines, and the end of a window within one day). */
export function formatTime(epochMs: number, locale: Locale): string {
  timeFormats[locale] ??= new Intl.DateTimeFormat(localeTag(locale), { ...timeParts, timeZone: TIME_ZONE });
  return timeFormats[locale].format(epochMs);
}

/** A date and time in Korean time: "12월 6일 (일) 오후 10:56" / "Sun 6 Dec, 22:56" (year as in formatDate). */
export function formatDateTime(epochMs: number, locale: Locale, now = Date.now()): string {
  return `${formatDate(epochMs, locale, now)}${locale === "ko" ? " " : ", "}${formatTime(epochMs, locale)}`;
}

/**
 * How long ago, for feeds, notifications and comments: "지금", "3분 전", "2시간 전" (same Korean day), "어제", "3일 전"
 * (within a week), then the day as formatDate writes it. English alike ("3 minutes ago", "yesterday").
 */
export function formatRelative(epochMs: number, locale: Locale, now = Date.now()): string {
  relativeFormats[locale] ??= new Intl.RelativeTimeFormat(localeTag(locale), { numeric: "auto" });
  const rel = relativeFormats[locale];
  const ago = now - epochMs; // a clock a little ahead of ours reads as "now", not "in 1 minute"
  if (ago < 60_000) return rel.format(0, "second");
  if (ago < 3_600_000) return rel.format(-Math.floor(ago / 60_000), "minute");
  const days = kstDay(now) - kstDay(epochMs);
  if (days === 0) return rel.format(-Math.floor(ago / 3_600_000), "hour");
  if (days < 7) return rel.format(-days, "day");
  return formatDate(epochMs, locale, now);
}

/**
 * A window of Korean time as its two ends and what goes between: within one day the end is only a time
 * ("12월 7일 (월) 오후 6:00", " ~ ", "오후 8:00" / "Mon 7 Dec, 18:00", "–", "20:00"); it repeated the date for a
 * window of two hours. Korean ranges take "~".
 */
export function formatDateTimeRange(
  startMs: number,
  endMs: number,
  locale: Locale,
  now = Date.now(),
): [string, string, string] {
  const from = formatDateTime(startMs, locale, now);
  if (kstDay(startMs) !== kstDay(endMs)) {
    return [from, locale === "ko" ? " ~ " : " – ", formatDateTime(endMs, locale, now)];
  }
  return [from, locale === "ko" ? " ~ " : "–", formatTime(endMs, locale)];
}

/** Metres → "850m" under a kilometre, else "3.2km" (one decimal). */
export function formatDistance(metres: number, locale: Locale): string {
  const km = metres >= 1000;
  return new Intl.NumberFormat(localeTag(locale), {
    style: "unit",
    unit: km ? "kilometer" : "meter",
    maximumFractionDigits: km ? 1 : 0,
  }).format(km ? metres / 1000 : metres);
}
