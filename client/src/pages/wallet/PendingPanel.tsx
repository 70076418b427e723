import { For, Show } from "solid-js";
import type { RouterOutputs } from "../../lib/api";
import { formatDate, formatWon } from "../../lib/format";
import { locale, t } from "../../lib/i18n";

type Pending = RouterOutputs["wallet"]["pendingCharges"];
type Charge = Pending["items"][number];

function ChargeLine(props: { charge: Charge }) {
  return (
    <li class="line" data-testid="charge-line" data-status={props.charge.status}>
      <span>
        <strong>{formatWon(props.charge.amount, locale())}</strong>
        <small class="muted">
          {" · "}
          {t(`pending.method.${props.charge.method}`)} · {formatDate(props.charge.createdAt, locale())}
        </small>
      </span>
      <span class={`status status-${props.charge.status}`}>{t(`pending.status.${props.charge.status}`)}</span>
    </li>
  );
}

/** Charges still owed an outcome (deferred, being checked), the cap they count against, debt, and recent results. */
export function PendingPanel(props: { pending: Pending; refreshing: boolean }) {
  const p = () => props.pending;
  return (
    <section class="card" aria-labelledby="pending-heading" data-testid="pending-charges">
      <h2 id="pending-heading">{t("pending.heading")}</h2>
      <div class="progress">
        <progress max={p().deferredCap} value={p().deferredOutstanding} aria-labelledby="pending-cap" />
        <span id="pending-cap">
          {t("pending.outstanding", {
            outstanding: formatWon(p().deferredOutstanding, locale()),
            cap: formatWon(p().deferredCap, locale()),
          })}
        </span>
      </div>
      <Show when={p().debt > 0}>
        <p class="error" role="alert">
          {t("pending.debt", { debt: formatWon(p().debt, locale()) })}
        </p>
      </Show>
      <Show when={p().items.length > 0} fallback={<p class="muted">{t("pending.empty")}</p>}>
        <ul class="lines" data-testid="pending-list" aria-busy={props.refreshing || undefined}>
          <For each={p().items}>{(c) => <ChargeLine charge={c} />}</For>
        </ul>
        <p class="hint" aria-live="polite">
          {t("pending.checking")}
        </p>
      </Show>
      <Show when={p().recent.length > 0}>
        <h3>{t("pending.recent")}</h3>
        <ul class="lines" data-testid="recent-charges">
          <For each={p().recent}>{(c) => <ChargeLine charge={c} />}</For>
        </ul>
      </Show>
    </section>
  );
}
