import { createEffect, createMemo, createSignal, For, type JSX, Match, Show, Switch, untrack } from "solid-js";
import { type CardWords, feedCardHtml, feedFiltersHtml, progressHtml } from "../../../../shared/feedCard";
import type { GroupBuyStatus, ProductCategory } from "../../../../shared/groupbuy";
import { MoreButton } from "../../components/MoreButton";
import { Empty, LoadError, Loading } from "../../components/Status";
import type { MessageKey } from "../../i18n/ko";
import { api, type RouterOutputs } from "../../lib/api";
import { FEED_LEAD } from "../../lib/bootKeys";
import { formatWon } from "../../lib/format";
import { FEED_PAGE, takeEarly } from "../../lib/homePrefetch";
import { locale, t } from "../../lib/i18n";
import { createPaged } from "../../lib/paged";
import { feedDrawn } from "../../lib/serverBoot";

type Item = RouterOutputs["groupBuys"]["list"]["items"][number];

export { FEED_LEAD };

/** The card's UI strings in the current language (reactive, like t). */
const words: CardWords = (key, params) => t(key as MessageKey, params);
const won = (amount: number) => formatWon(amount, locale());

export function Progress(props: { taken: number; total: number }) {
  return <div class="progress" innerHTML={progressHtml(props.taken, props.total, words)} />;
}

/**
 * The card's markup is shared/feedCard.ts, the template the worker also streams into index.html for the first page:
 * one source for both. Its link is a plain <a>; the router takes clicks on same-origin links.
 */
function FeedCard(props: { item: Item }) {
  return <li innerHTML={feedCardHtml(props.item, words, won)} />;
}

/**
 * The region's group buys with status and category filters, paged by the server's cursor: the next page loads when
 * the end of the list scrolls into view, or with the button (keyboards, screen readers).
 * `interlude` (the suggestions) is drawn after the first FEED_LEAD cards, once the first page has been answered: the
 * feed is what a visitor sees first, and an empty or failed feed still shows it below its message.
 */
export function Feed(props: { regionId: string; interlude?: () => JSX.Element }) {
  const [status, setStatus] = createSignal<GroupBuyStatus>("OPEN");
  const [category, setCategory] = createSignal<ProductCategory | "">("");
  const list = createPaged(
    () => ({ regionId: props.regionId, status: status(), category: category() }),
    (q, cursor) =>
      // The first OPEN page may already be on its way since boot (lib/homePrefetch.ts).
      (q.status === "OPEN" && !q.category && !cursor ? takeEarly("feed", q.regionId) : undefined) ??
      api.groupBuys.list.query({
        regionId: q.regionId,
        status: q.status,
        ...(q.category ? { category: q.category } : {}),
        ...(cursor ? { cursor } : {}),
        limit: FEED_PAGE,
      }),
  );
  const { page, items, refetch } = list;
  // Stays true once the first page was answered (or failed): later filters don't take the interlude away.
  const settled = createMemo((was: boolean) => was || !page.loading, false);
  // Drawn for what is chosen: the app may now take the place of the cards the server drew (main.tsx).
  createEffect(() => feedDrawn(!page.loading));

  return (
    <section aria-labelledby="feed-heading" class="home-section">
      <h2 id="feed-heading">{t("home.feed")}</h2>
      {/* The bar's markup is shared/feedCard.ts's, like the cards: the worker draws the same one above its cards. It is
          redrawn for a new language only, with what is chosen (not on each choice: the select keeps its focus). */}
      <fieldset
        class="filters"
        innerHTML={feedFiltersHtml(
          words,
          untrack(() => ({ status: status(), category: category() })),
        )}
        onChange={(e) => {
          const select = e.target;
          if (!(select instanceof HTMLSelectElement)) return;
          if (select.id === "feed-status") setStatus(select.value as GroupBuyStatus);
          if (select.id === "feed-category") setCategory(select.value as ProductCategory | "");
        }}
      />
      <Switch>
        <Match when={page.error && items().length === 0}>
          <LoadError error={page.error} retry={refetch} />
        </Match>
        <Match when={page.loading && items().length === 0}>
          <Loading />
        </Match>
        <Match when={items().length === 0}>
          <Empty>
            <p>{status() === "OPEN" && !category() ? t("home.noGroupBuys") : t("feed.noMatch")}</p>
          </Empty>
        </Match>
        <Match when={true}>
          <ul class="cards" data-testid="feed">
            <For each={items().slice(0, FEED_LEAD)}>{(g) => <FeedCard item={g} />}</For>
          </ul>
        </Match>
      </Switch>
      <Show when={props.interlude && settled()}>{props.interlude?.()}</Show>
      <Show when={items().length > FEED_LEAD}>
        <ul class="cards">
          <For each={items().slice(FEED_LEAD)}>{(g) => <FeedCard item={g} />}</For>
        </ul>
      </Show>
      <Show when={page.error && items().length > 0}>
        <LoadError error={page.error} retry={refetch} />
      </Show>
      <MoreButton list={list} label={t("feed.more")} end={t("feed.end")} autoload testid="feed" />
    </section>
  );
}
