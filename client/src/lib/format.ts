import type { Locale } from "./i18n";

const won = new Intl.NumberFormat("ko-KR", { style: "currency", currency: "KRW" });

/** Integer won → "₩12,000". Money is integer won everywhere; anything else is a bug upstream, so it throws. */
export function formatWon(amount: number): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`Money must be an integer number of won, got ${amount}`);
  return won.format(amount);
}

// Gonggu is a Korean neighbourhood service: times are shown in Korean time whatever the device's zone.
const dateFormats: Record<Locale, Intl.DateTimeFormat> = {
  ko: new Intl.DateTimeFormat("ko-KR", { dateStyle: "long", timeZone: "Asia/Seoul" }),
  en: new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "Asia/Seoul" }),
};

/** Epoch milliseconds → a date in Korean time, e.g. "2026년 11월 30일" / "30 Nov 2026". */
export function formatDate(epochMs: number, locale: Locale): string {
  return dateFormats[locale].format(epochMs);
}
