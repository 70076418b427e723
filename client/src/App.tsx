import { createResource, Match, Switch } from "solid-js";
import { HealthStatus } from "./components/HealthStatus";
import { LanguageToggle } from "./components/LanguageToggle";
import { api } from "./lib/api";
import { t } from "./lib/i18n";
import { loadMe } from "./lib/session";
import { AccountPage } from "./pages/AccountPage";
import { LoginPage } from "./pages/LoginPage";

// The app shell: header (name, API health, language) and the page for the current session.
// The full SPA (routing, feed, group buys, chat) grows from here.
export function App() {
  const [me, { refetch: reloadMe, mutate: setMe }] = createResource(loadMe);
  const [regions] = createResource(() => api.regions.list.query(), { initialValue: [] });

  return (
    <>
      <header class="top">
        <div>
          <h1>{t("app.title")}</h1>
          <p class="tagline">{t("app.tagline")}</p>
        </div>
        <div class="top-actions">
          <HealthStatus />
          <LanguageToggle />
        </div>
      </header>
      <main>
        <Switch>
          <Match when={me.loading}>
            <p aria-busy="true">{t("loading")}</p>
          </Match>
          <Match when={me.error}>
            <p class="error" role="alert">
              {t("error.network")}{" "}
              <button type="button" class="secondary" onClick={() => void reloadMe()}>
                {t("error.retry")}
              </button>
            </p>
          </Match>
          <Match when={me()}>
            {(user) => <AccountPage me={user()} regions={regions()} onLoggedOut={() => setMe(null)} />}
          </Match>
          <Match when={!me()}>
            <LoginPage onLoggedIn={() => void reloadMe()} />
          </Match>
        </Switch>
      </main>
    </>
  );
}
