import { createSignal } from "solid-js";
import { en } from "../i18n/en";
import { ko, type MessageKey } from "../i18n/ko";

export type Locale = "ko" | "en";

const dictionaries = { ko, en } as const;
const STORAGE_KEY = "gonggu.locale";

function stored(): Locale {
  try {
    return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "ko";
  } catch {
    return "ko"; // storage blocked: Korean is the default
  }
}

const [locale, setLocaleSignal] = createSignal<Locale>(stored());
document.documentElement.lang = locale();

export { locale };

export function setLocale(next: Locale): void {
  setLocaleSignal(next);
  document.documentElement.lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // the choice just isn't remembered
  }
}

/** The UI string for `key` in the current locale, with `{name}` placeholders filled in. Reactive on locale. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text: string = dictionaries[locale()][key];
  return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => String(params[name] ?? m)) : text;
}
