import { type JSX, Show } from "solid-js";
import { isNotFound } from "../lib/api";
import { errorText } from "../lib/errorText";
import { t } from "../lib/i18n";

export function Loading() {
  return (
    <p class="muted" aria-busy="true">
      {t("loading")}
    </p>
  );
}

/** A failed load: what went wrong and, unless the thing is simply not there, a retry button. */
export function LoadError(props: { error: unknown; retry: () => void }) {
  return (
    <div class="card state" role="alert" data-testid="load-error">
      <p class="error">{isNotFound(props.error) ? t("error.notFound") : errorText(props.error)}</p>
      <Show when={!isNotFound(props.error)}>
        <button type="button" class="secondary" onClick={() => props.retry()}>
          {t("error.retry")}
        </button>
      </Show>
    </div>
  );
}

export function Empty(props: { children: JSX.Element }) {
  return <div class="card state empty">{props.children}</div>;
}
