import { useNavigate } from "@solidjs/router";
import { createResource, createSignal, For } from "solid-js";
import { PRODUCT_CATEGORIES, type ProductCategory } from "../../../shared/schemas/groupbuy";
import { INTERESTS_MAX } from "../../../shared/schemas/recommend";
import { FormError } from "../components/Field";
import { api } from "../lib/api";
import { createSubmission } from "../lib/forms";
import { t } from "../lib/i18n";

export default function InterestsPage() {
  const navigate = useNavigate();
  const [saved] = createResource(() => api.recommend.interests.query());
  const [picked, setPicked] = createSignal<ProductCategory[] | null>(null);
  const current = () => picked() ?? saved()?.categories ?? [];
  const submission = createSubmission({ categories: {} });

  const toggle = (c: ProductCategory) =>
    setPicked(current().includes(c) ? current().filter((x) => x !== c) : [...current(), c]);

  async function save(event: SubmitEvent) {
    event.preventDefault();
    const ok = await submission.run(() => api.recommend.setInterests.mutate({ categories: current() }));
    if (ok) navigate("/");
  }

  return (
    <section aria-labelledby="interests-heading" class="card">
      <h1 id="interests-heading">{t("interests.heading")}</h1>
      <form onSubmit={save}>
        <fieldset class="chips">
          <legend>{t("interests.legend", { max: INTERESTS_MAX })}</legend>
          <For each={PRODUCT_CATEGORIES}>
            {(c) => (
              <label class="chip" classList={{ on: current().includes(c) }}>
                <input
                  type="checkbox"
                  checked={current().includes(c)}
                  disabled={!current().includes(c) && current().length >= INTERESTS_MAX}
                  onChange={() => toggle(c)}
                />
                {t(`category.${c}`)}
              </label>
            )}
          </For>
        </fieldset>
        <FormError message={submission.fields().categories?.[0] ?? submission.message()} />
        <button type="submit" disabled={submission.pending()} aria-busy={submission.pending()}>
          {submission.pending() ? t("saving") : t("interests.save")}
        </button>
        <button type="button" class="secondary" onClick={() => navigate("/")}>
          {t("interests.skip")}
        </button>
      </form>
    </section>
  );
}
