import { Show } from "solid-js";
import { CHAT_UNREAD_CAP } from "../../../shared/chat";
import { t } from "../lib/i18n";

/** A group buy's unread chat messages as a pill ("3", or "99+" where the room stops counting); nothing at 0. */
export function UnreadCount(props: { count: number }) {
  const label = () => (props.count >= CHAT_UNREAD_CAP ? `${CHAT_UNREAD_CAP - 1}+` : String(props.count));
  return (
    <Show when={props.count > 0}>
      <span class="unread-count" data-testid="unread-count">
        <span aria-hidden="true">{label()}</span>
        <span class="sr-only">{t("mine.unread", { count: label() })}</span>
      </span>
    </Show>
  );
}
