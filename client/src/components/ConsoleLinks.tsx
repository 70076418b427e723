import { A } from "@solidjs/router";
import { Match, Switch } from "solid-js";
import { t } from "../lib/i18n";
import { session } from "../lib/session";

/** The top bar's entry to the seller or admin console, shown only to those roles (consoles are their own chunks). */
export function ConsoleLinks() {
  return (
    <Switch>
      <Match when={session.me()?.role === "seller"}>
        <A href="/seller" class="console-link" data-testid="nav-seller">
          {t("nav.seller")}
        </A>
      </Match>
      <Match when={session.me()?.role === "admin"}>
        <A href="/admin" class="console-link" data-testid="nav-admin">
          {t("nav.admin")}
        </A>
      </Match>
    </Switch>
  );
}
