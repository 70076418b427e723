import { Show } from "solid-js";
import { formatDateTime } from "../../lib/format";
import { locale, t } from "../../lib/i18n";

/**
 * " · edited" after a post's date when its author changed it: the server keeps no edit history and no time limit, and
 * only an edit moves `updatedAt` (likes and comments keep their own counters). `long` says when.
 */
export function EditedMark(props: { createdAt: number; updatedAt: number; long?: boolean }) {
  return (
    <Show when={props.updatedAt > props.createdAt}>
      {" · "}
      <time datetime={new Date(props.updatedAt).toISOString()} data-testid="edited">
        {props.long ? t("board.editedAt", { time: formatDateTime(props.updatedAt, locale()) }) : t("board.edited")}
      </time>
    </Show>
  );
}
