import { formatDateTime as formatIn } from "../lib/format";
import { locale } from "../lib/i18n";

/** Epoch ms → the value of an <input type="datetime-local"> in the browser's zone (minutes precision). */
export function toLocalInput(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** An <input type="datetime-local"> value → epoch ms (NaN when empty or invalid). */
export function fromLocalInput(value: string): number {
  return value ? new Date(value).getTime() : Number.NaN;
}

/** Epoch ms → a date and time in Korean time, in the reader's language (reactive on it, like `t`). */
export function formatDateTime(epochMs: number): string {
  return formatIn(epochMs, locale());
}
