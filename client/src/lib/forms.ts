import { createSignal } from "solid-js";
import { errorCode, errorMessage, fieldErrors } from "./api";
import { t } from "./i18n";

/**
 * A form submission: pending flag, the server's per-field messages and a form-level message. `run` is the call; a
 * validation failure shows next to its fields, anything else above the submit button.
 */
export function createSubmission() {
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  return {
    pending,
    error,
    fields: () => fieldErrors(error()),
    /** The form-level message: the server's own words unless it only reported field problems. */
    message: () => {
      const e = error();
      if (!e) return null;
      if (Object.keys(fieldErrors(e)).length > 0) return null;
      if (errorCode(e) === "TOO_MANY_REQUESTS") return t("error.rateLimited");
      return errorMessage(e) ?? t("error.network");
    },
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

/** A fresh idempotency key per user action (retries of the same action reuse it). */
export const newKey = () => crypto.randomUUID();
