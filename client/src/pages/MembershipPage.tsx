import { A } from "@solidjs/router";
import { createResource, For, Match, Show, Switch } from "solid-js";
import type { TierId } from "../../../shared/schemas/membership";
import { FormError } from "../components/Field";
import { Empty, LoadError, Loading } from "../components/Status";
import { api, type RouterOutputs } from "../lib/api";
import { formatDate, formatWon } from "../lib/format";
import { createSubmission, newKey } from "../lib/forms";
import { locale, t } from "../lib/i18n";

type Summary = RouterOutputs["membership"]["get"];

/** Basis points as a percentage: 150 → "1.5%". */
const percent = (bps: number) => `${bps / 100}%`;
const tierName = (id: TierId) => t(`membership.tier.${id}`);

function TierCard(props: { m: Summary }) {
  const m = () => props.m;
  const nextTier = () => m().next;
  return (
    <section class="card" aria-labelledby="tier-heading" data-testid="tier">
      <h2 id="tier-heading">{t("membership.tierNow")}</h2>
      <p class="tier" data-testid="tier-name">
        {tierName(m().tier.id)}
      </p>
      <p>
        {t("membership.benefits", { discount: percent(m().tier.discountBps), reward: percent(m().tier.rewardBps) })}
      </p>
      <dl class="facts">
        <dt>{t("membership.spend")}</dt>
        <dd data-testid="tier-spend">{formatWon(m().spend.counted, locale())}</dd>
      </dl>
      <p class="hint">{t("membership.spendSince", { date: formatDate(m().spend.windowStart, locale()) })}</p>
      <Show when={nextTier()} fallback={<p>{t("membership.top")}</p>}>
        {(next) => (
          <div class="progress">
            <progress max={next().minSpend} value={m().spend.counted} aria-labelledby="tier-next" />
            <span id="tier-next" data-testid="tier-next">
              {t("membership.toNext", { tier: tierName(next().tier), needed: formatWon(next().needed, locale()) })}
            </span>
          </div>
        )}
      </Show>
      <p class="hint">{t("membership.recalc", { date: formatDate(m().recalculatesAt, locale()) })}</p>
      <details>
        <summary>{t("membership.tiersTable")}</summary>
        <dl class="facts">
          <For each={m().tiers}>
            {(tier) => (
              <>
                <dt classList={{ ok: tier.id === m().tier.id }}>{tierName(tier.id)}</dt>
                <dd>
                  {t("membership.tierRow", {
                    min: formatWon(tier.minSpend, locale()),
                    discount: percent(tier.discountBps),
                    reward: percent(tier.rewardBps),
                  })}
                </dd>
              </>
            )}
          </For>
        </dl>
      </details>
    </section>
  );
}

function PlusCard(props: { m: Summary; onChanged: () => void }) {
  const plus = () => props.m.plus;
  const price = () => formatWon(plus().priceWon, locale());
  const subscribing = createSubmission();
  const canceling = createSubmission();
  let key = newKey();
  const end = () => (plus().periodEnd ? formatDate(plus().periodEnd!, locale()) : "");

  async function subscribe() {
    const done = await subscribing.run(() => api.membership.subscribe.mutate({ idempotencyKey: key }));
    if (done || subscribing.error()) key = newKey();
    if (done) props.onChanged();
  }
  async function cancel() {
    if (await canceling.run(() => api.membership.cancel.mutate())) props.onChanged();
  }

  return (
    <section class="card" aria-labelledby="plus-heading" data-testid="plus">
      <h2 id="plus-heading">{t("plus.heading")}</h2>
      <p>
        {t("plus.pitch", {
          price: price(),
          extra: percent(plus().extraRewardBps),
          cap: formatWon(plus().monthlyExtraCapWon, locale()),
        })}
      </p>
      <Switch>
        <Match when={plus().active}>
          <p class="ok" data-testid="plus-status">
            {t("plus.active", { date: end() })}
          </p>
          <p data-testid="plus-renewal">
            {plus().autoRenew ? t("plus.renews", { date: end(), price: price() }) : t("plus.noRenew", { date: end() })}
          </p>
          <p class="muted">
            {t("plus.earned", {
              earned: formatWon(plus().extraEarnedThisMonth, locale()),
              cap: formatWon(plus().monthlyExtraCapWon, locale()),
            })}
          </p>
        </Match>
        <Match when={true}>
          <p class="muted" data-testid="plus-status">
            {t("plus.none")}
          </p>
        </Match>
      </Switch>
      <FormError message={subscribing.message() ?? canceling.message()} testid="plus-error" />
      <Switch>
        <Match when={plus().active && plus().autoRenew}>
          <p class="hint">{t("plus.cancelNote", { date: end() })}</p>
          <button type="button" class="secondary" onClick={cancel} disabled={canceling.pending()}>
            {canceling.pending() ? t("plus.canceling") : t("plus.cancel")}
          </button>
        </Match>
        <Match when={plus().active}>
          <button type="button" onClick={subscribe} disabled={subscribing.pending()}>
            {subscribing.pending() ? t("plus.subscribing") : t("plus.resume")}
          </button>
        </Match>
        <Match when={true}>
          <p class="hint">{t("plus.subscribeNote", { price: price() })}</p>
          <button
            type="button"
            onClick={subscribe}
            disabled={subscribing.pending()}
            aria-busy={subscribing.pending() || undefined}
          >
            {subscribing.pending() ? t("plus.subscribing") : t("plus.subscribe", { price: price() })}
          </button>
          <Show when={subscribing.error()}>
            <A href="/wallet" class="button secondary">
              {t("nav.wallet")}
            </A>
          </Show>
        </Match>
      </Switch>
    </section>
  );
}

function RewardsCard(props: { m: Summary }) {
  const r = () => props.m.rewards;
  return (
    <section class="card" aria-labelledby="rewards-heading" data-testid="rewards">
      <h2 id="rewards-heading">{t("rewards.heading")}</h2>
      <p class="big">{t("rewards.balance", { amount: formatWon(r().available, locale()) })}</p>
      <Show when={r().expiringWithin30Days > 0}>
        <p class="error">{t("rewards.expiringSoon", { amount: formatWon(r().expiringWithin30Days, locale()) })}</p>
      </Show>
      <Show when={r().withoutExpiry > 0}>
        <p class="muted">{t("rewards.noExpiry", { amount: formatWon(r().withoutExpiry, locale()) })}</p>
      </Show>
      <Show
        when={r().lots.length > 0}
        fallback={
          <Empty>
            <p>{t("rewards.empty")}</p>
          </Empty>
        }
      >
        <ul class="lines" data-testid="reward-lots">
          <For each={r().lots}>
            {(lot) => (
              <li class="line">
                <span>
                  {t("rewards.lot", {
                    earned: formatWon(lot.earned, locale()),
                    remaining: formatWon(lot.remaining, locale()),
                  })}
                  <small class="muted"> · {formatDate(lot.earnedAt, locale())}</small>
                </span>
                <span class="muted">{t("rewards.expires", { date: formatDate(lot.expiresAt, locale()) })}</span>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <p class="hint">{t("rewards.oldestFirst")}</p>
    </section>
  );
}

export default function MembershipPage() {
  const [m, { refetch }] = createResource(() => api.membership.get.query());
  return (
    <>
      <h1 class="page-title">{t("membership.heading")}</h1>
      <Switch>
        <Match when={m.error}>
          <LoadError error={m.error} retry={refetch} />
        </Match>
        <Match when={m.loading && !m.latest}>
          <Loading />
        </Match>
        <Match when={m.latest}>
          {(summary) => (
            <>
              <TierCard m={summary()} />
              <PlusCard m={summary()} onChanged={() => void refetch()} />
              <RewardsCard m={summary()} />
            </>
          )}
        </Match>
      </Switch>
    </>
  );
}
