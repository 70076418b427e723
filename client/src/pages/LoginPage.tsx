import { A } from "@solidjs/router";
import { Field, FormError } from "../components/Field";
import { errorCode } from "../lib/api";
import { createSubmission, focusFirstInvalid } from "../lib/forms";
import { t } from "../lib/i18n";
import { logIn } from "../lib/session";
import { EMAIL_FIELD } from "../lib/validation";

export default function LoginPage() {
  // An empty or malformed field is said under it in the app's language (the browser's own bubble spoke its locale).
  const submission = createSubmission({
    email: EMAIL_FIELD,
    password: { messages: { too_small: "validation.passwordEmpty" } },
  });
  // A wrong email or password must not say which one was wrong.
  const message = () => {
    const e = submission.error();
    if (!e) return null;
    const code = errorCode(e);
    if (code === "UNAUTHORIZED") return t("error.credentials");
    if (code === "BAD_REQUEST") return submission.message();
    if (code === "TOO_MANY_REQUESTS") return t("error.rateLimited");
    return submission.message();
  };

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    const element = event.currentTarget as HTMLFormElement;
    const form = new FormData(element);
    await submission.run(() => logIn(String(form.get("email")), String(form.get("password"))));
    if (submission.error()) focusFirstInvalid(element);
  }

  return (
    <section aria-labelledby="login-heading" class="card">
      <h1 id="login-heading">{t("login.heading")}</h1>
      {/* a visitor's first screen: what Gonggu is, before asking for an account */}
      <p class="muted" data-testid="login-tagline">
        {t("login.tagline")}
      </p>
      <form onSubmit={submit} novalidate>
        <Field
          label={t("login.email")}
          name="email"
          type="email"
          autocomplete="username"
          maxLength={254}
          errors={submission.fields().email}
        />
        <Field
          label={t("login.password")}
          name="password"
          type="password"
          autocomplete="current-password"
          maxLength={128}
          errors={submission.fields().password}
        />
        <FormError message={message()} />
        <button type="submit" disabled={submission.pending()} aria-busy={submission.pending()}>
          {submission.pending() ? t("login.submitting") : t("login.submit")}
        </button>
      </form>
      <p class="alt">
        {t("login.noAccount")} <A href="/signup">{t("signup.heading")}</A>
      </p>
    </section>
  );
}
