import { createSignal } from "solid-js";
import { reasonOf } from "../../../shared/sdkErrors";
import { errorCode, errorDetails, validationIssuesOf } from "./api";
import { errorText } from "./errorText";
import { locale, t } from "./i18n";
import { type FormSpec, issuesByField } from "./validation";

/**
 * A form submission: pending flag, the server's per-field messages and a form-level message. `spec` names the fields
 * the form shows (and how their limits read); validation issues are worded by the client in the reader's language,
 * next to their field, or above the submit button when the form has no field for them. `run` is the call.
 */
export function createSubmission(spec: FormSpec = {}) {
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  const byField = () => issuesByField(validationIssuesOf(error()), spec, t, locale());
  return {
    pending,
    error,
    /** Messages per field path, in the current locale. */
    fields: (): Record<string, string[] | undefined> => byField(),
    /** The form-level message: validation issues without a field, else the refusal in the reader's language. */
    message: () => {
      const e = error();
      if (!e) return null;
      const issues = byField();
      if (Object.keys(issues).length > 0) return issues[""]?.join(" ") ?? null;
      return errorText(e);
    },
    clear: () => setError(null),
    async run<T>(call: () => Promise<T>): Promise<T | undefined> {
      setPending(true);
      setError(null);
      try {
        return await call();
      } catch (e) {
        setError(e);
        return undefined;
      } finally {
        setPending(false);
      }
    },
  };
}

/** After a refused submit, the first field marked invalid takes the focus, so typing fixes it (the phone keyboard stays). */
export function focusFirstInvalid(form: HTMLFormElement) {
  requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}

/** A fresh idempotency key per user action (retries of the same action reuse it). */
export const newKey = () => crypto.randomUUID();

/**
 * Whether a money form's call ended its intent, so the next press needs a new idempotency key: the server answered
 * (a result, or a refusal to fix and resubmit). A network failure (the server may have done it) and "your earlier
 * request is still running" keep the key: pressing again then gets the first request's answer, never a second one.
 */
export function intentEnded(result: unknown, error: unknown): boolean {
  if (result) return true;
  return errorCode(error) !== null && reasonOf(errorDetails(error)) !== "request_in_progress";
}
