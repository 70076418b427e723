import { t } from "../console/i18n";
import NewGroupBuyPanel from "./seller/NewGroupBuyPanel";

/** A verified buyer hosts a group buy of a hostable product in their neighbourhood (the seller console's form). */
export default function HostPage() {
  return (
    <>
      <h1 class="page-title">{t("host.heading")}</h1>
      <p class="muted">{t("host.intro")}</p>
      <NewGroupBuyPanel host />
    </>
  );
}
