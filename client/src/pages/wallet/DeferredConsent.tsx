import { createSignal, onMount, Show } from "solid-js";
import { CONSENT_TEXTS, PAYMENT_LIMITS } from "../../../../shared/schemas/payments";
import { Field, FormError } from "../../components/Field";
import { api, type RouterOutputs } from "../../lib/api";
import { formatWon } from "../../lib/format";
import { createSubmission, intentEnded, newKey } from "../../lib/forms";
import { locale, t } from "../../lib/i18n";
import { type CardProblem, encryptCard, parseCard } from "../../lib/payments";

const CONSENT = "deferred-v1" as const;

/**
 * Consent at charge time while the gateway is down: what it means, the cap, then the card — encrypted here with the
 * gateway's public key. The typed card never leaves this function except as that ciphertext, is never kept in app
 * state, and the inputs are cleared as soon as it is encrypted.
 */
export function DeferredConsent(props: {
  amount: number;
  /** How much more may be granted before payment now (cap − outstanding). */
  room: number;
  onDone: (result: RouterOutputs["wallet"]["charge"]) => void;
  onCancel: () => void;
}) {
  const submission = createSubmission({
    amount: { unit: "won" },
    "paymentMethod.consent": { messages: { invalid_choice: "validation.consent" } },
  });
  const [problem, setProblem] = createSignal<CardProblem | "consent" | "key" | null>(null);
  const [encrypting, setEncrypting] = createSignal(false);
  let form!: HTMLFormElement;
  let key = newKey();
  const cap = PAYMENT_LIMITS.deferredOutstandingPerUser;
  // The panel replaces a failed charge: bring it into view and start at the first thing to read.
  onMount(() => {
    form.scrollIntoView({ block: "start", behavior: "smooth" });
    form.querySelector("h3")?.focus();
  });

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    setProblem(null);
    const fields = form.elements as unknown as Record<
      "cardNumber" | "cardExpiry" | "cardCvc" | "consent",
      HTMLInputElement
    >;
    if (!fields.consent.checked) return setProblem("consent");
    const parsed = parseCard({
      number: fields.cardNumber.value,
      expiry: fields.cardExpiry.value,
      cvc: fields.cardCvc.value,
    });
    if ("problem" in parsed) return setProblem(parsed.problem);
    setEncrypting(true);
    const encryptedCard = await encryptCard(parsed.card).finally(() => setEncrypting(false));
    if (!encryptedCard) return setProblem("key");
    for (const input of [fields.cardNumber, fields.cardExpiry, fields.cardCvc]) input.value = "";
    const result = await submission.run(() =>
      api.wallet.charge.mutate({
        amount: props.amount,
        idempotencyKey: key,
        paymentMethod: { type: "encryptedCard", encryptedCard, consent: CONSENT },
      }),
    );
    if (intentEnded(result, submission.error())) key = newKey();
    if (result) props.onDone(result);
  }

  const problemText = () => {
    switch (problem()) {
      case "number":
        return t("deferred.badNumber");
      case "expiry":
        return t("deferred.badExpiry");
      case "consent":
        return t("deferred.needConsent");
      case "key":
        return t("deferred.noKey");
      default:
        return null;
    }
  };
  const amount = () => formatWon(props.amount, locale());

  return (
    <form
      ref={form}
      class="deferred"
      onSubmit={submit}
      novalidate
      autocomplete="off"
      aria-labelledby="deferred-heading"
      data-testid="deferred-consent"
    >
      <h3 id="deferred-heading" tabIndex={-1}>
        {t("deferred.heading")}
      </h3>
      <p>{t("deferred.intro")}</p>
      <ul class="consent-points">
        <li>{t("deferred.point.now", { amount: amount() })}</li>
        <li>{t("deferred.point.later")}</li>
        <li>
          {t("deferred.point.cap", {
            cap: formatWon(cap, locale()),
            remaining: formatWon(Math.max(0, props.room), locale()),
          })}
        </li>
        <li>{t("deferred.point.decline")}</li>
        <li>{t("deferred.point.encrypted")}</li>
      </ul>
      <Show
        when={props.room > 0}
        fallback={
          <p class="error" role="alert">
            {t("deferred.capFull", { cap: formatWon(cap, locale()) })}
          </p>
        }
      >
        <Field
          label={t("deferred.cardNumber")}
          name="cardNumber"
          inputMode="numeric"
          autocomplete="cc-number"
          maxLength={23}
          invalid={problem() === "number"}
        />
        <div class="field-row">
          <Field
            label={t("deferred.expiry")}
            name="cardExpiry"
            inputMode="numeric"
            autocomplete="cc-exp"
            placeholder="MM/YY"
            maxLength={7}
            invalid={problem() === "expiry"}
          />
          <Field label={t("deferred.cvc")} name="cardCvc" inputMode="numeric" autocomplete="cc-csc" maxLength={4} />
        </div>
        <blockquote class="consent-text" lang={locale()}>
          {CONSENT_TEXTS[CONSENT][locale()]}
        </blockquote>
        <label class="check">
          <input type="checkbox" name="consent" aria-invalid={problem() === "consent" ? true : undefined} />
          {t("deferred.consentLabel")}
        </label>
        <FormError
          message={problemText() ?? submission.message() ?? submission.fields()["paymentMethod.consent"]?.[0]}
          testid="deferred-error"
        />
        <Show when={submission.fields().amount}>
          {(errors) => (
            <p class="error" role="alert">
              {errors()[0]}
            </p>
          )}
        </Show>
        <div class="actions">
          <button
            type="submit"
            disabled={encrypting() || submission.pending()}
            aria-busy={encrypting() || submission.pending() || undefined}
          >
            {encrypting()
              ? t("deferred.encrypting")
              : submission.pending()
                ? t("charge.working")
                : t("deferred.submit", { amount: amount() })}
          </button>
          <button type="button" class="secondary" onClick={() => props.onCancel()}>
            {t("deferred.cancel")}
          </button>
        </div>
      </Show>
    </form>
  );
}
