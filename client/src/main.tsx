import { ErrorBoundary } from "solid-js";
import { render } from "solid-js/web";
import { App } from "./App";
import { t } from "./lib/i18n";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
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
