import { useNavigate } from "@solidjs/router";
import { createResource, createSignal, For, Show } from "solid-js";
import { Field, FieldError, FormError } from "../components/Field";
import { LoadError } from "../components/Status";
import { api, type Region } from "../lib/api";
import { createSubmission } from "../lib/forms";
import { locale, t } from "../lib/i18n";
import { session } from "../lib/session";

const regionLabel = (r: Region) => (locale() === "ko" ? `${r.name} (${r.city})` : r.nameEn);

/** Where the device is, or why not (denied, unavailable, timed out). */
function currentPosition(): Promise<GeolocationPosition> {
  return new Promise((resolve, reject) => {
    if (!("geolocation" in navigator)) reject(new Error("unsupported"));
    else navigator.geolocation.getCurrentPosition(resolve, reject, { enableHighAccuracy: true, timeout: 15_000 });
  });
}

export default function VerifyPage() {
  const navigate = useNavigate();
  const [regions, { refetch }] = createResource(() => api.regions.list.query());
  const [regionId, setRegionId] = createSignal(session.me()?.homeRegionId ?? "");
  const [geoProblem, setGeoProblem] = createSignal<string | null>(null);
  const [locating, setLocating] = createSignal(false);
  const submission = createSubmission({ regionId: {}, lat: {}, lng: {} });

  async function verify(lat: number, lng: number) {
    const result = await submission.run(() => api.regions.verify.mutate({ regionId: regionId(), lat, lng }));
    if (!result) return;
    await session.reload();
    navigate("/interests");
  }

  async function useLocation() {
    setGeoProblem(null);
    setLocating(true);
    try {
      const pos = await currentPosition();
      await verify(pos.coords.latitude, pos.coords.longitude);
    } catch (e) {
      const code = (e as GeolocationPositionError).code;
      setGeoProblem(code === 1 ? t("verify.geoDenied") : t("verify.geoUnavailable"));
    } finally {
      setLocating(false);
    }
  }

  async function manual(event: SubmitEvent) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    await verify(Number(form.get("lat")), Number(form.get("lng")));
  }

  const selected = () => regions()?.find((r) => r.id === regionId());

  return (
    <section aria-labelledby="verify-heading" class="card">
      <h1 id="verify-heading">{t("verify.heading")}</h1>
      <p class="muted">{t("verify.intro")}</p>
      <Show when={!regions.error} fallback={<LoadError error={regions.error} retry={refetch} />}>
        <div class="field">
          <label for="verify-region">{t("verify.region")}</label>
          <select
            id="verify-region"
            value={regionId()}
            onChange={(e) => setRegionId(e.currentTarget.value)}
            aria-invalid={submission.fields().regionId ? true : undefined}
          >
            <option value="">{t("verify.pickRegion")}</option>
            <For each={regions() ?? []}>{(r) => <option value={r.id}>{regionLabel(r)}</option>}</For>
          </select>
          <FieldError message={submission.fields().regionId?.[0]} />
        </div>
        <button
          type="button"
          onClick={useLocation}
          disabled={!regionId() || locating() || submission.pending()}
          aria-busy={locating() || submission.pending()}
        >
          {locating() ? t("verify.locating") : submission.pending() ? t("verify.verifying") : t("verify.useLocation")}
        </button>
        <FormError message={geoProblem()} />
        <FormError message={submission.message()} testid="verify-error" />
        <details class="manual" open={!!geoProblem()}>
          <summary>{t("verify.manual")}</summary>
          <p class="hint">{t("verify.manualHint")}</p>
          <form onSubmit={manual} novalidate>
            <Field
              label={t("verify.lat")}
              name="lat"
              inputMode="decimal"
              value={selected()?.lat ?? ""}
              errors={submission.fields().lat}
            />
            <Field
              label={t("verify.lng")}
              name="lng"
              inputMode="decimal"
              value={selected()?.lng ?? ""}
              errors={submission.fields().lng}
            />
            <button type="submit" class="secondary" disabled={!regionId() || submission.pending()}>
              {t("verify.submitManual")}
            </button>
          </form>
        </details>
      </Show>
    </section>
  );
}
