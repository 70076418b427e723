import { A } from "@solidjs/router";
import { createResource, onCleanup, Show } from "solid-js";
import { api } from "../lib/api";
import { t } from "../lib/i18n";

/** The five main screens, thumb-reachable on a phone. The inbox badge refreshes every 30 s and on focus. */
export function BottomNav() {
  const [unread, { refetch }] = createResource(() =>
    api.notifications.unreadCount
      .query()
      .then((r) => r.unread)
      .catch(() => 0),
  );
  const timer = setInterval(() => void refetch(), 30_000);
  const onFocus = () => void refetch();
  window.addEventListener("focus", onFocus);
  onCleanup(() => {
    clearInterval(timer);
    window.removeEventListener("focus", onFocus);
  });
  return (
    <nav class="bottom-nav" aria-label={t("nav.label")}>
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
        <Show when={(unread.latest ?? 0) > 0}>
          <span class="badge" data-testid="unread-badge" aria-hidden="true">
            {unread.latest}
          </span>
          <span class="sr-only">{t("nav.unread", { count: unread.latest ?? 0 })}</span>
        </Show>
      </A>
      <A href="/me" activeClass="active">
        {t("nav.me")}
      </A>
    </nav>
  );
}
