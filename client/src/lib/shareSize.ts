import { localeTag } from "./format";
import { locale, t } from "./i18n";

/**
 * How much of the product one share is, in the product's unit: "2kg", or "약 3.33kg" when it does not divide evenly.
 * What one share (몫) of the bulk product is, on the buyer's and the seller's screens alike.
 */
export function shareSizeText(totalQuantity: number, totalShares: number, unit: string): string {
  const n = new Intl.NumberFormat(localeTag(locale()), { maximumFractionDigits: 2 }).format(
    totalQuantity / totalShares,
  );
  return t((totalQuantity * 100) % totalShares === 0 ? "gb.size" : "gb.sizeAbout", { n, unit });
}
