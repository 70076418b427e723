// First, before any module that could load zod.
import "./lib/zodJitless";
import { ErrorBoundary } from "solid-js";
import { render } from "solid-js/web";
import { App } from "./App";
import { localeReady, t } from "./lib/i18n";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
// The boot requests are already in flight (index.html's inline script, see lib/early.ts); render as soon as the
// remembered language is ready (at once for Korean). The static shell in index.html is on screen until then.
void localeReady.then(() => {
  root.textContent = ""; // the static shell; render() appends rather than replaces
  render(
    () => (
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
    ),
    root,
  );
});
