import { useParams } from "@solidjs/router";
import { lazy, Match, Switch } from "solid-js";
import "../../console/console.css";
import { t } from "../../console/i18n";
import { Tabs } from "../../console/Tabs";
import { session } from "../../lib/session";

const Apply = lazy(() => import("./ApplyPanel"));
const Products = lazy(() => import("./ProductsPanel"));
const NewGroupBuy = lazy(() => import("./NewGroupBuyPanel"));
const MyGroupBuys = lazy(() => import("./MyGroupBuysPanel"));
const Payouts = lazy(() => import("./PayoutsPanel"));

/** /seller/:tab — approved sellers get the console; everyone else the application form and its status. */
export default function SellerConsole() {
  const params = useParams<{ tab?: string }>();
  const isSeller = () => session.me()?.role === "seller";
  return (
    <div class="console">
      <h1 class="page-title">{isSeller() ? t("seller.heading") : t("seller.apply.heading")}</h1>
      <Switch>
        <Match when={!isSeller()}>
          <Apply />
        </Match>
        <Match when={isSeller()}>
          <Tabs
            label={t("seller.heading")}
            base="/seller"
            tabs={[
              ["groupbuys", t("seller.tab.groupbuys")],
              ["new", t("seller.tab.new")],
              ["products", t("seller.tab.products")],
              ["payouts", t("seller.tab.payouts")],
            ]}
          />
          <Switch fallback={<MyGroupBuys />}>
            <Match when={params.tab === "new"}>
              <NewGroupBuy />
            </Match>
            <Match when={params.tab === "products"}>
              <Products />
            </Match>
            <Match when={params.tab === "payouts"}>
              <Payouts />
            </Match>
          </Switch>
        </Match>
      </Switch>
    </div>
  );
}
