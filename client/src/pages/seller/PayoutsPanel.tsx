import { createResource, For, type Resource, Show } from "solid-js";
import { Line } from "../../components/Line";
import { Loaded } from "../../components/Loaded";
import { Empty } from "../../components/Status";
import { t } from "../../console/i18n";
import { formatDateTime } from "../../console/time";
import { api, type RouterOutputs } from "../../lib/api";
import { formatWon } from "../../lib/format";
import { locale } from "../../lib/i18n";
import PayoutAccountPanel from "./PayoutAccountPanel";

/**
 * The payout account (where money goes), then what completed buys earned: pending (confirmation window) → available →
 * paid, and the payouts themselves.
 */
export default function PayoutsPanel() {
  const [data, { refetch }] = createResource(() => api.seller.payouts.query({ limit: 50 }));
  return (
    <>
      <PayoutAccountPanel />
      <Earnings data={data} refetch={refetch} />
    </>
  );
}

function Earnings(props: { data: Resource<RouterOutputs["seller"]["payouts"]>; refetch: () => void }) {
  const data = props.data;
  const refetch = props.refetch;
  return (
    <Loaded data={data} retry={refetch}>
      {(d) => (
        <>
          <section class="card balance" aria-labelledby="payout-totals">
            <h2 id="payout-totals">{t("seller.payouts.totals")}</h2>
            <dl class="facts" data-testid="payout-totals">
              <dt>{t("seller.payouts.pending")}</dt>
              <dd data-testid="payout-pending">{formatWon(d().totals.pending, locale())}</dd>
              <dt>{t("seller.payouts.available")}</dt>
              <dd data-testid="payout-available">{formatWon(d().totals.available, locale())}</dd>
              <dt>{t("seller.payouts.paid")}</dt>
              <dd>{formatWon(d().totals.paid, locale())}</dd>
            </dl>
            <p class="hint">{t("seller.payouts.explain")}</p>
          </section>
          <section class="card" aria-labelledby="payables-heading">
            <h2 id="payables-heading">{t("seller.payouts.payables")}</h2>
            <Show
              when={d().items.length > 0}
              fallback={
                <Empty>
                  <p>{t("seller.payouts.none")}</p>
                </Empty>
              }
            >
              <ul class="lines">
                <For each={d().items}>
                  {(p) => (
                    <Line
                      title={p.title}
                      detail={
                        <>
                          {t("seller.payouts.grossFee", {
                            gross: formatWon(p.gross, locale()),
                            fee: formatWon(p.fee, locale()),
                          })}
                          {p.refunded > 0
                            ? ` · ${t("seller.payouts.refunded", {
                                refunded: formatWon(p.refunded - p.feeReturned, locale()),
                              })}`
                            : ""}
                          {p.deducted > 0
                            ? ` · ${t("seller.payouts.deducted", { deducted: formatWon(p.deducted, locale()) })}`
                            : ""}{" "}
                          · {t(`seller.payouts.status.${p.status}`)}
                          {p.status === "pending" ? ` · ${formatDateTime(p.availableAt)}` : ""}
                        </>
                      }
                    >
                      <span class="amount">{formatWon(p.net, locale())}</span>
                    </Line>
                  )}
                </For>
              </ul>
            </Show>
          </section>
          <Show when={d().payouts.length > 0}>
            <section class="card" aria-labelledby="payouts-heading">
              <h2 id="payouts-heading">{t("seller.payouts.history")}</h2>
              <ul class="lines">
                <For each={d().payouts}>
                  {(p) => (
                    <li class="line">
                      <span>
                        {formatDateTime(p.createdAt)} · {t(`seller.payout.status.${p.status}`)}
                      </span>
                      <span class="amount">{formatWon(p.amount, locale())}</span>
                    </li>
                  )}
                </For>
              </ul>
            </section>
          </Show>
        </>
      )}
    </Loaded>
  );
}
