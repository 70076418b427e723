import type { ValidationCode, ValidationIssue } from "../../../shared/validation";
import type { MessageKey, Translate } from "../i18n/ko";
import type { Locale } from "./bootKeys";
import { formatWon, groupDigits } from "./format";

/**
 * How a form field's validation issues read: numbers as won or plain counts, and optional wording for codes whose
 * generic text would be vague (a regex, a refine). Keys are issue paths ("amount", "paymentMethod.encryptedCard").
 */
export interface FieldSpec {
  unit?: "won";
  messages?: Partial<Record<ValidationCode, MessageKey>>;
}
export type FormSpec = Record<string, FieldSpec>;

/** The email field of the login and signup forms: left empty, it says to enter one (not that its format is wrong). */
export const EMAIL_FIELD: FieldSpec = { messages: { too_small: "validation.emailEmpty" } };

/**
 * One validation issue in the language of `t` (the app passes its i18n `t`, so it is reactive on the locale). Pure,
 * so it is unit-tested against both dictionaries.
 */
export function issueText(issue: ValidationIssue, field: FieldSpec, t: Translate, locale: Locale = "ko"): string {
  const own = field.messages?.[issue.code];
  if (own) return t(own);
  const num = (n: number) => (field.unit === "won" ? formatWon(n, locale) : groupDigits(n));
  switch (issue.code) {
    case "invalid_type":
      if (issue.expected === "integer") return t("validation.integer");
      return t(issue.expected === "number" ? "validation.number" : "validation.type");
    case "too_small":
      if (issue.kind === "string")
        return issue.min <= 1 ? t("validation.empty") : t("validation.tooShort", { min: groupDigits(issue.min) });
      if (issue.kind === "array") return t("validation.arrayMin", { min: issue.min });
      return t("validation.numberMin", { min: num(issue.min) });
    case "too_big":
      if (issue.kind === "string") return t("validation.tooLong", { max: groupDigits(issue.max) });
      if (issue.kind === "array") return t("validation.arrayMax", { max: issue.max });
      return t("validation.numberMax", { max: num(issue.max) });
    case "not_multiple_of":
      return t("validation.step", { step: num(issue.step) });
    case "invalid_format":
      return t(issue.format === "email" ? "validation.email" : "validation.format");
    case "invalid_choice":
      return t("validation.choice");
    default:
      return t("validation.invalid");
  }
}

/**
 * Issues grouped by the field that shows them. An issue on a path the form has no field for (an idempotency key, a
 * nested id) is returned under "" so the form shows it above its submit button instead of dropping it.
 */
export function issuesByField(
  issues: ValidationIssue[],
  spec: FormSpec,
  t: Translate,
  locale: Locale = "ko",
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of issues) {
    const path = issue.path in spec ? issue.path : "";
    const text = issueText(issue, spec[path] ?? {}, t, locale);
    const list = out[path] ?? [];
    if (!list.includes(text)) list.push(text);
    out[path] = list;
  }
  return out;
}
