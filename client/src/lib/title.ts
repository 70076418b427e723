import { createEffect, createSignal, onCleanup } from "solid-js";
import type { MessageKey } from "../i18n/ko";
import { t } from "./i18n";

/** Each screen's name by its path's first segment (the app's home is just the app's name). */
const SCREENS: Partial<Record<string, MessageKey>> = {
  board: "board.heading",
  wallet: "wallet.heading",
  notifications: "inbox.heading",
  me: "account.heading",
  membership: "membership.heading",
  login: "login.heading",
  signup: "signup.heading",
  verify: "verify.heading",
  interests: "interests.heading",
  host: "account.host",
  seller: "nav.seller",
  admin: "nav.admin",
};

const [own, setOwn] = createSignal<string | null>(null);

/**
 * The tab's title for `pathname`, in the reader's language: the screen's name, or what a page names itself (a group
 * buy's or a post's title), then the app's, so tabs, history and screen readers tell screens apart (it was
 * "공구 Gonggu" on every one).
 */
export function documentTitle(pathname: string): string {
  const key = SCREENS[pathname.split("/")[1] ?? ""];
  const screen = own() ?? (key ? t(key) : null);
  return screen ? `${screen} · ${t("app.title")}` : t("app.title");
}

/** A page names the tab after what it shows (while it is on screen). */
export function usePageTitle(title: () => string | undefined) {
  createEffect(() => setOwn(title() ?? null));
  onCleanup(() => setOwn(null));
}
