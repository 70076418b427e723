import { A } from "@solidjs/router";
import { type JSX, Show } from "solid-js";
import { errorDetails, isLoadFinal, isNotFound } from "../lib/api";
import { errorText } from "../lib/errorText";
import { t } from "../lib/i18n";

export function Loading() {
  return (
    <p class="muted" aria-busy="true">
      {t("loading")}
    </p>
  );
}

/** Refusals of a load that a (current) neighbourhood verification lifts. */
const NEEDS_VERIFICATION = new Set(["residents_only", "verify_region"]);

/**
 * A failed load: what went wrong, and the way on: verifying the neighbourhood when that is what it needs, a retry
 * unless retrying cannot help (the thing is not there, or not for this reader).
 */
export function LoadError(props: { error: unknown; retry: () => void }) {
  const verify = () => NEEDS_VERIFICATION.has(String(errorDetails(props.error)?.reason));
  const retryable = () => !isLoadFinal(props.error);
  return (
    <div class="card state" role="alert" data-testid="load-error">
      <p class="error">{isNotFound(props.error) ? t("error.notFound") : errorText(props.error)}</p>
      <Show when={verify()}>
        <A href="/verify" class="button secondary">
          {t("home.verifyCta")}
        </A>
      </Show>
      <Show when={retryable()}>
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
