// First, before any module that could load zod.
import "./lib/zodJitless";
import { ErrorBoundary } from "solid-js";
import { render } from "solid-js/web";
import { App } from "./App";
import { localeReady, t } from "./lib/i18n";
import { serverCards, whenFeedDrawn } from "./lib/serverBoot";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
// The boot requests are already in flight (index.html's inline script, see lib/early.ts); render as soon as the
// remembered language is ready (at once for Korean). The static shell in index.html is on screen until then.
/** How long the server's cards wait for the app's own feed before the app takes over anyway (a failed load). */
const TAKEOVER_MS = 5_000;

void localeReady.then(async () => {
  const app = () => (
    <ErrorBoundary
      fallback={(error: unknown, reset) => {
        console.error(error);
        return (
          <p class="error" role="alert">
            {t("error.unknown")}{" "}
            <button type="button" onClick={reset}>
              {t("error.retry")}
            </button>
          </p>
        );
      }}
    >
      <App />
    </ErrorBoundary>
  );
  if (!serverCards()) {
    root.textContent = ""; // the static shell; render() appends rather than replaces
    render(app, root);
    return;
  }
  // The worker drew the first feed cards into the page (worker/web/home.ts): the app renders off screen and takes
  // their place once its own feed is drawn, so the cards never blink out for a loading screen in between. It starts
  // after the next frame, so a slow phone paints the server's cards first instead of after the app's first render.
  const next = document.createElement("div");
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
  render(app, next);
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, TAKEOVER_MS));
  const drawn = () => Promise.race([whenFeedDrawn(), timeout]);
  await drawn();
  // The server drew the app's own filter bar (same ids): a choice made on it before now stays chosen, and the app
  // takes over once its list for that choice is drawn. Swapping at once put a loading line where the server's cards
  // were, and the chosen list then pushed the rest of the page down under the reader (CLS 0.12 on a phone,
  // test/browser/home-ssr.test.ts). Again if a choice changed meanwhile.
  while (carryChoices(root, next)) await drawn();
  next.id = "root";
  root.replaceWith(next);
});

/** Gives the app's selects (in `to`) the values chosen on the server's (in `from`); says whether any changed. */
function carryChoices(from: Element, to: Element): boolean {
  let changed = false;
  for (const served of from.querySelectorAll("select")) {
    const own = served.id ? to.querySelector(`#${served.id}`) : null;
    if (!(own instanceof HTMLSelectElement) || own.value === served.value) continue;
    if (!Array.from(own.options).some((o) => o.value === served.value)) continue; // not a choice the app offers
    own.value = served.value;
    own.dispatchEvent(new Event("change", { bubbles: true }));
    changed = true;
  }
  return changed;
}
