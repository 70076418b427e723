import { t } from "../lib/i18n";

type Trust = { completedBuys: number; noShows: number; hostCancellations: number; reports: number };

/** A user's trust record in one line (a board author, a group buy's host): the same four counts as `trust.get`. */
export function TrustLine(props: { trust: Trust }) {
  return (
    <small class="muted trust" data-testid="trust">
      {t("trust.line", {
        completed: props.trust.completedBuys,
        noShows: props.trust.noShows,
        hostCancels: props.trust.hostCancellations,
        reports: props.trust.reports,
      })}
    </small>
  );
}
