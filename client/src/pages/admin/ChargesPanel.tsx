import { createResource, createSignal, For, Show } from "solid-js";
import { CHARGE_STATUSES, type ChargeStatus } from "../../../../shared/schemas/payments";
import { Field, FormError } from "../../components/Field";
import { Line } from "../../components/Line";
import { Loaded } from "../../components/Loaded";
import { SelectField } from "../../console/fields";
import { t } from "../../console/i18n";
import { formatDateTime } from "../../console/time";
import { api, type RouterOutputs } from "../../lib/api";
import { errorText } from "../../lib/errorText";
import { formatWon } from "../../lib/format";
import { createSubmission } from "../../lib/forms";
import { locale } from "../../lib/i18n";

type Charge = RouterOutputs["admin"]["charges"]["list"]["items"][number];
const OPEN: readonly ChargeStatus[] = ["processing", "unknown", "deferred"];

function ChargeRow(props: { charge: Charge; open: boolean; setOpen: (on: boolean) => void; onDone: () => void }) {
  const c = () => props.charge;
  const submit = createSubmission({ reason: {} });
  async function act(e: SubmitEvent) {
    e.preventDefault();
    const reason = String(new FormData(e.currentTarget as HTMLFormElement).get("reason") ?? "");
    const cancel = (e.submitter as HTMLButtonElement | null)?.value === "cancel";
    const input = { chargeId: c().id, reason };
    const done = await submit.run(() =>
      cancel ? api.admin.charges.cancel.mutate(input) : api.admin.charges.retry.mutate(input),
    );
    if (done) props.onDone();
  }
  return (
    <li class="card" data-testid="charge" data-status={c().status}>
      <p>
        <strong>{formatWon(c().amount, locale())}</strong>{" "}
        <span class="status-pill">{t(`admin.charge.status.${c().status}`)}</span>
        <small class="muted">
          {" · "}
          {t(`admin.charge.method.${c().method}`)} · {c().book} · {t("admin.charges.attempts", { n: c().attempts })} ·{" "}
          {formatDateTime(c().createdAt)}
        </small>
      </p>
      <Show when={c().failure}>{(f) => <p class="muted">{`${f().code}: ${f().message}`}</p>}</Show>
      <Show when={OPEN.includes(c().status)}>
        <Show
          when={props.open}
          fallback={
            <button type="button" class="secondary" onClick={() => props.setOpen(true)}>
              {t("admin.charges.act")}
            </button>
          }
        >
          <form onSubmit={act} novalidate class="inline-form">
            <Field label={t("admin.charges.reason")} name="reason" errors={submit.fields().reason} />
            <FormError message={submit.message()} />
            <div class="actions">
              <button type="submit" value="retry" disabled={submit.pending()} aria-busy={submit.pending()}>
                {submit.pending() ? t("console.working") : t("admin.charges.retry")}
              </button>
              <button type="submit" value="cancel" class="danger" disabled={submit.pending()}>
                {t("admin.charges.cancel")}
              </button>
              <button type="button" class="secondary" onClick={() => props.setOpen(false)}>
                {t("console.back")}
              </button>
            </div>
          </form>
        </Show>
      </Show>
    </li>
  );
}

function Charges() {
  const [status, setStatus] = createSignal<ChargeStatus | "">("deferred");
  const [list, { refetch }] = createResource(status, (s) =>
    api.admin.charges.list.query({ status: s === "" ? undefined : s, limit: 50 }),
  );
  const [openId, setOpenId] = createSignal<string | null>(null);
  return (
    <section aria-labelledby="charges-heading">
      <h2 id="charges-heading">{t("admin.charges")}</h2>
      <SelectField
        label={t("admin.charges.status")}
        name="chargeStatus"
        value={status()}
        options={[
          ["", t("console.all")] as const,
          ...CHARGE_STATUSES.map((s) => [s, t(`admin.charge.status.${s}`)] as const),
        ]}
        onChange={(e) => setStatus(e.currentTarget.value as ChargeStatus | "")}
      />
      <Loaded data={list} retry={refetch} empty={<p data-testid="charges-empty">{t("admin.charges.none")}</p>}>
        {() => (
          <ul class="cards" data-testid="charges" aria-busy={list.loading}>
            <For each={list.latest?.items}>
              {(c) => (
                <ChargeRow
                  charge={c}
                  open={openId() === c.id}
                  setOpen={(on) => setOpenId(on ? c.id : null)}
                  onDone={() => {
                    setOpenId(null);
                    void refetch();
                  }}
                />
              )}
            </For>
          </ul>
        )}
      </Loaded>
    </section>
  );
}

function DeadLetters() {
  const [all, setAll] = createSignal(false);
  // An object source: a bare `false` would mean "not ready" to createResource and never load.
  const [list, { refetch }] = createResource(
    () => ({ includeReplayed: all() }),
    ({ includeReplayed }) => api.admin.dlq.list.query({ includeReplayed, limit: 50 }),
  );
  const [busy, setBusy] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  async function replay(id: string) {
    setBusy(id);
    setError(null);
    try {
      await api.admin.dlq.replay.mutate({ id });
      await refetch();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  }
  return (
    <section aria-labelledby="dlq-heading">
      <h2 id="dlq-heading">{t("admin.dlq")}</h2>
      <label class="check">
        <input type="checkbox" checked={all()} onChange={(e) => setAll(e.currentTarget.checked)} />{" "}
        {t("admin.dlq.includeReplayed")}
      </label>
      <FormError message={error()} />
      <Loaded data={list} retry={refetch} empty={<p data-testid="dlq-empty">{t("admin.dlq.none")}</p>}>
        {() => (
          <ul class="lines" data-testid="dlq">
            <For each={list.latest?.items}>
              {(d) => (
                <Line
                  title={d.jobType ?? "?"}
                  detail={
                    <>
                      {t("admin.charges.attempts", { n: d.attempts })} · {formatDateTime(d.createdAt)}
                      {d.replayedAt ? ` · ${t("admin.dlq.replayed")}` : ""}
                      {/* a room step that keeps failing says which buy, which step and its last error */}
                      {d.reason ? ` · ${d.reason}` : ""}
                    </>
                  }
                >
                  <Show when={!d.replayedAt}>
                    <button
                      type="button"
                      class="secondary"
                      disabled={busy() === d.id}
                      aria-busy={busy() === d.id}
                      onClick={() => void replay(d.id)}
                    >
                      {busy() === d.id ? t("console.working") : t("admin.dlq.replay")}
                    </button>
                  </Show>
                </Line>
              )}
            </For>
          </ul>
        )}
      </Loaded>
    </section>
  );
}

/** Charges stuck between states (retry, cancel) and jobs the Queue gave up on (replay). */
export default function ChargesPanel() {
  return (
    <>
      <Charges />
      <DeadLetters />
    </>
  );
}
