import { A } from "@solidjs/router";
import { Field, FormError } from "../components/Field";
import { errorCode } from "../lib/api";
import { createSubmission } from "../lib/forms";
import { t } from "../lib/i18n";
import { logIn } from "../lib/session";

export default function LoginPage() {
  const submission = createSubmission();
  // A wrong email or password must not say which one was wrong.
  const message = () => {
    const e = submission.error();
    if (!e) return null;
    const code = errorCode(e);
    if (code === "UNAUTHORIZED" || code === "BAD_REQUEST") return t("error.credentials");
    if (code === "TOO_MANY_REQUESTS") return t("error.rateLimited");
    return submission.message();
  };

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    await submission.run(() => logIn(String(form.get("email")), String(form.get("password"))));
  }

  return (
    <section aria-labelledby="login-heading" class="card">
      <h1 id="login-heading">{t("login.heading")}</h1>
      <form onSubmit={submit}>
        <Field label={t("login.email")} name="email" type="email" autocomplete="username" required maxLength={254} />
        <Field
          label={t("login.password")}
          name="password"
          type="password"
          autocomplete="current-password"
          required
          maxLength={128}
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
