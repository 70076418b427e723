import { A } from "@solidjs/router";
import { createEffect, createResource, createSignal, For, Match, onCleanup, Show, Switch } from "solid-js";
import { PAYMENT_LIMITS } from "../../../shared/schemas/payments";
import { Line as Row } from "../components/Line";
import { MoreButton } from "../components/MoreButton";
import { Empty, LoadError, Loading } from "../components/Status";
import { api, type RouterOutputs } from "../lib/api";
import { formatDateTime, formatWon, formatWonDelta } from "../lib/format";
import { locale, t } from "../lib/i18n";
import { monthChoices } from "../lib/kstChoices";
import { createPaged } from "../lib/paged";
import { prefetchGatewayKey } from "../lib/payments";
import { BillingPanel } from "./wallet/BillingPanel";
import { ChargePanel } from "./wallet/ChargePanel";
import { PendingPanel } from "./wallet/PendingPanel";
import { RefundPanel } from "./wallet/RefundPanel";

type Line = RouterOutputs["wallet"]["history"]["lines"][number];

/** Months the statement offers, newest first (this Korean month and the 23 before it). */
const STATEMENT_MONTHS = 24;

const kindText = (kind: string) => t(`wallet.kind.${kind}` as "wallet.kind.grant");

/**
 * A line's amount: what it moved in or out; for a hold or its release, which move no points in or out, how much it
 * held or let go (a bare 0원 read as if nothing happened).
 */
function amountText(line: Line): string {
  if (line.delta !== 0) return formatWonDelta(line.delta, locale());
  if (line.heldDelta > 0) return t("wallet.heldAmount", { amount: formatWon(line.heldDelta, locale()) });
  if (line.heldDelta < 0) return t("wallet.releasedAmount", { amount: formatWon(-line.heldDelta, locale()) });
  return formatWon(0, locale());
}

/** What became of a pending line (a join's hold, a refund on its way): still open, let go, or taken. */
function pendingText(line: Line): string | null {
  if (line.phase !== "pending") return null;
  if (line.settledAs === "void") return t("wallet.settled.void");
  if (line.settledAs === "post") {
    if (line.kind === "hold") return t("wallet.settled.paid");
    if (line.kind === "refund") return t("wallet.settled.refunded");
    return t("wallet.settled.done");
  }
  // a join's points stay held while its buy runs: "처리 중" read as if the app were still working on it
  return line.kind === "hold" ? t("wallet.pendingHold") : t("wallet.pending");
}

/** The group buy a line belongs to (a join's hold, its payment or refund, a reward), from its ledger reference. */
const groupBuyOf = (line: Line) => line.reference?.match(/^groupbuy:([^:]+)$/)?.[1] ?? null;

function LineItem(props: { line: Line }) {
  return (
    <Row
      title={
        <Show when={groupBuyOf(props.line)} fallback={kindText(props.line.kind)}>
          {(id) => (
            <A href={`/g/${id()}`} data-testid="wallet-line-groupbuy">
              {kindText(props.line.kind)}
            </A>
          )}
        </Show>
      }
      detail={
        <>
          {formatDateTime(props.line.at, locale())} · {t(`wallet.${props.line.account}`)}
          <Show when={pendingText(props.line)}>{(text) => ` · ${text()}`}</Show>
        </>
      }
    >
      <span class="amount" classList={{ plus: props.line.delta > 0, minus: props.line.delta < 0 }}>
        {amountText(props.line)}
      </span>
    </Row>
  );
}

function History() {
  const list = createPaged(
    () => ({}),
    async (_q, cursor) => {
      const result = await api.wallet.history.query({ cursor, limit: 20 });
      return { items: result.lines, nextCursor: result.nextCursor };
    },
  );
  const { page, items: lines } = list;
  return (
    <section aria-labelledby="history-heading" class="card">
      <h2 id="history-heading">{t("wallet.history")}</h2>
      <Switch>
        <Match when={page.error && lines().length === 0}>
          <LoadError error={page.error} retry={list.refetch} />
        </Match>
        <Match when={lines().length === 0 && page.loading}>
          <Loading />
        </Match>
        <Match when={lines().length === 0}>
          <Empty>
            <p>{t("wallet.noHistory")}</p>
          </Empty>
        </Match>
        <Match when={true}>
          <ul class="lines" data-testid="wallet-history">
            <For each={lines()}>{(line) => <LineItem line={line} />}</For>
          </ul>
        </Match>
      </Switch>
      <Show when={page.error && lines().length > 0}>
        <LoadError error={page.error} retry={list.refetch} />
      </Show>
      <MoreButton list={list} label={t("wallet.more")} />
    </section>
  );
}

/** `version` moves on after a money movement on this screen: the month's totals follow (they stayed as first loaded). */
function Statement(props: { version: number }) {
  const now = Date.now();
  const months = () => monthChoices(now, STATEMENT_MONTHS, locale());
  const [month, setMonth] = createSignal(months()[0]![0]);
  const [statement, { refetch }] = createResource(
    () => ({ month: month(), version: props.version }),
    (q) => api.wallet.statement.query({ month: q.month }),
  );
  return (
    <section aria-labelledby="statement-heading" class="card">
      <h2 id="statement-heading">{t("wallet.statement")}</h2>
      <div class="field">
        <label for="statement-month">{t("wallet.month")}</label>
        <select id="statement-month" onChange={(e) => setMonth(e.currentTarget.value)}>
          <For each={months()}>
            {([value, text]) => (
              <option value={value} selected={value === month()}>
                {text}
              </option>
            )}
          </For>
        </select>
      </div>
      <Switch>
        <Match when={statement.error}>
          <LoadError error={statement.error} retry={refetch} />
        </Match>
        <Match when={statement.loading}>
          <Loading />
        </Match>
        <Match when={statement()}>
          {(s) => (
            <>
              <dl class="facts" data-testid="statement">
                <dt>{t("wallet.opening")}</dt>
                <dd>{formatWon(s().opening.total, locale())}</dd>
                <For each={Object.entries(s().totalsByKind)}>
                  {([kind, delta]) => (
                    <>
                      <dt>{kindText(kind)}</dt>
                      <dd>{formatWonDelta(delta as number, locale())}</dd>
                    </>
                  )}
                </For>
                <dt>{t("wallet.closing")}</dt>
                <dd data-testid="statement-closing">
                  <strong>{formatWon(s().closing.total, locale())}</strong>
                </dd>
              </dl>
              <Show when={s().lines.length === 0}>
                <p class="muted">{t("wallet.noStatementLines")}</p>
              </Show>
            </>
          )}
        </Match>
      </Switch>
    </section>
  );
}

export default function WalletPage() {
  const [summary, { refetch }] = createResource(() => api.wallet.get.query());
  const [pending, { refetch: refetchPending }] = createResource(() => api.wallet.pendingCharges.query());
  const [card, { refetch: refetchCard }] = createResource(() => api.payments.billingKey.query());
  // The history restarts from its first page after a money movement on this screen.
  const [version, setVersion] = createSignal(1);
  void prefetchGatewayKey();

  const changed = () => {
    void refetch();
    void refetchPending();
    setVersion((v) => v + 1);
  };
  // While a charge is still owed an outcome, follow it until it settles (the queue charges it when the PG is back).
  const open = () => (pending.latest?.items ?? []).some((c) => c.status !== "clawed_back" && c.status !== "failed");
  const poll = setInterval(() => {
    if (open() && !pending.loading) {
      void refetchPending();
      void refetch();
    }
  }, 3000);
  onCleanup(() => clearInterval(poll));
  let lastOpen = false;
  createEffect(() => {
    const now = open();
    if (lastOpen && !now) setVersion((v) => v + 1);
    lastOpen = now;
  });

  return (
    <>
      <h1 class="page-title">{t("wallet.heading")}</h1>
      <Switch>
        <Match when={summary.error}>
          <LoadError error={summary.error} retry={refetch} />
        </Match>
        <Match when={summary.loading && !summary.latest}>
          <Loading />
        </Match>
        <Match when={summary.latest}>
          {(s) => (
            <section class="card balance" aria-label={t("wallet.balances")}>
              <p class="muted">{t("wallet.available")}</p>
              <p class="big" data-testid="wallet-available">
                {formatWon(s().available, locale())}
              </p>
              <dl class="facts">
                <dt>{t("wallet.charged")}</dt>
                <dd data-testid="wallet-charged">{formatWon(s().charged, locale())}</dd>
                <dt>{t("wallet.reward")}</dt>
                <dd data-testid="wallet-reward">{formatWon(s().reward, locale())}</dd>
                <dt>{t("wallet.held")}</dt>
                <dd data-testid="wallet-held">{formatWon(s().held, locale())}</dd>
              </dl>
              {/* available is charged + reward − held: with points held the three lines no longer add up to it */}
              <Show when={s().held > 0}>
                <p class="hint" data-testid="wallet-held-hint">
                  {t("wallet.heldHint")}
                </p>
              </Show>
              <Show when={!s().regionId}>
                <p class="hint">{t("wallet.noRegion")}</p>
              </Show>
            </section>
          )}
        </Match>
      </Switch>
      <Show when={summary.latest?.regionId}>
        <ChargePanel
          card={card.latest}
          deferredRoom={
            (pending.latest?.deferredCap ?? PAYMENT_LIMITS.deferredOutstandingPerUser) -
            (pending.latest?.deferredOutstanding ?? 0)
          }
          onCharged={changed}
        />
        <Switch>
          <Match when={pending.error}>
            <LoadError error={pending.error} retry={refetchPending} />
          </Match>
          <Match when={pending.latest}>{(p) => <PendingPanel pending={p()} refreshing={pending.loading} />}</Match>
        </Switch>
        <Show when={!card.error && card.latest !== undefined}>
          <BillingPanel
            card={card.latest ?? null}
            onChanged={() => {
              void refetchCard();
            }}
          />
        </Show>
        <Show when={pending.latest}>{(p) => <RefundPanel refundable={p().refundable} onRefunded={changed} />}</Show>
      </Show>
      <Show when={version()} keyed>
        {(_) => <History />}
      </Show>
      <Statement version={version()} />
    </>
  );
}
