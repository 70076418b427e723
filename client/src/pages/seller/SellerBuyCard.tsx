import { A } from "@solidjs/router";
import { createEffect, createResource, createSignal, For, onCleanup, Show } from "solid-js";
import type { Fill } from "../../../../shared/protocol";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Field, FormError } from "../../components/Field";
import { UnreadCount } from "../../components/UnreadCount";
import { Submit } from "../../console/fields";
import { t } from "../../console/i18n";
import { formatDateTime } from "../../console/time";
import { api, type RouterOutputs } from "../../lib/api";
import { errorText } from "../../lib/errorText";
import { formatWon } from "../../lib/format";
import { createSubmission, intentEnded, newKey } from "../../lib/forms";
import { locale } from "../../lib/i18n";
import { createRoom } from "../../lib/room";
import { shareSizeText } from "../../lib/shareSize";
import { statusNote } from "../../lib/statusNote";

export type SellerBuy = RouterOutputs["seller"]["groupBuys"]["items"][number];
type Person = RouterOutputs["groupBuys"]["participants"][number];

/**
 * Refunding one buyer of a COMPLETED buy in full (groupBuys.refundPurchase): a confirm dialog that says who gets what
 * back and asks for the reason the buyer sees. One idempotency key per intent, kept across a retry of the same press.
 */
function RefundDialog(props: { buy: SellerBuy; person: Person | null; onDone: () => void; onCancel: () => void }) {
  const refund = createSubmission({ reason: {} });
  const [reason, setReason] = createSignal("");
  let key = newKey();
  async function confirm() {
    const person = props.person;
    if (!person) return;
    const done = await refund.run(() =>
      api.groupBuys.refundPurchase.mutate({
        groupBuyId: props.buy.id,
        buyerId: person.userId,
        reason: reason(),
        idempotencyKey: key,
      }),
    );
    if (intentEnded(done, refund.error())) key = newKey();
    if (done) {
      setReason("");
      props.onDone();
    }
  }
  return (
    <ConfirmDialog
      open={props.person !== null}
      title={t("seller.gb.refundTitle", { name: props.person?.displayName ?? "" })}
      confirmLabel={t("seller.gb.refundConfirm")}
      cancelLabel={t("console.back")}
      busyLabel={t("console.working")}
      busy={refund.pending()}
      error={refund.fields().reason ? null : refund.message()}
      onConfirm={() => void confirm()}
      onCancel={() => {
        refund.clear();
        props.onCancel();
      }}
    >
      <p>
        {t("seller.gb.refundBody", {
          name: props.person?.displayName ?? "",
          amount: formatWon(props.person?.amount ?? 0, locale()),
        })}
      </p>
      <Field
        label={t("seller.gb.refundReason")}
        name="refundReason"
        required
        value={reason()}
        onInput={(e) => setReason(e.currentTarget.value)}
        errors={refund.fields().reason}
      />
    </ConfirmDialog>
  );
}

/** Buyers of a READY buy, each with a no-show button until they pick up; of a COMPLETED one, a refund button. */
function Participants(props: { buy: SellerBuy; onChange: () => void }) {
  const [people, { refetch }] = createResource(() => api.groupBuys.participants.query({ id: props.buy.id }));
  // The buyer the seller is about to mark: a no-show cannot be undone, so the dialog says what it does first.
  const [asking, setAsking] = createSignal<Person | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [refunding, setRefunding] = createSignal<Person | null>(null);
  async function noShow(person: Person) {
    setBusy(true);
    setError(null);
    try {
      await api.groupBuys.markNoShow.mutate({ id: props.buy.id, userId: person.userId });
      props.onChange();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
      setAsking(null);
      await refetch();
    }
  }
  return (
    <div class="participants">
      <FormError message={error()} />
      <ConfirmDialog
        open={asking() !== null}
        title={t("seller.gb.noShowTitle", { name: asking()?.displayName ?? "" })}
        confirmLabel={t("seller.gb.noShowConfirm")}
        cancelLabel={t("console.back")}
        busyLabel={t("console.working")}
        busy={busy()}
        onConfirm={() => {
          const person = asking();
          if (person) void noShow(person);
        }}
        onCancel={() => setAsking(null)}
      >
        <p>{t("seller.gb.noShowBody", { name: asking()?.displayName ?? "", n: asking()?.shares ?? 0 })}</p>
      </ConfirmDialog>
      <RefundDialog
        buy={props.buy}
        person={refunding()}
        onCancel={() => setRefunding(null)}
        onDone={() => {
          setRefunding(null);
          props.onChange();
          void refetch();
        }}
      />
      <Show when={(people()?.length ?? 0) > 0} fallback={<p class="muted">{t("seller.gb.noBuyers")}</p>}>
        <ul class="lines" data-testid="participants">
          <For each={people()}>
            {(p) => (
              <li class="line">
                <span>
                  {p.displayName} · {t("seller.gb.buyerShares", { n: p.shares })}
                </span>
                <Show
                  when={!p.pickedUpAt && !p.noShowAt && props.buy.actions.noShow}
                  fallback={
                    <span class="muted" data-testid="participant-state">
                      {p.refundedAt
                        ? t("seller.gb.refunded")
                        : p.pickedUpAt
                          ? t("seller.gb.pickedUp")
                          : p.noShowAt
                            ? t("seller.gb.noShow")
                            : ""}
                    </span>
                  }
                >
                  <button type="button" class="secondary danger" onClick={() => setAsking(p)}>
                    {t("seller.gb.markNoShow")}
                  </button>
                </Show>
                <Show when={props.buy.actions.refund && !p.refundedAt}>
                  <button
                    type="button"
                    class="secondary danger"
                    data-testid="refund-purchase"
                    onClick={() => setRefunding(p)}
                  >
                    {t("seller.gb.refund")}
                  </button>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}

/** States nothing changes any more: no room socket for these. */
const SETTLED = new Set<SellerBuy["status"]>(["COMPLETED", "FAILED", "CANCELLED"]);

/**
 * The buy's room socket (the seller is staff there): fills arrive as they happen, and a state change (filled, tipped
 * or failed at the deadline, picked up) asks the list again for the new state's actions.
 */
function LiveRoom(props: { id: string; status: SellerBuy["status"]; onFill: (f: Fill) => void; onState: () => void }) {
  const room = createRoom(props.id);
  createEffect(() => {
    const fill = room.fill();
    if (fill) props.onFill(fill);
  });
  const off = room.onFrame((frame) => {
    // A snapshot newer than the list (it changed between the list's load and the socket's) counts as a change too.
    if (frame.type === "state" || (frame.type === "snapshot" && frame.status !== props.status)) props.onState();
  });
  onCleanup(off);
  return null;
}

/**
 * One of the seller's buys: live state and fill, and exactly the actions its state allows. `live` opens the buy's
 * room socket (the list caps how many cards do).
 */
export function SellerBuyCard(props: { buy: SellerBuy; live: boolean; onChange: () => void }) {
  const b = () => props.buy;
  const [fill, setFill] = createSignal<Fill | null>(null);
  const taken = () => fill()?.takenShares ?? b().takenShares;
  const participants = () => fill()?.participantCount ?? b().participantCount;
  const [step, setStep] = createSignal<"ORDERED" | "READY" | null>(null);
  const [stepError, setStepError] = createSignal<string | null>(null);
  const [cancelling, setCancelling] = createSignal(false);
  const [showBuyers, setShowBuyers] = createSignal(false);
  const cancel = createSubmission({ reason: {} });

  async function advance(to: "ORDERED" | "READY") {
    setStep(to);
    setStepError(null);
    try {
      if (to === "ORDERED") await api.groupBuys.markOrdered.mutate({ id: b().id });
      else await api.groupBuys.markReady.mutate({ id: b().id });
      props.onChange();
    } catch (e) {
      setStepError(errorText(e));
    } finally {
      setStep(null);
    }
  }

  async function submitCancel(e: SubmitEvent) {
    e.preventDefault();
    const reason = String(new FormData(e.currentTarget as HTMLFormElement).get("reason") ?? "");
    const done = await cancel.run(() => api.groupBuys.cancel.mutate({ id: b().id, reason }));
    if (done) {
      setCancelling(false);
      props.onChange();
    }
  }

  return (
    <li class="card gb seller-gb" data-testid="seller-gb" data-status={b().status} data-id={b().id}>
      <h3>
        <A href={`/g/${b().id}`}>{b().title}</A> <UnreadCount count={b().unread} />
      </h3>
      <p>
        <span class={`status-pill s-${b().status}`} data-testid="seller-gb-status">
          {t(`gb.status.${b().status}`)}
        </span>{" "}
        <small class="muted">
          <span data-testid="seller-gb-region">{locale() === "ko" ? b().regionName : b().regionNameEn}</span> ·{" "}
          <span data-testid="seller-gb-share">
            {t("seller.gb.share", {
              size: shareSizeText(b().totalQuantity, b().totalShares, b().unit),
              price: formatWon(b().pricePerShare, locale()),
            })}
          </span>{" "}
          · {t("gb.deadline")} {formatDateTime(b().deadline)}
        </small>
      </p>
      <Show when={props.live && !SETTLED.has(b().status)}>
        <LiveRoom id={b().id} status={b().status} onFill={setFill} onState={props.onChange} />
      </Show>
      <div class="progress">
        <progress max={b().totalShares} value={taken()} aria-label={t("gb.filled")} />
        <small data-testid="seller-gb-shares">
          {t("seller.gb.taken", { taken: taken(), total: b().totalShares })} ·{" "}
          {t("seller.gb.tipping", { n: b().minShares })}
        </small>
      </div>
      <Show when={statusNote(t, b().status, b().statusReason, b().minShares)}>
        {(note) => <p class="muted">{t("seller.gb.reason", { reason: note() })}</p>}
      </Show>
      <FormError message={stepError()} />
      <div class="actions">
        <Show when={b().actions.order}>
          <button
            type="button"
            disabled={step() !== null}
            aria-busy={step() === "ORDERED"}
            onClick={() => void advance("ORDERED")}
          >
            {step() === "ORDERED" ? t("console.working") : t("seller.gb.markOrdered")}
          </button>
        </Show>
        <Show when={b().actions.ready}>
          <button
            type="button"
            disabled={step() !== null}
            aria-busy={step() === "READY"}
            onClick={() => void advance("READY")}
          >
            {step() === "READY" ? t("console.working") : t("seller.gb.markReady")}
          </button>
        </Show>
        <Show when={b().actions.noShow || b().actions.refund || participants() > 0}>
          <button type="button" class="secondary" aria-expanded={showBuyers()} onClick={() => setShowBuyers((v) => !v)}>
            {t("seller.gb.buyers", { n: participants() })}
          </button>
        </Show>
        <Show when={b().actions.cancel && !cancelling()}>
          <button type="button" class="secondary danger" onClick={() => setCancelling(true)}>
            {t("seller.gb.cancel")}
          </button>
        </Show>
      </div>
      <Show when={cancelling()}>
        <form onSubmit={submitCancel} novalidate class="inline-form cancel-form">
          <Field label={t("seller.gb.cancelReason")} name="reason" required errors={cancel.fields().reason} />
          <p class="hint">{t("seller.gb.cancelHint")}</p>
          <div class="actions">
            <Submit
              pending={cancel.pending()}
              message={cancel.message()}
              label={t("seller.gb.confirmCancel")}
              busyLabel={t("console.working")}
            />
            <button type="button" class="secondary" onClick={() => setCancelling(false)}>
              {t("console.back")}
            </button>
          </div>
        </form>
      </Show>
      <Show when={showBuyers()}>
        <Participants buy={b()} onChange={props.onChange} />
      </Show>
    </li>
  );
}
