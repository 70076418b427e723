import { A } from "@solidjs/router";
import { onCleanup, Show } from "solid-js";
import { t } from "../lib/i18n";
import { connectInbox, live, refreshUnread, unread } from "../lib/inboxLive";

/** The five main screens, thumb-reachable on a phone. The inbox badge is live (its socket) and re-read on focus. */
export function BottomNav() {
  const disconnect = connectInbox();
  const onFocus = () => refreshUnread();
  window.addEventListener("focus", onFocus);
  onCleanup(() => {
    disconnect();
    window.removeEventListener("focus", onFocus);
  });
  return (
    <nav class="bottom-nav" aria-label={t("nav.label")} data-live={live() ? "on" : "off"}>
      <A href="/" end activeClass="active">
        {t("nav.home")}
      </A>
      <A href="/board" activeClass="active">
        {t("nav.board")}
      </A>
      <A href="/wallet" activeClass="active">
        {t("nav.wallet")}
      </A>
      <A href="/notifications" activeClass="active">
        {t("nav.notifications")}
        <Show when={unread() > 0}>
          <span class="badge" data-testid="unread-badge" aria-hidden="true">
            {unread()}
          </span>
          <span class="sr-only">{t("nav.unread", { count: unread() })}</span>
        </Show>
      </A>
      <A href="/me" activeClass="active">
        {t("nav.me")}
      </A>
    </nav>
  );
}
