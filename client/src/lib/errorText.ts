import { errorCode, errorDetails, errorMessage } from "./api";
import { BY_CODE } from "./errorCodes";
import { locale, t } from "./i18n";
import { refusalText } from "./refusals";

/**
 * What a failed call says to the reader, in the reader's language. A refusal with a reason the client knows is worded
 * here with its numbers. Otherwise the server's sentence is English (written for SDK callers): an English reader gets
 * it, a Korean reader a Korean sentence for its code. A server fault never shows its raw text; no answer at all is a
 * network problem.
 */
export function errorText(error: unknown): string {
  const refusal = refusalText(errorDetails(error), t, locale());
  if (refusal) return refusal;
  const code = errorCode(error);
  if (code === null) return t("error.network");
  const key = BY_CODE[code];
  if (!key) return t("error.unknown");
  return (locale() === "en" && errorMessage(error)) || t(key);
}
