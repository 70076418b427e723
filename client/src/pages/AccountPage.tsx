import { createSignal } from "solid-js";
import type { Me, Region } from "../lib/api";
import { formatDate } from "../lib/format";
import { locale, t } from "../lib/i18n";
import { logOut } from "../lib/session";

export function AccountPage(props: { me: Me; regions: Region[]; onLoggedOut: () => void }) {
  const [pending, setPending] = createSignal(false);

  const region = () => props.regions.find((r) => r.id === props.me.homeRegionId);
  const regionText = () => {
    const r = region();
    if (!r) return t("account.noRegion");
    return locale() === "ko" ? `${r.name} (${r.city})` : r.nameEn;
  };
  const verificationText = () => {
    const v = props.me.verification;
    if (!v) return t("verification.none");
    const date = formatDate(v.expiresAt, locale());
    return v.current ? t("verification.current", { date }) : t("verification.expired", { date });
  };

  async function logout() {
    setPending(true);
    try {
      await logOut();
    } finally {
      setPending(false);
      props.onLoggedOut();
    }
  }

  return (
    <section aria-labelledby="account-heading" class="card">
      <h2 id="account-heading">{t("account.heading")}</h2>
      <dl class="facts">
        <dt>{t("account.name")}</dt>
        <dd data-testid="me-name">{props.me.displayName}</dd>
        <dt>{t("account.email")}</dt>
        <dd>{props.me.email}</dd>
        <dt>{t("account.role")}</dt>
        <dd data-testid="me-role">{t(`role.${props.me.role}`)}</dd>
        <dt>{t("account.region")}</dt>
        <dd data-testid="me-region">{regionText()}</dd>
        <dt>{t("account.verification")}</dt>
        <dd data-testid="me-verification" classList={{ ok: !!props.me.verification?.current }}>
          {verificationText()}
        </dd>
      </dl>
      <button type="button" class="secondary" onClick={logout} disabled={pending()}>
        {t("account.logout")}
      </button>
    </section>
  );
}
