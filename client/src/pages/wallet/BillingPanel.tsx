import { createSignal, Show } from "solid-js";
import { CONSENT_TEXTS } from "../../../../shared/schemas/payments";
import { FormError } from "../../components/Field";
import { api, type RouterOutputs } from "../../lib/api";
import { createSubmission } from "../../lib/forms";
import { locale, t } from "../../lib/i18n";
import { sandboxBillingAuthWindow } from "../../lib/payments";

const CONSENT = "billing-v1" as const;

/**
 * Consent ahead of time: register a card with the gateway once (it returns an authKey; we store only its billing key,
 * encrypted), so charges keep working — on credit — while the gateway is down.
 */
export function BillingPanel(props: { card: RouterOutputs["payments"]["billingKey"]; onChanged: () => void }) {
  const registering = createSubmission({ consent: { messages: { invalid_choice: "validation.consent" } } });
  const removing = createSubmission();
  const [agreed, setAgreed] = createSignal(false);
  const [needConsent, setNeedConsent] = createSignal(false);

  async function register(event: SubmitEvent) {
    event.preventDefault();
    if (!agreed()) return setNeedConsent(true);
    setNeedConsent(false);
    const done = await registering.run(() =>
      api.payments.registerBillingKey.mutate({ ...sandboxBillingAuthWindow(), consent: CONSENT }),
    );
    if (done) {
      setAgreed(false);
      props.onChanged();
    }
  }
  async function remove() {
    if (await removing.run(() => api.payments.removeBillingKey.mutate())) props.onChanged();
  }

  return (
    <section class="card" aria-labelledby="billing-heading">
      <h2 id="billing-heading">{t("billing.heading")}</h2>
      <Show
        when={props.card}
        fallback={
          <form onSubmit={register} novalidate>
            <p class="muted">{t("billing.none")}</p>
            <blockquote class="consent-text" lang={locale()}>
              {CONSENT_TEXTS[CONSENT][locale()]}
            </blockquote>
            <label class="check">
              <input type="checkbox" checked={agreed()} onChange={(e) => setAgreed(e.currentTarget.checked)} />
              {t("billing.consentLabel")}
            </label>
            <Show
              when={
                (needConsent() && t("deferred.needConsent")) ||
                registering.message() ||
                registering.fields().consent?.[0]
              }
            >
              {(text) => (
                <p class="error" role="alert">
                  {text()}
                </p>
              )}
            </Show>
            <button type="submit" disabled={registering.pending()} aria-busy={registering.pending() || undefined}>
              {registering.pending() ? t("billing.registering") : t("billing.register")}
            </button>
          </form>
        }
      >
        {(card) => (
          <>
            <p data-testid="billing-card">
              {t("billing.registered", { company: card().cardCompany ?? "", number: card().cardMasked ?? "" })}
            </p>
            <FormError message={removing.message()} />
            <button type="button" class="secondary" onClick={remove} disabled={removing.pending()}>
              {t("billing.remove")}
            </button>
          </>
        )}
      </Show>
    </section>
  );
}
