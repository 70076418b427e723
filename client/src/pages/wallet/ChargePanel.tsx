import { createSignal, For, Match, Show, Switch } from "solid-js";
import { PAYMENT_LIMITS } from "../../../../shared/schemas/payments";
import { Field } from "../../components/Field";
import { api, errorCode, type RouterOutputs } from "../../lib/api";
import { formatWon } from "../../lib/format";
import { createSubmission, intentEnded, newKey } from "../../lib/forms";
import { locale, t } from "../../lib/i18n";
import { sandboxPaymentWindow } from "../../lib/payments";
import { groupedWon, onWonInput } from "../../lib/wonInput";
import { DeferredConsent } from "./DeferredConsent";

type ChargeResult = RouterOutputs["wallet"]["charge"];
type BillingCard = RouterOutputs["payments"]["billingKey"];

const PRESETS = [10_000, 30_000, 50_000, 100_000];
const L = PAYMENT_LIMITS;

/** The outcome line of a charge the server accepted (paid, granted before payment, or still being resolved). */
export function chargeOutcome(result: ChargeResult): string {
  const amount = formatWon(result.charge.amount, locale());
  if (result.charge.status === "deferred") return t("charge.deferred", { amount });
  if (result.charge.status === "succeeded") return t("charge.succeeded", { amount });
  return t("charge.unknown");
}

/**
 * Top up points: amount within the limits, card or registered card, progress while the gateway works. When the
 * gateway is down and a plain card cannot be confirmed, the deferred-charge consent flow takes over.
 */
export function ChargePanel(props: { card: BillingCard | undefined; deferredRoom: number; onCharged: () => void }) {
  const [amount, setAmount] = createSignal(10_000);
  const [method, setMethod] = createSignal<"card" | "billingKey">("card");
  const [outcome, setOutcome] = createSignal<string | null>(null);
  const [down, setDown] = createSignal(false);
  const submission = createSubmission({ amount: { unit: "won" } });
  // One key (and gateway order) per intent: a retry after a network error resumes the same charge.
  let intent = { key: newKey(), window: sandboxPaymentWindow() };

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    setOutcome(null);
    setDown(false);
    const useKey = method() === "billingKey" && props.card;
    const result = await submission.run(() =>
      api.wallet.charge.mutate({
        amount: amount(),
        idempotencyKey: intent.key,
        paymentMethod: useKey ? { type: "billingKey" } : { type: "card", ...intent.window },
      }),
    );
    // Any answer from the server ends this intent; only a network failure keeps it for the retry.
    if (intentEnded(result, submission.error())) intent = { key: newKey(), window: sandboxPaymentWindow() };
    if (result) {
      setOutcome(chargeOutcome(result));
      props.onCharged();
    } else if (errorCode(submission.error()) === "SERVICE_UNAVAILABLE" && !useKey) {
      setDown(true);
    }
  }

  return (
    <section class="card" aria-labelledby="charge-heading">
      <h2 id="charge-heading">{t("charge.heading")}</h2>
      <form onSubmit={submit} novalidate>
        <fieldset class="chips">
          <legend>{t("charge.presets")}</legend>
          <For each={PRESETS}>
            {(preset) => (
              <button
                type="button"
                class="chip"
                classList={{ on: amount() === preset }}
                aria-pressed={amount() === preset}
                onClick={() => setAmount(preset)}
              >
                {formatWon(preset, locale())}
              </button>
            )}
          </For>
        </fieldset>
        <Field
          label={t("charge.amount")}
          name="amount"
          inputMode="numeric"
          autocomplete="off"
          value={groupedWon(amount())}
          onInput={(e) => onWonInput(e.currentTarget, setAmount)}
          errors={submission.fields().amount}
          hint={t("charge.limits", {
            step: formatWon(L.chargeStep, locale()),
            min: formatWon(L.chargeMin, locale()),
            max: formatWon(L.chargeMax, locale()),
            daily: formatWon(L.chargeDailyPerUser, locale()),
            monthly: formatWon(L.chargeMonthlyPerUser, locale()),
          })}
        />
        <Show when={props.card}>
          {(card) => (
            <fieldset class="chips">
              <legend>{t("charge.method")}</legend>
              <label class="chip" classList={{ on: method() === "card" }}>
                <input
                  type="radio"
                  name="charge-method"
                  checked={method() === "card"}
                  onChange={() => setMethod("card")}
                />
                {t("charge.method.card")}
              </label>
              <label class="chip" classList={{ on: method() === "billingKey" }}>
                <input
                  type="radio"
                  name="charge-method"
                  checked={method() === "billingKey"}
                  onChange={() => setMethod("billingKey")}
                />
                {t("charge.method.billingKey", { card: `${card().cardCompany ?? ""} ${card().cardMasked ?? ""}` })}
              </label>
            </fieldset>
          )}
        </Show>
        <div aria-live="polite">
          <Switch>
            <Match when={submission.pending()}>
              <p class="muted" aria-busy="true" data-testid="charge-progress">
                {t("charge.working")}
              </p>
            </Match>
            <Match when={outcome()}>
              <p class="ok" role="status" data-testid="charge-outcome">
                {outcome()}
              </p>
            </Match>
            <Match when={!down() && submission.message()}>
              <p class="error" role="alert" data-testid="charge-error">
                {submission.message()}
              </p>
            </Match>
          </Switch>
        </div>
        <button type="submit" disabled={submission.pending()} aria-busy={submission.pending() || undefined}>
          {/* an emptied field reads '충전하기', not '0원 충전하기' */}
          {amount() > 0 ? t("charge.submit", { amount: formatWon(amount(), locale()) }) : t("charge.submitEmpty")}
        </button>
      </form>
      <Show when={down()}>
        <DeferredConsent
          amount={amount()}
          room={props.deferredRoom}
          onDone={(result) => {
            setDown(false);
            setOutcome(chargeOutcome(result));
            props.onCharged();
          }}
          onCancel={() => setDown(false)}
        />
      </Show>
    </section>
  );
}
