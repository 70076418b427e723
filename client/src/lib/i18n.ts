import { createSignal } from "solid-js";
import { fillWords } from "../../../shared/words";
import { ko, type MessageKey, type Messages } from "../i18n/ko";
import { LOCALE_COOKIE, type Locale } from "./bootKeys";

export type { Locale };

const STORAGE_KEY = "gonggu.locale";

function stored(): Locale {
  try {
    return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "ko";
  } catch {
    return "ko"; // storage blocked: Korean is the default
  }
}

// Korean is the default and ships with the first load. English, as large again, is its own chunk: only someone who
// picks it (now or on an earlier visit) downloads it.
let english: Messages | undefined;
const [locale, setLocaleSignal] = createSignal<Locale>("ko");
/** The language last asked for: a slow English download must not override a later switch back to Korean. */
let wanted: Locale = "ko";

export { locale };

async function show(next: Locale): Promise<void> {
  wanted = next;
  if (next === "en" && !english) english = (await import("../i18n/en")).en;
  if (wanted !== next) return;
  setLocaleSignal(next);
  document.documentElement.lang = next;
  // The server draws the first feed cards of the next visit in this language (worker/web/home.ts).
  document.cookie = `${LOCALE_COOKIE}=${next}; path=/; max-age=31536000; SameSite=Lax`;
}

/** Switches the language (after fetching English the first time) and remembers the choice in this browser. */
export async function setLocale(next: Locale): Promise<void> {
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // the choice just isn't remembered
  }
  await show(next);
}

/** The remembered language, ready before the first render (Korean needs no download); Korean if English fails. */
export const localeReady: Promise<void> = stored() === "en" ? show("en").catch(() => {}) : Promise.resolve();

/** The UI string for `key` in the current locale, with `{name}` placeholders filled in. Reactive on locale. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text: string = (locale() === "en" && english ? english : ko)[key];
  return fillWords(text, params);
}
