import { A, useNavigate } from "@solidjs/router";
import { Field, FormError } from "../components/Field";
import { createSubmission, focusFirstInvalid } from "../lib/forms";
import { t } from "../lib/i18n";
import { signUp } from "../lib/session";
import { EMAIL_FIELD } from "../lib/validation";

export default function SignupPage() {
  const submission = createSubmission({
    // what a display name may be, said whole ('2자 이상 입력해 주세요.' for an empty one read as a length rule)
    displayName: {
      messages: {
        invalid_format: "validation.noControlChars",
        too_small: "validation.displayName",
        too_big: "validation.displayName",
      },
    },
    email: EMAIL_FIELD,
    password: {},
  });
  const navigate = useNavigate();

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    const element = event.currentTarget as HTMLFormElement;
    const form = new FormData(element);
    const done = await submission.run(async () => {
      await signUp({
        email: String(form.get("email")),
        password: String(form.get("password")),
        displayName: String(form.get("displayName")),
      });
      return true;
    });
    if (done) navigate("/verify", { replace: true });
    else focusFirstInvalid(element);
  }

  return (
    <section aria-labelledby="signup-heading" class="card">
      <h1 id="signup-heading">{t("signup.heading")}</h1>
      <form onSubmit={submit} novalidate>
        <Field
          label={t("signup.displayName")}
          name="displayName"
          autocomplete="nickname"
          errors={submission.fields().displayName}
        />
        <Field
          label={t("login.email")}
          name="email"
          type="email"
          autocomplete="email"
          errors={submission.fields().email}
        />
        <Field
          label={t("login.password")}
          name="password"
          type="password"
          autocomplete="new-password"
          errors={submission.fields().password}
        />
        <p class="hint">{t("signup.passwordHint")}</p>
        <FormError message={submission.message()} />
        <button type="submit" disabled={submission.pending()} aria-busy={submission.pending()}>
          {submission.pending() ? t("signup.submitting") : t("signup.submit")}
        </button>
      </form>
      <p class="alt">
        {t("signup.haveAccount")} <A href="/login">{t("login.heading")}</A>
      </p>
    </section>
  );
}
