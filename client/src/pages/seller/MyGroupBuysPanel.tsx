import { A, useSearchParams } from "@solidjs/router";
import { createMemo, createResource, createSignal, For, onCleanup, Show } from "solid-js";
import { GROUP_BUY_STATUSES, type GroupBuyStatus } from "../../../../shared/schemas/groupbuy";
import { Loaded } from "../../components/Loaded";
import { SelectField } from "../../console/fields";
import { t } from "../../console/i18n";
import { api } from "../../lib/api";
import { SellerBuyCard } from "./SellerBuyCard";

/**
 * The first LIVE_ROOMS buys in the list follow their room sockets (fills and state changes as they happen); the list
 * is also asked again every POLL_MS while the tab is visible, for buys beyond that and as a fallback.
 */
const LIVE_ROOMS = 10;
const POLL_MS = 30_000;

/** The seller's group buys with their live states and the actions each state allows. */
export default function MyGroupBuysPanel() {
  const [status, setStatus] = createSignal<GroupBuyStatus | "">("");
  const [list, { refetch }] = createResource(status, (s) =>
    api.seller.groupBuys.query({ status: s === "" ? undefined : s, limit: 50 }),
  );
  // Cards are keyed by id: a refresh updates them in place instead of re-creating them (and their sockets).
  const byId = createMemo(() => new Map((list.latest?.items ?? []).map((b) => [b.id, b])));
  const ids = createMemo(() => (list.latest?.items ?? []).map((b) => b.id), undefined, {
    equals: (a, b) => a.length === b.length && a.every((id, i) => id === b[i]),
  });
  const timer = setInterval(() => {
    if (document.visibilityState === "visible") void refetch();
  }, POLL_MS);
  onCleanup(() => clearInterval(timer));
  // Arriving from the new-buy form (?created=id): say that it worked, by name, instead of a silent list.
  const [search] = useSearchParams();
  const created = () => {
    const id = search.created;
    return typeof id === "string" ? byId().get(id) : undefined;
  };

  return (
    <section aria-labelledby="my-gb-heading">
      <div class="page-head">
        <h2 id="my-gb-heading">{t("seller.gb.mine")}</h2>
        <A href="/seller/new" class="button">
          {t("seller.gb.new")}
        </A>
      </div>
      <Show when={created()}>
        {(b) => (
          <p class="ok" role="status" data-testid="seller-gb-created">
            {t("seller.gb.created", { title: b().title })}
          </p>
        )}
      </Show>
      <SelectField
        label={t("seller.gb.filter")}
        name="status"
        value={status()}
        options={[["", t("console.all")] as const, ...GROUP_BUY_STATUSES.map((s) => [s, t(`gb.status.${s}`)] as const)]}
        onChange={(e) => setStatus(e.currentTarget.value as GroupBuyStatus | "")}
      />
      <Loaded data={list} retry={refetch} empty={<p>{t("seller.gb.none")}</p>}>
        {() => (
          <ul class="cards" data-testid="seller-gbs" aria-busy={list.loading}>
            <For each={ids()}>
              {(id, i) => (
                <Show when={byId().get(id)}>
                  {(b) => <SellerBuyCard buy={b()} live={i() < LIVE_ROOMS} onChange={() => void refetch()} />}
                </Show>
              )}
            </For>
          </ul>
        )}
      </Loaded>
    </section>
  );
}
