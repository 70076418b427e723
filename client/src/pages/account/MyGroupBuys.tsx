import { A } from "@solidjs/router";
import { createResource, For, onCleanup } from "solid-js";
import { Loaded } from "../../components/Loaded";
import { UnreadCount } from "../../components/UnreadCount";
import { api } from "../../lib/api";
import { t } from "../../lib/i18n";

/**
 * The buys the person joined, newest first, each with its chat's unread count (the room's read marker moves when the
 * chat is open and visible). Asked again when the tab comes back into view.
 */
export function MyGroupBuys() {
  const [mine, { refetch }] = createResource(() => api.groupBuys.mine.query({ limit: 20 }));
  const onVisible = () => {
    if (document.visibilityState === "visible") void refetch();
  };
  document.addEventListener("visibilitychange", onVisible);
  onCleanup(() => document.removeEventListener("visibilitychange", onVisible));

  return (
    <section aria-labelledby="my-buys-heading" class="card" data-testid="my-group-buys">
      <h2 id="my-buys-heading">{t("mine.heading")}</h2>
      <Loaded
        data={mine}
        retry={refetch}
        empty={
          // an empty state says where to go next
          <>
            <p>{t("mine.none")}</p>
            <A href="/" class="button secondary">
              {t("mine.browse")}
            </A>
          </>
        }
      >
        {(page) => (
          <ul class="my-buys">
            <For each={page().items}>
              {(g) => (
                <li data-testid="my-group-buy">
                  <A href={`/g/${g.id}`}>{g.title}</A>
                  <span class="muted">
                    {t(`gb.status.${g.status}`)} · {t("gb.sharesCount", { n: g.you.shares })}
                    {g.you.refundedAt !== null ? ` · ${t("mine.refunded")}` : ""}
                  </span>
                  <UnreadCount count={g.unread} />
                </li>
              )}
            </For>
          </ul>
        )}
      </Loaded>
    </section>
  );
}
