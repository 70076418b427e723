import { A, useParams } from "@solidjs/router";
import { createEffect, createMemo, createResource, createSignal, For, Match, onCleanup, Show, Switch } from "solid-js";
import { reasonOf } from "../../../shared/sdkErrors";
import ChatPanel from "../components/ChatPanel";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { FieldError, FormError } from "../components/Field";
import { LoadError, Loading } from "../components/Status";
import { TrustLine } from "../components/TrustLine";
import { api, errorDetails, isLoadFinal } from "../lib/api";
import { errorText } from "../lib/errorText";
import { formatDateTime, formatDateTimeRange, formatWon } from "../lib/format";
import { createSubmission, intentEnded, newKey } from "../lib/forms";
import { locale, t } from "../lib/i18n";
import { createRoom } from "../lib/room";
import { createRoomChat } from "../lib/roomChat";
import { shareSizeText } from "../lib/shareSize";
import { statusNote } from "../lib/statusNote";
import { usePageTitle } from "../lib/title";

const dateTime = (ms: number) => formatDateTime(ms, locale());

/** "2일 3시간 남음" / "2d 3h left"; the seconds only in the last hour. */
function remaining(ms: number): string {
  if (ms <= 0) return t("gb.closed");
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return t("gb.leftDays", { d, h });
  if (h > 0) return t("gb.leftHours", { h, m });
  return t("gb.leftMinutes", { m, s: s % 60 });
}

export default function GroupBuyPage() {
  const params = useParams();
  const id = params.id ?? "";
  const [gb, { refetch }] = createResource(() => api.groupBuys.get.query({ id }));
  /** The buy once loaded; undefined while loading or after a failed load (reading a failed resource throws). */
  const loaded = () => (gb.error ? undefined : gb.latest);
  usePageTitle(() => loaded()?.title);
  const room = createRoom(id);
  // No such buy (an old or mistyped link), or not one for this reader: stop knocking on its room.
  createEffect(() => {
    if (isLoadFinal(gb.error)) room.close();
  });
  const chat = createRoomChat(room, id);
  const [now, setNow] = createSignal(Date.now());
  const tick = setInterval(() => setNow(Date.now()), 1000);
  onCleanup(() => clearInterval(tick));
  const [shares, setShares] = createSignal(1);
  const joining = createSubmission({ shares: {} });
  const leaving = createSubmission();
  // Leaving gives up the shares (someone else may take them): the dialog says so first.
  const [askingLeave, setAskingLeave] = createSignal(false);
  const pickup = createSubmission();
  // One key per intent: a retry after a network error must not join twice.
  let joinKey = newKey();
  let leaveKey = newKey();

  const fill = () => room.fill() ?? loaded()?.fill;
  const status = () => room.status()?.status ?? loaded()?.status;
  const mine = createMemo(() => room.snapshot()?.you.shares ?? loaded()?.you.shares ?? 0);
  const maxPick = () => {
    const g = loaded();
    const f = fill();
    if (!g || !f) return 1;
    return Math.max(1, Math.min(g.maxPerPerson - mine(), f.remainingShares));
  };
  /** More than this buyer may take now: no receipt for an amount that cannot be joined (nor one too large to price). */
  const over = () => shares() > maxPick();
  // The caller's tier discount on this join, as the server will apply it (shown before joining).
  const [quote] = createResource(
    () => {
      const g = loaded();
      return g && !over() ? g.pricePerShare * shares() : null;
    },
    (amount) => api.membership.quote.query({ amount }),
  );

  async function join(event: SubmitEvent) {
    event.preventDefault();
    const ok = await joining.run(() => api.groupBuys.join.mutate({ id, shares: shares(), idempotencyKey: joinKey }));
    // a refusal ("not enough points") ends the intent too: fewer shares or a top-up is a new join, not a replay
    if (intentEnded(ok, joining.error())) joinKey = newKey();
    if (ok) {
      room.sync();
      void refetch();
    }
  }
  async function leave() {
    const ok = await leaving.run(() => api.groupBuys.leave.mutate({ id, idempotencyKey: leaveKey }));
    if (intentEnded(ok, leaving.error())) leaveKey = newKey();
    if (ok) {
      setAskingLeave(false);
      room.sync();
      void refetch();
    }
  }
  async function confirmPickup() {
    if (await pickup.run(() => api.groupBuys.confirmPickup.mutate({ id }))) void refetch();
  }

  return (
    <>
      <A href="/" class="back">
        ← {t("nav.home")}
      </A>
      <Switch>
        <Match when={gb.error}>
          <LoadError error={gb.error} retry={refetch} />
        </Match>
        <Match when={gb.loading && !gb.latest}>
          <Loading />
        </Match>
        <Match when={loaded()}>
          {(g) => (
            <>
              <article class="card gb-detail" aria-labelledby="gb-title">
                <small class="reason">{t(`category.${g().category}` as "category.other")}</small>
                <h1 id="gb-title">{g().title}</h1>
                <p class="muted">
                  {g().seller.displayName} · {g().totalQuantity}
                  {g().unit}
                </p>
                <p class="muted" data-testid="gb-host">
                  {/* a buy the seller opened has no neighbour as host ('공구장 마포청과' read as one) */}
                  {g().host.id === g().seller.id ? t("gb.sellerRun") : t("gb.host", { name: g().host.displayName })}
                  <br />
                  <TrustLine trust={g().host.trust} />
                </p>
                <For each={g().proposals}>
                  {(p) => (
                    <p>
                      <A href={`/board/${p.postId}`} data-testid="gb-proposal">
                        {t("gb.fromProposal", { title: p.title })}
                      </A>
                    </p>
                  )}
                </For>
                <Show when={g().description}>
                  <p>{g().description}</p>
                </Show>
                <p class="price">{t("gb.perShare", { price: formatWon(g().pricePerShare, locale()) })}</p>
                <Show when={fill()}>
                  {(f) => (
                    <div class="progress" data-testid="gb-fill">
                      <progress max={f().totalShares} value={f().takenShares} aria-label={t("gb.filled")} />
                      <span aria-live="polite">
                        {t("gb.remaining", { left: f().remainingShares, total: f().totalShares })}
                      </span>
                    </div>
                  )}
                </Show>
                <p class="countdown" data-testid="gb-countdown">
                  <Show when={status() === "OPEN"} fallback={t(`gb.status.${status() ?? "OPEN"}` as "gb.status.OPEN")}>
                    {remaining(g().deadline - now())}
                  </Show>
                </p>
                <Show when={statusNote(t, status(), room.status()?.reason ?? g().statusReason, g().minShares)}>
                  {(note) => <p class="error">{note()}</p>}
                </Show>
                <dl class="facts">
                  <dt>{t("gb.shareSize")}</dt>
                  <dd data-testid="gb-share-size">{shareSizeText(g().totalQuantity, g().totalShares, g().unit)}</dd>
                  <dt>{t("gb.minShares")}</dt>
                  <dd>{t("gb.sharesCount", { n: g().minShares })}</dd>
                  <dt>{t("gb.maxPerPerson")}</dt>
                  <dd>{t("gb.sharesCount", { n: g().maxPerPerson })}</dd>
                  <dt>{t("gb.deadline")}</dt>
                  <dd>{dateTime(g().deadline)}</dd>
                  <dt>{t("gb.pickup")}</dt>
                  <dd>
                    {g().pickupPlace}
                    <br />
                    <small class="muted" data-testid="gb-pickup-window">
                      {(() => {
                        const [from, dash, to] = formatDateTimeRange(g().pickupStart, g().pickupEnd, locale());
                        return (
                          <>
                            <span class="when">{from}</span>
                            {dash}
                            <span class="when">{to}</span>
                          </>
                        );
                      })()}
                    </small>
                  </dd>
                  <dt>{t("gb.yours")}</dt>
                  <dd data-testid="gb-mine">{t("gb.sharesCount", { n: mine() })}</dd>
                </dl>
              </article>

              <Show when={status() === "OPEN" && mine() < g().maxPerPerson && (fill()?.remainingShares ?? 0) > 0}>
                <form class="card" onSubmit={join} aria-labelledby="join-heading">
                  <h2 id="join-heading">{t("gb.join")}</h2>
                  <div class="field">
                    <label for="join-shares">{t("gb.sharesLabel")}</label>
                    <input
                      id="join-shares"
                      type="number"
                      inputMode="numeric"
                      min={1}
                      max={maxPick()}
                      value={shares()}
                      onInput={(e) => {
                        joining.clear(); // the last refusal was about the last quantity
                        setShares(Math.max(1, Math.floor(Number(e.currentTarget.value) || 1)));
                      }}
                      aria-invalid={joining.fields().shares || over() ? true : undefined}
                      aria-describedby={over() || joining.fields().shares ? "join-shares-error" : undefined}
                    />
                    <FieldError
                      id="join-shares"
                      message={over() ? t("gb.overMax", { max: maxPick() }) : joining.fields().shares?.[0]}
                    />
                  </div>
                  <Show when={!over()}>
                    <p class="receipt" data-testid="gb-receipt">
                      {t("gb.receipt", {
                        shares: shares(),
                        price: formatWon(g().pricePerShare, locale()),
                        total: formatWon(g().pricePerShare * shares(), locale()),
                      })}
                    </p>
                  </Show>
                  <Show when={!over() && !quote.error && quote.latest?.discount ? quote.latest : null}>
                    {(q) => (
                      <p class="receipt" data-testid="gb-discount">
                        {t("gb.discount", {
                          tier: t(`membership.tier.${q().tier}`),
                          rate: `${q().discountBps / 100}%`,
                          discount: formatWon(q().discount, locale()),
                        })}
                        <br />
                        <strong>{t("gb.youPay", { net: formatWon(q().net, locale()) })}</strong>
                      </p>
                    )}
                  </Show>
                  <p class="hint">{t("gb.holdNote")}</p>
                  <FormError message={joining.message()} />
                  {/* "충전한 뒤 다시 시도해 주세요" — and the way there, not a hunt through the bottom bar */}
                  <Show when={reasonOf(errorDetails(joining.error())) === "insufficient_points"}>
                    <p>
                      <A href="/wallet" data-testid="gb-to-wallet">
                        {t("gb.toWallet")}
                      </A>
                    </p>
                  </Show>
                  <button type="submit" disabled={joining.pending() || over()} aria-busy={joining.pending()}>
                    {joining.pending() ? t("gb.joining") : t("gb.joinSubmit")}
                  </button>
                </form>
              </Show>
              <Show when={status() === "OPEN" && mine() > 0}>
                <div class="card">
                  <button type="button" class="secondary" onClick={() => setAskingLeave(true)}>
                    {t("gb.leave")}
                  </button>
                </div>
              </Show>
              <ConfirmDialog
                open={askingLeave() && mine() > 0}
                title={t("gb.leaveTitle")}
                confirmLabel={t("gb.leaveConfirm")}
                cancelLabel={t("gb.leaveBack")}
                busyLabel={t("gb.leaving")}
                busy={leaving.pending()}
                error={leaving.message()}
                onConfirm={() => void leave()}
                onCancel={() => {
                  leaving.clear();
                  setAskingLeave(false);
                }}
              >
                <p>{t("gb.leaveBody", { n: mine() })}</p>
              </ConfirmDialog>
              <Show when={status() === "READY" && mine() > 0 && !g().you.pickedUpAt}>
                <div class="card">
                  <button type="button" onClick={confirmPickup} disabled={pickup.pending()}>
                    {t("gb.confirmPickup")}
                  </button>
                  <FormError message={pickup.message()} />
                </div>
              </Show>
              <ChatPanel
                chat={chat}
                userId={room.snapshot()?.you.userId}
                connected={room.connected()}
                refusal={room.refusal() ? errorText(room.refusal()) : null}
                waiting={room.waiting() ? errorText(room.waiting()) : null}
              />
            </>
          )}
        </Match>
      </Switch>
    </>
  );
}
