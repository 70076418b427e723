import { A, useNavigate } from "@solidjs/router";
import { createResource, createSignal, Show } from "solid-js";
import { HealthStatus } from "../components/HealthStatus";
import { TrustLine } from "../components/TrustLine";
import { api } from "../lib/api";
import { formatDate } from "../lib/format";
import { locale, t } from "../lib/i18n";
import { logOut, session } from "../lib/session";
import { MyGroupBuys } from "./account/MyGroupBuys";

export default function AccountPage() {
  const navigate = useNavigate();
  const [pending, setPending] = createSignal(false);
  const [regions] = createResource(() => api.regions.list.query(), { initialValue: [] });
  const me = () => session.me();
  // the record others see on this person's posts and the buys they host
  const [trust] = createResource(
    () => me()?.id,
    (userId) => api.trust.get.query({ userId }),
  );

  const regionText = () => {
    const r = regions().find((x) => x.id === me()?.homeRegionId);
    if (!r) return t("account.noRegion");
    return locale() === "ko" ? `${r.name} (${r.city})` : r.nameEn;
  };
  const verificationText = () => {
    const v = me()?.verification;
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
      navigate("/login", { replace: true });
    }
  }

  return (
    <>
      <Show when={me()}>
        {(user) => (
          <section aria-labelledby="account-heading" class="card">
            <h1 id="account-heading">{t("account.heading")}</h1>
            <dl class="facts">
              <dt>{t("account.name")}</dt>
              <dd data-testid="me-name">{user().displayName}</dd>
              <dt>{t("account.email")}</dt>
              <dd>{user().email}</dd>
              <dt>{t("account.role")}</dt>
              <dd data-testid="me-role">{t(`role.${user().role}`)}</dd>
              <dt>{t("account.region")}</dt>
              <dd data-testid="me-region">{regionText()}</dd>
              <dt>{t("account.verification")}</dt>
              <dd data-testid="me-verification" classList={{ ok: !!user().verification?.current }}>
                {verificationText()}
              </dd>
              <Show when={trust.latest}>
                {(record) => (
                  <>
                    <dt>{t("account.trust")}</dt>
                    <dd data-testid="me-trust">
                      <TrustLine trust={record()} />
                    </dd>
                  </>
                )}
              </Show>
            </dl>
            <div class="actions">
              <A href="/verify" class="button secondary">
                {t("account.verify")}
              </A>
              <A href="/interests" class="button secondary">
                {t("account.interests")}
              </A>
              <A href="/membership" class="button secondary">
                {t("nav.membership")}
              </A>
              <Show when={user().role === "buyer" && user().verification?.current}>
                <A href="/host" class="button secondary">
                  {t("account.host")}
                </A>
              </Show>
              <Show when={user().role === "buyer"}>
                <A href="/seller" class="button secondary" data-testid="apply-seller-link">
                  {t("nav.applySeller")}
                </A>
              </Show>
              <button type="button" class="secondary" onClick={logout} disabled={pending()}>
                {t("account.logout")}
              </button>
            </div>
            <HealthStatus />
          </section>
        )}
      </Show>
      <Show when={me()}>
        <MyGroupBuys />
      </Show>
    </>
  );
}
