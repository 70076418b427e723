import { createEffect, createSignal, onCleanup } from "solid-js";
import { formatDateTime, formatRelative } from "../lib/format";
import { locale } from "../lib/i18n";
import { ticker } from "../lib/ticker";

/**
 * When a recent thing happened, the way Korean feeds write it ("3분 전", "어제", then the day), with the exact date
 * and time on hover and for machines. It moves on as time passes ("지금" → "1분 전"), on the app's one ticker
 * (lib/ticker.ts: every 30 s under an hour, less often after, not while the tab is hidden).
 */
export function Ago(props: { at: number }) {
  const [now, setNow] = createSignal(Date.now());
  createEffect(() => {
    const at = props.at;
    setNow(Date.now());
    onCleanup(ticker.watch(at, setNow));
  });
  return (
    <time dateTime={new Date(props.at).toISOString()} title={formatDateTime(props.at, locale(), now())}>
      {formatRelative(props.at, locale(), now())}
    </time>
  );
}
