import { A } from "@solidjs/router";
import { Show } from "solid-js";
import { t } from "../lib/i18n";
import { session } from "../lib/session";
import { Feed } from "./home/Feed";
import { Suggestions } from "./home/Suggestions";

/**
 * The neighbourhood's feed first; the suggestions come after its first cards (see Feed's `interlude`), so the first
 * thing on screen is what is new nearby, and a slower suggestion answer never holds the feed back.
 */
export default function HomePage() {
  const verified = () => !!session.me()?.verification?.current;
  const regionId = () => (verified() ? session.me()?.homeRegionId : null);

  return (
    <>
      <Show when={!verified()}>
        <div class="card callout" role="status">
          <p>{session.me()?.verification ? t("home.verifyExpired") : t("home.verifyFirst")}</p>
          <A href="/verify" class="button">
            {t("home.verifyCta")}
          </A>
        </div>
      </Show>
      <Show when={regionId()}>
        {(id) => <Feed regionId={id()} interlude={() => <Suggestions regionId={id()} />} />}
      </Show>
    </>
  );
}
