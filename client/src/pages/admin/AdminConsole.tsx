import { useParams } from "@solidjs/router";
import { lazy, Match, Show, Switch } from "solid-js";
import "../../console/console.css";
import { Empty } from "../../components/Status";
import { t } from "../../console/i18n";
import { Tabs } from "../../console/Tabs";
import { session } from "../../lib/session";

const Approvals = lazy(() => import("./ApprovalsPanel"));
const Moderation = lazy(() => import("./ModerationPanel"));
const Charges = lazy(() => import("./ChargesPanel"));
const Gateway = lazy(() => import("./GatewayPanel"));
const Settlements = lazy(() => import("./SettlementsPanel"));
const Payouts = lazy(() => import("./PayoutsPanel"));
const Charts = lazy(() => import("./ChartsPanel"));

/** /admin/:tab — admins only (the server checks every call; this only keeps the screen honest). */
export default function AdminConsole() {
  const params = useParams<{ tab?: string }>();
  return (
    <div class="console">
      <h1 class="page-title">{t("admin.heading")}</h1>
      <Show
        when={session.me()?.role === "admin"}
        fallback={
          <Empty>
            <p>{t("admin.only")}</p>
          </Empty>
        }
      >
        <Tabs
          label={t("admin.heading")}
          base="/admin"
          tabs={[
            ["approvals", t("admin.tab.approvals")],
            ["moderation", t("admin.tab.moderation")],
            ["charges", t("admin.tab.charges")],
            ["gateway", t("admin.tab.gateway")],
            ["settlements", t("admin.tab.settlements")],
            ["payouts", t("admin.tab.payouts")],
            ["charts", t("admin.tab.charts")],
          ]}
        />
        <Switch fallback={<Approvals />}>
          <Match when={params.tab === "moderation"}>
            <Moderation />
          </Match>
          <Match when={params.tab === "charges"}>
            <Charges />
          </Match>
          <Match when={params.tab === "gateway"}>
            <Gateway />
          </Match>
          <Match when={params.tab === "settlements"}>
            <Settlements />
          </Match>
          <Match when={params.tab === "payouts"}>
            <Payouts />
          </Match>
          <Match when={params.tab === "charts"}>
            <Charts />
          </Match>
        </Switch>
      </Show>
    </div>
  );
}
