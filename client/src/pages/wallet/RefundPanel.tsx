import { createSignal, Show } from "solid-js";
import { FieldError, FormError } from "../../components/Field";
import { api } from "../../lib/api";
import { formatWon } from "../../lib/format";
import { createSubmission, intentEnded, newKey } from "../../lib/forms";
import { locale, t } from "../../lib/i18n";
import { groupedWon, onWonInput } from "../../lib/wonInput";

/** Refund of charged points (not reward points, not held, not unpaid) back to the cards, newest payment first. */
export function RefundPanel(props: { refundable: number; onRefunded: () => void }) {
  const [amount, setAmount] = createSignal(0);
  const [outcome, setOutcome] = createSignal<string | null>(null);
  const submission = createSubmission({ amount: { unit: "won" } });
  // One key per intent: a retry after a network error (the refund may have happened) gets the first answer.
  let key = newKey();

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    setOutcome(null);
    const result = await submission.run(() => api.wallet.refund.mutate({ amount: amount(), idempotencyKey: key }));
    // Any answer from the server ends this intent; only a network failure keeps it for the retry.
    if (intentEnded(result, submission.error())) key = newKey();
    if (!result) return;
    const { refunded, pending } = result.refund;
    setOutcome(
      [
        refunded > 0 ? t("refund.done", { amount: formatWon(refunded, locale()) }) : "",
        pending > 0 ? t("refund.pendingParts", { amount: formatWon(pending, locale()) }) : "",
      ]
        .filter(Boolean)
        .join(" ") || null,
    );
    setAmount(0);
    props.onRefunded();
  }

  return (
    <section class="card" aria-labelledby="refund-heading">
      <h2 id="refund-heading">{t("refund.heading")}</h2>
      <p class="hint">{t("refund.rule")}</p>
      <p data-testid="refundable">{t("refund.available", { amount: formatWon(props.refundable, locale()) })}</p>
      <Show when={outcome()}>
        <p class="ok" role="status" data-testid="refund-outcome">
          {outcome()}
        </p>
      </Show>
      <Show when={props.refundable > 0} fallback={<p class="muted">{t("refund.nothing")}</p>}>
        <form onSubmit={submit} novalidate>
          <div class="field">
            <label for="field-refund-amount">{t("refund.amount")}</label>
            <div class="field-row">
              <input
                id="field-refund-amount"
                inputMode="numeric"
                autocomplete="off"
                value={groupedWon(amount())}
                onInput={(e) => onWonInput(e.currentTarget, setAmount)}
                aria-invalid={submission.fields().amount ? true : undefined}
              />
              <button type="button" class="secondary" onClick={() => setAmount(props.refundable)}>
                {t("refund.all")}
              </button>
            </div>
            <FieldError message={submission.fields().amount?.[0]} />
          </div>
          <FormError message={submission.message()} />
          <button
            type="submit"
            class="secondary"
            disabled={submission.pending()}
            aria-busy={submission.pending() || undefined}
          >
            {submission.pending() ? t("refund.working") : t("refund.submit")}
          </button>
        </form>
      </Show>
    </section>
  );
}
