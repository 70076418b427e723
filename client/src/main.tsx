import { ErrorBoundary } from "solid-js";
import { render } from "solid-js/web";
import { config as zodConfig } from "zod/v4/core";
import { App } from "./App";
import { t } from "./lib/i18n";
import "./styles.css";

// Our CSP forbids eval: without this, zod probes `new Function` when the first schema loads (a CSP violation).
zodConfig({ jitless: true });

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
// Render two tasks later: the boot requests queued while the modules ran (auth.me with the home feed, then the
// suggestions; tRPC sends a batch per task) go out first instead of waiting for the first render on a slow CPU. The
// static shell in index.html is on screen meanwhile.
const later = (run: () => void) => setTimeout(() => setTimeout(run));
later(() => {
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
