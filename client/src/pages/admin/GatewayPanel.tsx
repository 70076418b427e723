import { createResource, createSignal, For, Match, Show, Switch } from "solid-js";
import { SELLER_STATUSES, type SellerStatus } from "../../../../shared/payouts";
import { GATEWAY_MODES, type GatewayMode, type GatewaySwitches } from "../../../../shared/schemas/payments";
import { FormError } from "../../components/Field";
import { LoadError, Loading } from "../../components/Status";
import { SelectField } from "../../console/fields";
import { t } from "../../console/i18n";
import { api } from "../../lib/api";
import { errorText } from "../../lib/errorText";

/** The sandbox gateway's switches (dev only): rehearse an outage, slowness or declines from the browser. */
export default function GatewayPanel() {
  const [state, { refetch, mutate }] = createResource(() => api.admin.gateway.get.query());
  const [busy, setBusy] = createSignal<GatewayMode | "sellerStatus" | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  async function set(patch: Partial<GatewaySwitches>) {
    setBusy(patch.mode ?? "sellerStatus");
    setError(null);
    try {
      const next = await api.admin.gateway.set.mutate(patch);
      mutate((s) => (s && s.pgMode === "sandbox" ? { ...s, switches: next.switches } : s));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  }
  return (
    <section class="card" aria-labelledby="gateway-heading">
      <h2 id="gateway-heading">{t("admin.gateway")}</h2>
      <Switch>
        <Match when={state.error}>
          <LoadError error={state.error} retry={refetch} />
        </Match>
        <Match when={!state.latest}>
          <Loading />
        </Match>
        <Match when={state.latest?.pgMode === "toss"}>
          <p class="callout">{t("admin.gateway.toss")}</p>
        </Match>
        <Match when={state.latest?.switches}>
          {(sw) => (
            <>
              <p>
                {t("admin.gateway.mode")}{" "}
                <strong data-testid="gateway-mode" data-mode={sw().mode}>
                  {t(`admin.gateway.${sw().mode}`)}
                </strong>
                <small class="muted"> · {t("admin.gateway.delay", { ms: sw().delayMs })}</small>
              </p>
              <fieldset class="actions plain">
                <legend class="sr-only">{t("admin.gateway.mode")}</legend>
                <For each={GATEWAY_MODES}>
                  {(mode) => (
                    <button
                      type="button"
                      classList={{ secondary: sw().mode !== mode }}
                      aria-pressed={sw().mode === mode}
                      disabled={busy() !== null}
                      aria-busy={busy() === mode}
                      onClick={() => void set({ mode })}
                    >
                      {t(`admin.gateway.${mode}`)}
                    </button>
                  )}
                </For>
              </fieldset>
              {/* 지급대행: the status Toss gives a newly registered payout seller, to rehearse identity checks and KYC */}
              <SelectField
                label={t("admin.gateway.sellerStatus")}
                name="sellerStatus"
                value={sw().sellerStatus}
                disabled={busy() !== null}
                options={SELLER_STATUSES.map((s) => [s, t(`seller.account.status.${s}`)] as const)}
                onChange={(e) => void set({ sellerStatus: e.currentTarget.value as SellerStatus })}
              />
              <FormError message={error()} />
              <Show when={state.latest?.stats}>
                {(s) => (
                  <dl class="facts">
                    <dt>{t("admin.gateway.orders")}</dt>
                    <dd>{s().orders}</dd>
                    <dt>{t("admin.gateway.done")}</dt>
                    <dd>{s().done}</dd>
                    <dt>{t("admin.gateway.refused")}</dt>
                    <dd>{s().refusedDown + s().refusedRateLimited}</dd>
                  </dl>
                )}
              </Show>
            </>
          )}
        </Match>
      </Switch>
    </section>
  );
}
