import { createEffect, createResource, For, Show } from "solid-js";
import { Field } from "../../components/Field";
import { Loaded } from "../../components/Loaded";
import { BusinessNumberField, Submit } from "../../console/fields";
import { t } from "../../console/i18n";
import { formatDateTime } from "../../console/time";
import { api } from "../../lib/api";
import { createSubmission } from "../../lib/forms";
import { session } from "../../lib/session";

/** A buyer applies to sell; the application's status (and a rejection's reason) shows here until decided. */
export default function ApplyPanel() {
  const [apps, { refetch }] = createResource(() => api.sellers.myApplications.query());
  const submit = createSubmission({
    businessName: { messages: { invalid_format: "validation.noControlChars" } },
    businessNumber: { messages: { invalid_format: "validation.businessNumber" } },
  });
  const pending = () => apps()?.some((a) => a.status === "pending") ?? false;
  // Approved while this page was open: the role changed on the server, so reload the session (→ the console shows).
  createEffect(() => {
    if (apps()?.some((a) => a.status === "approved") && session.me()?.role === "buyer") void session.reload();
  });

  async function apply(e: SubmitEvent) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const done = await submit.run(() =>
      api.sellers.applyToSell.mutate({
        businessName: String(form.get("businessName") ?? ""),
        businessNumber: String(form.get("businessNumber") ?? ""),
      }),
    );
    if (done) void refetch();
  }

  return (
    <>
      <section class="card" aria-labelledby="apply-heading">
        <h2 id="apply-heading">{t("seller.apply.heading")}</h2>
        <p class="hint">{t("seller.apply.intro")}</p>
        <Show
          when={!pending()}
          fallback={
            <p class="callout" data-testid="apply-pending">
              {t("seller.apply.waiting")}
            </p>
          }
        >
          <form onSubmit={apply} novalidate>
            <Field
              label={t("seller.apply.businessName")}
              name="businessName"
              required
              maxLength={60}
              errors={submit.fields().businessName}
            />
            <BusinessNumberField errors={submit.fields().businessNumber} />
            <Submit
              pending={submit.pending()}
              message={submit.message()}
              label={t("seller.apply.submit")}
              busyLabel={t("seller.apply.submitting")}
            />
          </form>
        </Show>
      </section>
      <section class="card" aria-labelledby="apps-heading">
        <h2 id="apps-heading">{t("seller.apply.history")}</h2>
        <Loaded data={apps} retry={refetch} empty={<p>{t("seller.apply.none")}</p>}>
          {() => (
            <>
              <ul class="lines" data-testid="applications">
                <For each={apps.latest}>
                  {(a) => (
                    <li class="line">
                      <span>
                        <strong>{a.businessName}</strong>
                        <small class="muted"> · {formatDateTime(a.createdAt)}</small>
                        <Show when={a.decisionReason}>
                          <br />
                          <small>{t("seller.apply.reason", { reason: a.decisionReason ?? "" })}</small>
                        </Show>
                      </span>
                      <span class={`status-pill ${a.status}`}>{t(`seller.apply.status.${a.status}`)}</span>
                    </li>
                  )}
                </For>
              </ul>
              <button type="button" class="secondary" onClick={() => void refetch()} disabled={apps.loading}>
                {t("console.refresh")}
              </button>
            </>
          )}
        </Loaded>
      </section>
    </>
  );
}
