import { createResource, createSignal, For, Match, Switch } from "solid-js";
import { PAYABLE_STATUSES } from "../../../../shared/schemas/console";
import { Line } from "../../components/Line";
import { Loaded } from "../../components/Loaded";
import { Empty } from "../../components/Status";
import { SelectField } from "../../console/fields";
import { t } from "../../console/i18n";
import { formatDateTime } from "../../console/time";
import { api } from "../../lib/api";
import { formatWon } from "../../lib/format";
import { locale } from "../../lib/i18n";

type PayableStatus = (typeof PAYABLE_STATUSES)[number];

/** Every seller's payables: platform totals per status (net and fee) and the rows. */
export default function SettlementsPanel() {
  const [status, setStatus] = createSignal<PayableStatus | "">("");
  const [data, { refetch }] = createResource(status, (s) =>
    api.admin.payables.list.query({ status: s === "" ? undefined : s, limit: 50 }),
  );
  return (
    <section aria-labelledby="settle-heading">
      <h2 id="settle-heading">{t("admin.settlements")}</h2>
      <Loaded data={data} retry={refetch}>
        {(d) => (
          <>
            <dl class="facts card" data-testid="settlement-totals">
              <For each={PAYABLE_STATUSES}>
                {(s) => (
                  <>
                    <dt>{t(`seller.payouts.status.${s}`)}</dt>
                    <dd>
                      {formatWon(d().totals[s].net, locale())}{" "}
                      <small class="muted">
                        {t("admin.settle.fee", { fee: formatWon(d().totals[s].fee, locale()) })}
                      </small>
                    </dd>
                  </>
                )}
              </For>
            </dl>
            <SelectField
              label={t("admin.settle.filter")}
              name="payableStatus"
              value={status()}
              options={[
                ["", t("console.all")] as const,
                ...PAYABLE_STATUSES.map((s) => [s, t(`seller.payouts.status.${s}`)] as const),
              ]}
              onChange={(e) => setStatus(e.currentTarget.value as PayableStatus | "")}
            />
            <Switch>
              <Match when={d().items.length === 0}>
                <Empty>
                  <p>{t("admin.settle.none")}</p>
                </Empty>
              </Match>
              <Match when={true}>
                <ul class="lines card">
                  <For each={d().items}>
                    {(p) => (
                      <Line
                        title={p.title}
                        detail={`${p.sellerName} · ${t(`seller.payouts.status.${p.status}`)} · ${formatDateTime(p.availableAt)}`}
                      >
                        <span class="amount">{formatWon(p.net, locale())}</span>
                      </Line>
                    )}
                  </For>
                </ul>
              </Match>
            </Switch>
          </>
        )}
      </Loaded>
    </section>
  );
}
