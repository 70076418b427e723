import { createResource, For, Show } from "solid-js";
import { Field, FormError } from "../../components/Field";
import { api, type RouterOutputs } from "../../lib/api";
import { createSubmission } from "../../lib/forms";
import { t } from "../../lib/i18n";
import { session } from "../../lib/session";

type Post = RouterOutputs["board"]["get"];

/**
 * A proposal's supply side: every seller's "I can supply this", and for a seller the way to offer and then to link
 * the group buy they opened for it (the post and the buy then point at each other).
 */
export function SupplyOffers(props: { post: Post; onChange: () => void }) {
  const me = () => session.me();
  const isSeller = () => me()?.role === "seller" && !props.post.mine;
  const myOffer = () => props.post.supplyOffers.find((o) => o.sellerId === me()?.id);
  const offering = createSubmission({ message: {} });
  const linking = createSubmission();
  // the seller's OPEN buys in the proposal's neighbourhood, once they have offered and not linked yet
  const [buys] = createResource(
    () => (isSeller() && myOffer() && !myOffer()?.groupBuyId ? props.post.regionId : null),
    async (regionId) =>
      (await api.seller.groupBuys.query({ status: "OPEN", limit: 50 })).items.filter((b) => b.regionId === regionId),
  );

  async function offer(event: SubmitEvent) {
    event.preventDefault();
    const message = String(new FormData(event.currentTarget as HTMLFormElement).get("message") ?? "");
    if (await offering.run(() => api.board.offerSupply.mutate({ postId: props.post.id, message }))) props.onChange();
  }
  async function link(event: SubmitEvent) {
    event.preventDefault();
    const groupBuyId = String(new FormData(event.currentTarget as HTMLFormElement).get("groupBuyId") ?? "");
    if (await linking.run(() => api.board.linkGroupBuy.mutate({ postId: props.post.id, groupBuyId }))) {
      props.onChange();
    }
  }

  return (
    <section class="card" aria-labelledby="supply-heading" data-testid="supply">
      <h2 id="supply-heading">{t("board.supply.heading")}</h2>
      <ul class="lines">
        <For each={props.post.supplyOffers}>
          {(o) => (
            <li>
              <strong>{o.sellerName}</strong> <span>{o.message}</span>
            </li>
          )}
        </For>
      </ul>
      <Show when={isSeller() && !myOffer()}>
        <form onSubmit={offer} novalidate>
          <Field label={t("board.supply.message")} name="message" errors={offering.fields().message} />
          <FormError message={offering.message()} />
          <button type="submit" disabled={offering.pending()} aria-busy={offering.pending()}>
            {t("board.supply.cta")}
          </button>
        </form>
      </Show>
      <Show when={buys.latest}>
        {(list) => (
          <Show when={list().length > 0} fallback={<p class="muted">{t("board.supply.noBuys")}</p>}>
            <form class="inline-form" onSubmit={link}>
              <label for="supply-buy">{t("board.supply.pick")}</label>
              <select id="supply-buy" name="groupBuyId">
                <For each={list()}>{(b) => <option value={b.id}>{b.title}</option>}</For>
              </select>
              <FormError message={linking.message()} />
              <button type="submit" disabled={linking.pending()} aria-busy={linking.pending()}>
                {t("board.supply.link")}
              </button>
            </form>
          </Show>
        )}
      </Show>
    </section>
  );
}
