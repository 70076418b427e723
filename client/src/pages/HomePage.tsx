import { A } from "@solidjs/router";
import { createResource, For, type JSX, Match, Show, Switch } from "solid-js";
import { Empty, LoadError, Loading } from "../components/Status";
import { api, type RouterOutputs } from "../lib/api";
import { formatWon } from "../lib/format";
import { SUGGESTION_COUNT, takeEarly } from "../lib/homePrefetch";
import { t } from "../lib/i18n";
import { session } from "../lib/session";
import { Feed, Progress } from "./home/Feed";

type Suggestion = RouterOutputs["recommend"]["forMe"]["items"][number];

function reasonText(reason: Suggestion["reason"]): string {
  switch (reason.kind) {
    case "neighbours":
      return t("reason.neighbours", { count: Number(reason.params.count ?? 0) });
    case "interest":
      return t("reason.interest", { category: t(`category.${String(reason.params.category)}` as "category.other") });
    case "nearby_popular":
      return t("reason.nearby_popular");
    default:
      return t("reason.local_popular");
  }
}

/** A section that loads a list: designed loading, error and empty states around the items. */
function ListSection<T>(props: {
  heading: string;
  id: string;
  items: () => T[] | undefined;
  loading: boolean;
  error: unknown;
  retry: () => void;
  empty: JSX.Element;
  children: (item: T) => JSX.Element;
}) {
  return (
    <section aria-labelledby={props.id} class="home-section">
      <h2 id={props.id}>{props.heading}</h2>
      <Switch>
        <Match when={props.error}>
          <LoadError error={props.error} retry={props.retry} />
        </Match>
        <Match when={props.loading && !props.items()}>
          <Loading />
        </Match>
        <Match when={props.items()?.length === 0}>
          <Empty>{props.empty}</Empty>
        </Match>
        <Match when={props.items()}>
          <ul class="cards">
            <For each={props.items()}>{(item) => <li>{props.children(item)}</li>}</For>
          </ul>
        </Match>
      </Switch>
    </section>
  );
}

export default function HomePage() {
  const verified = () => !!session.me()?.verification?.current;
  const regionId = () => (verified() ? session.me()?.homeRegionId : null);
  const [suggestions, { refetch: refetchSuggestions }] = createResource(
    regionId,
    (id) => takeEarly("suggestions", id) ?? api.recommend.forMe.query({ limit: SUGGESTION_COUNT }),
  );

  return (
    <>
      <Show when={!verified()}>
        <div class="card callout" role="status">
          <p>{session.me()?.verification ? t("home.verifyExpired") : t("home.verifyFirst")}</p>
          <A href="/verify" class="button">
            {t("home.verifyCta")}
          </A>
        </div>
      </Show>
      <Show when={verified()}>
        <ListSection
          id="suggest-heading"
          heading={t("home.suggestions")}
          items={() => suggestions.latest?.items}
          loading={suggestions.loading}
          error={suggestions.error}
          retry={refetchSuggestions}
          empty={<p>{t("home.noSuggestions")}</p>}
        >
          {(s: Suggestion) => (
            <article class="card gb" data-testid="suggestion">
              <h3>
                <A href={`/g/${s.groupBuy.id}`}>{s.groupBuy.title}</A>
              </h3>
              <p class="reason">{reasonText(s.reason)}</p>
              <p class="price">{t("gb.perShare", { price: formatWon(s.groupBuy.pricePerShare) })}</p>
              <Progress taken={s.groupBuy.takenShares} total={s.groupBuy.totalShares} />
            </article>
          )}
        </ListSection>
        <Show when={regionId()}>{(id) => <Feed regionId={id()} />}</Show>
      </Show>
    </>
  );
}
