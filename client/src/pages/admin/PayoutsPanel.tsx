import { createResource, createSignal, For, Match, Show, Switch } from "solid-js";
import { PAYOUT_STATUSES } from "../../../../shared/schemas/console";
import { FormError } from "../../components/Field";
import { MoreButton } from "../../components/MoreButton";
import { Empty, LoadError, Loading } from "../../components/Status";
import { CheckField, SelectField } from "../../console/fields";
import { t } from "../../console/i18n";
import { formatDateTime } from "../../console/time";
import { api, type RouterOutputs } from "../../lib/api";
import { errorText } from "../../lib/errorText";
import { formatWon } from "../../lib/format";
import { locale } from "../../lib/i18n";
import { createPaged } from "../../lib/paged";

type Payout = RouterOutputs["admin"]["payouts"]["list"]["items"][number];
type Status = (typeof PAYOUT_STATUSES)[number];
type End = RouterOutputs["admin"]["payouts"]["recheck"]["end"];
const PERIODS = ["7", "30", "90"] as const;
const DAY_MS = 86_400_000;

/**
 * What the last recheck answered, above the list: the list reloads after it, and a payout that no longer needs an
 * operator leaves the "only those" view with its row.
 */
type Said = { payout: Payout; end?: End; error?: string };

/** How a seller is named in the filter: their account name and email (the row says the same). */
const sellerLabel = (s: { name: string; email: string }) => `${s.name} · ${s.email}`;

function PayoutRow(props: {
  payout: Payout;
  onSaid: (said: Said | null) => void;
  onDone: () => void;
  onlySeller?: () => void;
}) {
  const p = () => props.payout;
  const [busy, setBusy] = createSignal(false);
  async function recheck() {
    setBusy(true);
    props.onSaid(null);
    try {
      props.onSaid({ payout: p(), end: (await api.admin.payouts.recheck.mutate({ payoutId: p().id })).end });
      props.onDone();
    } catch (e) {
      props.onSaid({ payout: p(), error: errorText(e) });
    } finally {
      setBusy(false);
    }
  }
  return (
    <li
      class="card"
      classList={{ "needs-operator": p().needsOperator }}
      data-testid="payout"
      data-status={p().status}
      data-needs-operator={p().needsOperator ? "true" : undefined}
    >
      <p>
        <strong>{formatWon(p().amount, locale())}</strong>{" "}
        <span class={`status-pill s-${p().status}`}>{t(`seller.payout.status.${p().status}`)}</span>{" "}
        <Show when={p().needsOperator}>
          <span class="status-pill s-FAILED">{t("admin.payouts.needsOperator")}</span>
        </Show>
      </p>
      <p>
        {p().sellerName} <small class="muted">{p().sellerEmail}</small>{" "}
        <Show when={props.onlySeller}>
          {(only) => (
            <button type="button" class="link" onClick={() => only()()}>
              {t("admin.payouts.onlySeller")}
            </button>
          )}
        </Show>
      </p>
      <p class="muted">
        <small>
          {t("admin.payouts.requestedAt", { at: formatDateTime(p().requestedAt) })}
          <Show when={p().paidAt}>{(at) => ` · ${t("admin.payouts.paidAt", { at: formatDateTime(at()) })}`}</Show>
          {" · "}
          {p().gatewayRef ? t("admin.payouts.ref", { ref: p().gatewayRef ?? "" }) : t("admin.payouts.noRef")}
        </small>
      </p>
      <Show when={p().failureReason}>
        {(reason) => (
          <p data-testid="payout-reason">
            <small>
              {t("admin.payouts.reason")}: <code>{reason()}</code>
            </small>
          </p>
        )}
      </Show>
      <Show when={p().status === "requested"}>
        <div class="actions">
          <button type="button" class="secondary" disabled={busy()} aria-busy={busy()} onClick={() => void recheck()}>
            {busy() ? t("console.working") : t("admin.payouts.recheck")}
          </button>
          <small class="muted">{t("admin.payouts.recheckHint")}</small>
        </div>
      </Show>
    </li>
  );
}

/**
 * Every seller's payouts, newest first. The ones the daily batch left requested for an operator (payouts.ts
 * NEEDS_OPERATOR) are counted at the top whatever the filters, marked on their row, and one click away.
 */
export default function PayoutsPanel() {
  const [status, setStatus] = createSignal<Status | "">("");
  const [onlyStuck, setOnlyStuck] = createSignal(false);
  const [period, setPeriod] = createSignal<(typeof PERIODS)[number] | "">("");
  const [seller, setSeller] = createSignal("");
  // The seller filter offers the approved sellers (admin.sellers.list, newest 100) and whoever was picked from a row
  // ("only this seller"): a payout's seller may be older, or no longer approved.
  const [sellers] = createResource(() => api.admin.sellers.list.query({ limit: 100 }));
  const [picked, setPicked] = createSignal<readonly [string, string] | null>(null);
  const sellerOptions = () => {
    const known = (sellers.latest?.items ?? []).map(
      (s) => [s.userId, sellerLabel({ name: s.businessName, email: s.email })] as const,
    );
    const extra = picked();
    return [
      ["", t("console.all")] as const,
      ...(extra && !known.some(([id]) => id === extra[0]) ? [extra] : []),
      ...known,
    ];
  };
  const [stuck, setStuck] = createSignal<number | null>(null);
  const [said, setSaid] = createSignal<Said | null>(null);
  const list = createPaged(
    () => ({
      status: status() === "" ? undefined : (status() as Status),
      needsOperator: onlyStuck() ? true : undefined,
      days: period() === "" ? undefined : Number(period()),
      sellerId: seller() === "" ? undefined : seller(),
    }),
    async (q, cursor) => {
      const from = q.days === undefined ? undefined : Date.now() - q.days * DAY_MS;
      const result = await api.admin.payouts.list.query({
        status: q.status,
        needsOperator: q.needsOperator,
        sellerId: q.sellerId,
        from,
        cursor,
        limit: 20,
      });
      setStuck(result.needsOperator);
      return result;
    },
  );
  const { page, items } = list;
  return (
    <section aria-labelledby="payouts-heading">
      <h2 id="payouts-heading">{t("admin.payouts")}</h2>
      <Show when={stuck() !== null}>
        <p class={stuck() ? "callout" : "hint"} data-testid="payouts-stuck" data-count={stuck() ?? 0}>
          {stuck() ? t("admin.payouts.stuck", { n: stuck() ?? 0 }) : t("admin.payouts.stuckNone")}{" "}
          <Show when={stuck() && !onlyStuck()}>
            <button type="button" class="secondary" onClick={() => setOnlyStuck(true)}>
              {t("admin.payouts.showStuck")}
            </button>
          </Show>
        </p>
      </Show>
      <div class="filters">
        <SelectField
          label={t("admin.payouts.status")}
          name="payoutStatus"
          value={status()}
          options={[
            ["", t("console.all")] as const,
            ...PAYOUT_STATUSES.map((s) => [s, t(`seller.payout.status.${s}`)] as const),
          ]}
          onChange={(e) => setStatus(e.currentTarget.value as Status | "")}
        />
        <SelectField
          label={t("admin.payouts.period")}
          name="payoutPeriod"
          value={period()}
          options={[
            ["", t("console.all")] as const,
            ...PERIODS.map((d) => [d, t(`admin.payouts.period.${d}`)] as const),
          ]}
          onChange={(e) => setPeriod(e.currentTarget.value as (typeof PERIODS)[number] | "")}
        />
        <SelectField
          label={t("admin.payouts.seller")}
          name="payoutSeller"
          value={seller()}
          options={sellerOptions()}
          onChange={(e) => setSeller(e.currentTarget.value)}
        />
        <CheckField
          label={t("admin.payouts.onlyStuck")}
          name="onlyStuck"
          checked={onlyStuck()}
          onChange={(e) => setOnlyStuck(e.currentTarget.checked)}
        />
      </div>
      <p role="status" data-testid="payouts-said">
        <Show when={said()?.end}>
          {(end) =>
            `${said()?.payout.sellerName} · ${formatWon(said()?.payout.amount ?? 0, locale())}: ${t(`admin.payouts.end.${end()}`)}`
          }
        </Show>
      </p>
      <FormError message={said()?.error ?? null} />
      <Switch>
        <Match when={page.error && items().length === 0}>
          <LoadError error={page.error} retry={list.refetch} />
        </Match>
        <Match when={items().length === 0 && page.loading}>
          <Loading />
        </Match>
        <Match when={items().length === 0}>
          <Empty>
            <p data-testid="payouts-empty">{t("admin.payouts.none")}</p>
          </Empty>
        </Match>
        <Match when={true}>
          <ul class="cards" data-testid="payouts" aria-busy={page.loading}>
            <For each={items()}>
              {(p) => (
                <PayoutRow
                  payout={p}
                  onSaid={setSaid}
                  onDone={() => list.reload()}
                  onlySeller={
                    seller() === p.sellerId
                      ? undefined
                      : () => {
                          setPicked([p.sellerId, sellerLabel({ name: p.sellerName, email: p.sellerEmail })]);
                          setSeller(p.sellerId);
                        }
                  }
                />
              )}
            </For>
          </ul>
        </Match>
      </Switch>
      <MoreButton list={list} label={t("admin.payouts.more")} />
    </section>
  );
}
