import { locale, setLocale, t } from "../lib/i18n";

/** Korean ⇄ English. The button names the language it switches to, in that language. */
export function LanguageToggle() {
  const other = () => (locale() === "ko" ? "en" : "ko");
  return (
    <button
      type="button"
      class="secondary"
      lang={other()}
      aria-label={t("lang.switchLabel")}
      onClick={() => void setLocale(other())}
    >
      {t("lang.switch")}
    </button>
  );
}
