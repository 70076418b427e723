import { A } from "@solidjs/router";
import { createResource, For, Match, Switch } from "solid-js";
import { Empty, LoadError } from "../../components/Status";
import { api, type RouterOutputs } from "../../lib/api";
import { formatWon } from "../../lib/format";
import { SUGGESTION_COUNT, takeEarly } from "../../lib/homePrefetch";
import { locale, t } from "../../lib/i18n";
import { Progress } from "./Feed";

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

/**
 * The strip's room while the suggestions load: one compact card with a suggestion's lines, hidden but for the loading
 * word, so the strip that replaces it has its height and the feed cards below do not move. The app often takes the
 * server's cards over before the suggestions have answered (main.tsx; it asks for them when it starts), and the
 * one-line "loading" it showed here then grew into the strip under the reader's eyes (CLS 0.09 on a phone,
 * test/browser/home-ssr.test.ts). Each line of a suggestion keeps to one line (styles.css), so every answer is this tall.
 */
function StripPlaceholder() {
  return (
    <ul class="strip" aria-busy="true">
      <li>
        <article class="card gb compact strip-placeholder">
          <h4>{t("loading")}</h4>
          <p class="reason">{t("reason.local_popular")}</p>
          <p class="price">{t("gb.perShare", { price: formatWon(0, locale()) })}</p>
          <Progress taken={0} total={1} />
        </article>
      </li>
    </ul>
  );
}

/**
 * "추천": the suggestions for this neighbourhood as a row of compact cards that scrolls sideways. The feed places it
 * after its first few cards (Feed's `interlude`), so what a visitor sees first is the neighbourhood's feed; the
 * request itself left at boot with the feed's (lib/homePrefetch.ts), so it is usually there by the time it is drawn.
 */
export function Suggestions(props: { regionId: string }) {
  const [suggestions, { refetch }] = createResource(
    () => props.regionId,
    (id) => takeEarly("suggestions", id) ?? api.recommend.forMe.query({ limit: SUGGESTION_COUNT }),
  );
  const items = () => suggestions.latest?.items;
  return (
    <section aria-labelledby="suggest-heading" class="home-section suggestions">
      <h3 id="suggest-heading" class="strip-heading">
        {t("home.suggestions")}
      </h3>
      <Switch>
        <Match when={suggestions.error}>
          <LoadError error={suggestions.error} retry={refetch} />
        </Match>
        <Match when={!items()}>
          <StripPlaceholder />
        </Match>
        <Match when={items()?.length === 0}>
          <Empty>
            <p>{t("home.noSuggestions")}</p>
          </Empty>
        </Match>
        <Match when={items()}>
          <ul class="strip">
            <For each={items()}>
              {(s) => (
                <li>
                  <article class="card gb compact" data-testid="suggestion">
                    <h4>
                      <A href={`/g/${s.groupBuy.id}`}>{s.groupBuy.title}</A>
                    </h4>
                    <p class="reason">{reasonText(s.reason)}</p>
                    <p class="price">{t("gb.perShare", { price: formatWon(s.groupBuy.pricePerShare, locale()) })}</p>
                    <Progress taken={s.groupBuy.takenShares} total={s.groupBuy.totalShares} />
                  </article>
                </li>
              )}
            </For>
          </ul>
        </Match>
      </Switch>
    </section>
  );
}
