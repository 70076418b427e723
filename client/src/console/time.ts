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

const dateTime = new Intl.DateTimeFormat("ko-KR", {
  dateStyle: "short",
  timeStyle: "short",
  timeZone: "Asia/Seoul",
});

/** Epoch ms → a short date and time in Korean time. */
export function formatDateTime(epochMs: number): string {
  return dateTime.format(epochMs);
}
