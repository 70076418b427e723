import { A } from "@solidjs/router";
import "../console/console.css";
import { t } from "../console/i18n";
import NewGroupBuyPanel from "./seller/NewGroupBuyPanel";

/**
 * A verified buyer hosts a group buy of a hostable product in their neighbourhood (the seller console's form, with the
 * console's layout: its rows of short fields, its date-and-time pairs one under the other on a phone).
 */
export default function HostPage() {
  return (
    <div class="console">
      <A href="/me" class="back">
        ← {t("account.heading")}
      </A>
      <h1 class="page-title">{t("host.heading")}</h1>
      <p class="muted">{t("host.intro")}</p>
      <NewGroupBuyPanel host />
    </div>
  );
}
