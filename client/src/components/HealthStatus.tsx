import { createResource, Match, Switch } from "solid-js";
import { api } from "../lib/api";
import { t } from "../lib/i18n";

/** Whether the API answers; a live region so screen readers hear when it changes. */
export function HealthStatus() {
  const [health] = createResource(() => api.health.query());
  return (
    <p class="health" role="status" aria-live="polite" data-testid="health">
      <span>{t("health.label")}: </span>
      <Switch>
        <Match when={health.loading}>{t("health.checking")}</Match>
        <Match when={health.error}>
          <strong class="health-down">{t("health.down")}</strong>
        </Match>
        <Match when={health()?.ok}>
          <strong class="health-ok">{t("health.ok")}</strong>
        </Match>
      </Switch>
    </p>
  );
}
