import { createResource, createSignal, For, Show } from "solid-js";
import { suspendUserInput } from "../../../../shared/schemas/accounts";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Field, FormError } from "../../components/Field";
import { Loaded } from "../../components/Loaded";
import { Submit } from "../../console/fields";
import { t } from "../../console/i18n";
import { formatDateTime } from "../../console/time";
import { api, type RouterOutputs } from "../../lib/api";
import { errorText } from "../../lib/errorText";
import { createSubmission } from "../../lib/forms";
import { SuspensionNote } from "./SuspensionNote";

type Pending = RouterOutputs["admin"]["sellers"]["pending"][number];

type Suspension = { days: number; reason: string };
/** The form's fields as the server checks them (the user id is the form's own). */
const suspensionFields = suspendUserInput.omit({ userId: true });

/**
 * Suspend a user for N days with a reason. A valid request is confirmed first in a dialog that says what a suspension
 * stops; one the server will refuse goes straight to it, so its field messages show and nothing needs confirming.
 */
export function SuspendForm(props: { userId: string; name: string; onDone: () => void; onCancel: () => void }) {
  const submit = createSubmission({ days: {}, reason: {} });
  const [asking, setAsking] = createSignal<Suspension | null>(null);
  async function send(request: Suspension) {
    const done = await submit.run(() => api.admin.users.suspend.mutate({ userId: props.userId, ...request }));
    setAsking(null);
    if (done) props.onDone();
  }
  function suspend(e: SubmitEvent) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const request = {
      days: Number(String(form.get("days") ?? "").trim() || Number.NaN),
      reason: String(form.get("reason") ?? ""),
    };
    if (suspensionFields.safeParse(request).success) setAsking(request);
    else void send(request);
  }
  return (
    <form onSubmit={suspend} novalidate class="inline-form" data-testid="suspend-form">
      <ConfirmDialog
        open={asking() !== null}
        title={t("admin.suspend.title", { name: props.name })}
        confirmLabel={t("admin.suspend.confirm")}
        cancelLabel={t("console.back")}
        busyLabel={t("console.working")}
        busy={submit.pending()}
        onConfirm={() => {
          const request = asking();
          if (request) void send(request);
        }}
        onCancel={() => setAsking(null)}
      >
        <SuspensionNote days={asking()?.days ?? 0} />
      </ConfirmDialog>
      <Field label={t("admin.suspend.days")} name="days" inputMode="numeric" value={7} errors={submit.fields().days} />
      <Field label={t("admin.suspend.reason")} name="reason" errors={submit.fields().reason} />
      <div class="actions">
        <Submit
          pending={submit.pending()}
          message={submit.message()}
          label={t("admin.suspend.submit")}
          busyLabel={t("console.working")}
        />
        <button type="button" class="secondary" onClick={() => props.onCancel()}>
          {t("console.back")}
        </button>
      </div>
    </form>
  );
}

type Mode = "idle" | "reject" | "suspend";

/** `mode`/`setMode` live in the list: one open form at a time, so field ids stay unique on the page. */
function Application(props: { item: Pending; onDone: () => void; mode: Mode; setMode: (m: Mode) => void }) {
  const a = () => props.item.application;
  const mode = () => props.mode;
  const setMode = (m: Mode) => props.setMode(m);
  const [approving, setApproving] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const reject = createSubmission({ reason: {} });

  async function approve() {
    setApproving(true);
    setError(null);
    try {
      await api.admin.sellers.approve.mutate({ applicationId: a().id });
      props.onDone();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setApproving(false);
    }
  }
  async function submitReject(e: SubmitEvent) {
    e.preventDefault();
    const reason = String(new FormData(e.currentTarget as HTMLFormElement).get("reason") ?? "");
    const done = await reject.run(() => api.admin.sellers.reject.mutate({ applicationId: a().id, reason }));
    if (done) props.onDone();
  }

  return (
    <li class="card" data-testid="application" data-email={props.item.email}>
      <p>
        <strong>{a().businessName}</strong> <small class="muted">{a().businessNumber}</small>
        <br />
        <small>
          {props.item.displayName} · {props.item.email} · {formatDateTime(a().createdAt)}
        </small>
      </p>
      <FormError message={error()} />
      <Show when={mode() === "idle"}>
        <div class="actions">
          <button type="button" disabled={approving()} aria-busy={approving()} onClick={() => void approve()}>
            {approving() ? t("console.working") : t("admin.approve")}
          </button>
          <button type="button" class="secondary" onClick={() => setMode("reject")}>
            {t("admin.reject")}
          </button>
          <button type="button" class="secondary danger" onClick={() => setMode("suspend")}>
            {t("admin.suspend")}
          </button>
        </div>
      </Show>
      <Show when={mode() === "reject"}>
        <form onSubmit={submitReject} novalidate class="inline-form">
          {/* The reason is the form's only field: a refusal without a zod path (a missing reason) belongs under it. */}
          <Field
            label={t("admin.rejectReason")}
            name="reason"
            errors={reject.fields().reason ?? (reject.message() ? [reject.message()!] : undefined)}
          />
          <div class="actions">
            <Submit
              pending={reject.pending()}
              message={null}
              label={t("admin.reject")}
              busyLabel={t("console.working")}
            />
            <button type="button" class="secondary" onClick={() => setMode("idle")}>
              {t("console.back")}
            </button>
          </div>
        </form>
      </Show>
      <Show when={mode() === "suspend"}>
        <SuspendForm
          userId={a().userId}
          name={props.item.displayName}
          onDone={props.onDone}
          onCancel={() => setMode("idle")}
        />
      </Show>
    </li>
  );
}

type Open = { id: string; mode: Mode } | null;

/** Approved sellers, newest first, each with a suspend form (one open form on the page at a time). */
function Sellers(props: { open: Open; setOpen: (o: Open) => void }) {
  const [list, { refetch }] = createResource(() => api.admin.sellers.list.query({ limit: 50 }));
  return (
    <section aria-labelledby="sellers-heading">
      <h2 id="sellers-heading">{t("admin.sellers")}</h2>
      <Loaded data={list} retry={refetch} empty={<p>{t("admin.noSellers")}</p>}>
        {() => (
          <ul class="lines card" data-testid="sellers">
            <For each={list.latest?.items}>
              {(s) => (
                <li class="console-row seller-row" data-testid="seller" data-email={s.email}>
                  <div class="line">
                    <span>
                      <strong>{s.businessName}</strong>
                      <small class="muted" data-testid="seller-who">
                        {" · "}
                        {/* a shop named like its owner's account said its name twice ("마포청과 · 마포청과") */}
                        {s.displayName === s.businessName ? "" : `${s.displayName} · `}
                        {s.email}
                      </small>
                      <br />
                      <small data-testid="seller-payout-status">
                        {t("seller.account.heading")}:{" "}
                        {s.payoutAccountStatus
                          ? t(`seller.account.status.${s.payoutAccountStatus}`)
                          : t("admin.payoutAccountNone")}
                      </small>
                    </span>
                    <Show
                      when={!s.suspended}
                      fallback={
                        <span class="status-pill rejected" data-testid="seller-suspended">
                          {t("admin.suspendedUntil", { date: formatDateTime(s.suspendedUntil ?? 0) })}
                        </span>
                      }
                    >
                      <Show when={props.open?.id !== s.userId}>
                        <button
                          type="button"
                          class="secondary danger"
                          onClick={() => props.setOpen({ id: s.userId, mode: "suspend" })}
                        >
                          {t("admin.suspend")}
                        </button>
                      </Show>
                    </Show>
                  </div>
                  <Show when={props.open?.id === s.userId}>
                    <SuspendForm
                      userId={s.userId}
                      name={s.displayName}
                      onDone={() => {
                        props.setOpen(null);
                        void refetch();
                      }}
                      onCancel={() => props.setOpen(null)}
                    />
                  </Show>
                </li>
              )}
            </For>
          </ul>
        )}
      </Loaded>
    </section>
  );
}

/** Seller applications waiting for a decision (oldest first), then the approved sellers. */
export default function ApprovalsPanel() {
  const [list, { refetch }] = createResource(() => api.admin.sellers.pending.query());
  const [open, setOpen] = createSignal<Open>(null);
  return (
    <>
      <section aria-labelledby="approvals-heading">
        <h2 id="approvals-heading">{t("admin.approvals")}</h2>
        <Loaded data={list} retry={refetch} empty={<p>{t("admin.noApplications")}</p>}>
          {() => (
            <ul class="cards" data-testid="applications">
              <For each={list.latest}>
                {(item) => (
                  <Application
                    item={item}
                    onDone={() => {
                      setOpen(null);
                      void refetch();
                    }}
                    mode={open()?.id === item.application.id ? (open()?.mode ?? "idle") : "idle"}
                    setMode={(mode) => setOpen(mode === "idle" ? null : { id: item.application.id, mode })}
                  />
                )}
              </For>
            </ul>
          )}
        </Loaded>
      </section>
      <Sellers open={open()} setOpen={setOpen} />
    </>
  );
}
