import { createSignal, Show } from "solid-js";
import { errorCode } from "../lib/api";
import { t } from "../lib/i18n";
import { logIn } from "../lib/session";

function loginError(error: unknown): string {
  switch (errorCode(error)) {
    case "UNAUTHORIZED":
    case "BAD_REQUEST":
      return t("error.credentials");
    case "TOO_MANY_REQUESTS":
      return t("error.rateLimited");
    case null:
      return t("error.network");
    default:
      return t("error.unknown");
  }
}

export function LoginPage(props: { onLoggedIn: () => void }) {
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setPending(true);
    setError(null);
    try {
      await logIn(String(form.get("email")), String(form.get("password")));
      props.onLoggedIn();
    } catch (e) {
      setError(e);
    } finally {
      setPending(false);
    }
  }

  return (
    <section aria-labelledby="login-heading" class="card">
      <h2 id="login-heading">{t("login.heading")}</h2>
      <form onSubmit={submit} aria-describedby={error() ? "login-error" : undefined}>
        <label for="login-email">{t("login.email")}</label>
        <input id="login-email" name="email" type="email" autocomplete="username" required maxLength={254} />
        <label for="login-password">{t("login.password")}</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          maxLength={128}
        />
        <Show when={error()}>
          <p id="login-error" class="error" role="alert">
            {loginError(error())}
          </p>
        </Show>
        <button type="submit" disabled={pending()} aria-busy={pending()}>
          {pending() ? t("login.submitting") : t("login.submit")}
        </button>
      </form>
    </section>
  );
}
