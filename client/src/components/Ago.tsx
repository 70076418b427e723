import { formatDateTime, formatRelative } from "../lib/format";
import { locale } from "../lib/i18n";

/**
 * When a recent thing happened, the way Korean feeds write it ("3분 전", "어제", then the day), with the exact date
 * and time on hover and for machines. Worked out when drawn: a list drawn a while ago keeps its "3분 전".
 */
export function Ago(props: { at: number }) {
  return (
    <time dateTime={new Date(props.at).toISOString()} title={formatDateTime(props.at, locale())}>
      {formatRelative(props.at, locale())}
    </time>
  );
}
