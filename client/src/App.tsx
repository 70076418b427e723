import { Navigate, Route, Router, type RouteSectionProps, useLocation } from "@solidjs/router";
import { createEffect, ErrorBoundary, type JSX, lazy, Match, Show, Switch } from "solid-js";
import { BottomNav } from "./components/BottomNav";
import { ConsoleLinks } from "./components/ConsoleLinks";
import { LanguageToggle } from "./components/LanguageToggle";
import { LoadError, Loading } from "./components/Status";
import { t } from "./lib/i18n";
import { session } from "./lib/session";
import { documentTitle } from "./lib/title";

// Every screen is its own chunk: the first visit downloads only the frame, the router and the dictionaries.
const Home = lazy(() => import("./pages/HomePage"));
// Most visits open on the feed: index.html's boot script modulepreloads its chunk on "/" for a signed-in browser
// (client/boot/early.js), so it downloads alongside the entry instead of after it.
const Login = lazy(() => import("./pages/LoginPage"));
const Signup = lazy(() => import("./pages/SignupPage"));
const Verify = lazy(() => import("./pages/VerifyPage"));
const Interests = lazy(() => import("./pages/InterestsPage"));
const GroupBuy = lazy(() => import("./pages/GroupBuyPage"));
const Wallet = lazy(() => import("./pages/WalletPage"));
const Board = lazy(() => import("./pages/BoardPage"));
const Post = lazy(() => import("./pages/PostPage"));
const Notifications = lazy(() => import("./pages/NotificationsPage"));
const Account = lazy(() => import("./pages/AccountPage"));
const Membership = lazy(() => import("./pages/MembershipPage"));
// Consoles: only sellers and admins ever download these.
const SellerConsole = lazy(() => import("./pages/seller/SellerConsole"));
const Host = lazy(() => import("./pages/HostPage"));
const AdminConsole = lazy(() => import("./pages/admin/AdminConsole"));

/**
 * A screen that broke: said in the frame (top bar and navigation stay, so the reader can go elsewhere), with a retry;
 * moving to another screen clears it.
 */
function ScreenError(props: { error: unknown; reset: () => void }) {
  const location = useLocation();
  const broken = location.pathname;
  createEffect(() => {
    if (location.pathname !== broken) props.reset();
  });
  console.error(props.error);
  return (
    <div class="card state" role="alert">
      <p class="error">{t("error.unknown")}</p>
      <button type="button" class="secondary" onClick={() => props.reset()}>
        {t("error.retry")}
      </button>
    </div>
  );
}

/** The frame around every screen: top bar, the screen, and the bottom navigation once signed in. */
function Frame(props: RouteSectionProps) {
  const location = useLocation();
  createEffect(() => {
    document.title = documentTitle(location.pathname);
  });
  return (
    <>
      <header class="top">
        <a href="/" class="brand">
          {t("app.title")}
        </a>
        <ConsoleLinks />
        <LanguageToggle />
      </header>
      <main id="main">
        <ErrorBoundary fallback={(error, reset) => <ScreenError error={error} reset={reset} />}>
          {props.children}
        </ErrorBoundary>
      </main>
      <Show when={session.me()}>
        <BottomNav />
      </Show>
    </>
  );
}

/** Screens for signed-in users: wait for the session, send anonymous visitors to the login screen. */
function signedIn(Screen: () => JSX.Element) {
  return () => (
    <Switch>
      <Match when={session.me.error}>
        <LoadError error={session.me.error} retry={session.reload} />
      </Match>
      <Match when={session.me.loading}>
        <Loading />
      </Match>
      <Match when={session.me()}>
        <Screen />
      </Match>
      <Match when={!session.me()}>
        <Navigate href="/login" />
      </Match>
    </Switch>
  );
}

/** Login and signup: a signed-in user has nothing to do there. */
function anonymous(Screen: () => JSX.Element) {
  return () => (
    <Switch>
      <Match when={session.me.loading}>
        <Loading />
      </Match>
      <Match when={session.me()}>
        <Navigate href="/" />
      </Match>
      <Match when={!session.me()}>
        <Screen />
      </Match>
    </Switch>
  );
}

export function App() {
  return (
    <Router root={Frame}>
      <Route path="/" component={signedIn(Home)} />
      <Route path="/login" component={anonymous(Login)} />
      <Route path="/signup" component={anonymous(Signup)} />
      <Route path="/verify" component={signedIn(Verify)} />
      <Route path="/interests" component={signedIn(Interests)} />
      <Route path="/g/:id" component={signedIn(GroupBuy)} />
      <Route path="/wallet" component={signedIn(Wallet)} />
      <Route path="/board" component={signedIn(Board)} />
      <Route path="/board/:id" component={signedIn(Post)} />
      <Route path="/notifications" component={signedIn(Notifications)} />
      <Route path="/me" component={signedIn(Account)} />
      <Route path="/membership" component={signedIn(Membership)} />
      <Route path="/seller/:tab?" component={signedIn(SellerConsole)} />
      <Route path="/host" component={signedIn(Host)} />
      <Route path="/admin/:tab?" component={signedIn(AdminConsole)} />
      <Route path="*" component={() => <Navigate href="/" />} />
    </Router>
  );
}
