import { fillWords } from "../../../shared/words";
import { consoleEn } from "../i18n/console.en";
import { consoleKo } from "../i18n/console.ko";
import type { MessageKey } from "../i18n/ko";
import { t as appT, locale } from "../lib/i18n";

export type ConsoleKey = keyof typeof consoleKo;
const dictionaries = { ko: consoleKo, en: consoleEn } as const;

/** `t` for console screens: their own strings (in the console chunks) first, then the app dictionary. */
export function t(key: ConsoleKey | MessageKey, params?: Record<string, string | number>): string {
  const own: string | undefined = (dictionaries[locale()] as Record<string, string>)[key];
  if (own === undefined) return appT(key as MessageKey, params);
  return fillWords(own, params);
}
