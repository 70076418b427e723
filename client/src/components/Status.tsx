import type { JSX } from "solid-js";
import { errorMessage } from "../lib/api";
import { t } from "../lib/i18n";

export function Loading() {
  return (
    <p class="muted" aria-busy="true">
      {t("loading")}
    </p>
  );
}

/** A failed load: what went wrong and a retry button. */
export function LoadError(props: { error: unknown; retry: () => void }) {
  return (
    <div class="card state" role="alert">
      <p class="error">{errorMessage(props.error) ?? t("error.network")}</p>
      <button type="button" class="secondary" onClick={() => props.retry()}>
        {t("error.retry")}
      </button>
    </div>
  );
}

export function Empty(props: { children: JSX.Element }) {
  return <div class="card state empty">{props.children}</div>;
}
