import { t } from "../../console/i18n";
import { formatDateTime } from "../../console/time";

const DAY_MS = 86_400_000;

/** What a suspension of `days` stops and until when, as the confirm dialogs before one say it. */
export function SuspensionNote(props: { days: number }) {
  return (
    <p>{t("admin.suspend.body", { days: props.days, until: formatDateTime(Date.now() + props.days * DAY_MS) })}</p>
  );
}
