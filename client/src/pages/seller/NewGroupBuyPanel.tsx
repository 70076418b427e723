import { A, useNavigate } from "@solidjs/router";
import { createMemo, createResource, createSignal, Match, Show, Switch } from "solid-js";
import { splitTotal } from "../../../../shared/money";
import { LIMITS } from "../../../../shared/schemas/groupbuy";
import { Field } from "../../components/Field";
import { Empty, LoadError, Loading } from "../../components/Status";
import { CheckField, DateTimeField, SelectField, Submit } from "../../console/fields";
import { t } from "../../console/i18n";
import { fromLocalInput } from "../../console/time";
import { api } from "../../lib/api";
import { formatWon } from "../../lib/format";
import { createSubmission, intentEnded, newKey } from "../../lib/forms";
import { locale } from "../../lib/i18n";
import { kstDayAt } from "../../lib/kstChoices";
import { session } from "../../lib/session";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Days the deadline may fall on (1 h – 14 d from now), and the pickup's (up to 14 d after it, for up to 7 d). */
const DEADLINE_DAYS = Math.ceil(LIMITS.deadlineMaxMs / DAY) + 1;
const PICKUP_DAYS = Math.ceil((LIMITS.deadlineMaxMs + LIMITS.pickupStartMaxMs + LIMITS.pickupWindowMaxMs) / DAY) + 1;

/** What the price per share will be and who owns the rounding, before the seller commits (shared money rule). */
function Preview(props: { totalPrice: number; shares: number }) {
  const split = createMemo(() =>
    Number.isSafeInteger(props.shares) && props.shares >= LIMITS.sharesMin && props.shares <= LIMITS.sharesMax
      ? splitTotal(props.totalPrice, props.shares)
      : null,
  );
  return (
    <div class="callout receipt" aria-live="polite" data-testid="price-preview">
      <Show when={split()} fallback={<p class="muted">{t("seller.gb.previewNeedsShares")}</p>}>
        {(s) => {
          // Buyers pay perShare × shares when full; the difference from the listed total is the seller's.
          const diff = () => s().perShare * s().shares - props.totalPrice;
          return (
            <>
              <p>
                {t("seller.gb.perShare")} <strong data-testid="per-share">{formatWon(s().perShare, locale())}</strong>
              </p>
              <p>
                {t("seller.gb.collected", { amount: formatWon(s().perShare * s().shares, locale()) })}
                {" · "}
                <span data-testid="rounding">
                  {diff() === 0
                    ? t("seller.gb.noRounding")
                    : diff() > 0
                      ? t("seller.gb.roundingGain", { amount: formatWon(diff(), locale()) })
                      : t("seller.gb.roundingLoss", { amount: formatWon(-diff(), locale()) })}
                </span>
              </p>
              <Show when={s().perShare < LIMITS.perShareMin}>
                <p class="error">{t("seller.gb.tooCheap", { min: formatWon(LIMITS.perShareMin, locale()) })}</p>
              </Show>
            </>
          );
        }}
      </Show>
    </div>
  );
}

/** A product either the seller's own or, for a host, one of the catalog (products sellers let buyers host). */
type Offer = { id: string; title: string; totalPrice: number; archived: boolean; sellerName?: string };

/**
 * Start a group buy: a seller of one of their products in a region; with `host`, a verified buyer of a product from
 * the catalog in their own neighbourhood, taking their shares at once (groupBuys.create with hostShares).
 */
export default function NewGroupBuyPanel(props: { host?: boolean }) {
  const navigate = useNavigate();
  const [products] = createResource(
    (): Promise<{ items: Offer[] }> =>
      props.host ? api.products.catalog.query({ limit: 100 }) : api.products.list.query({ limit: 100 }),
  );
  const [regions] = createResource(() => api.regions.list.query());
  const active = () => (products()?.items ?? []).filter((p) => !p.archived);
  // one key per intended buy: a retried create must not host (and pay for shares) twice; the server replays its first
  // answer to that key, so any answer (a buy, or a refusal to fix and resubmit) ends it: only a network failure keeps it
  let hostKey = newKey();
  const [productId, setProductId] = createSignal<string>("");
  const [shares, setShares] = createSignal(10);
  const [deadlineError, setDeadlineError] = createSignal<string | undefined>();
  const product = () => active().find((p) => p.id === productId()) ?? active()[0];
  const submit = createSubmission({
    productId: {},
    regionId: {},
    totalShares: {},
    minShares: {},
    maxPerPerson: {},
    deadline: {},
    pickupPlace: {},
    pickupStart: {},
    pickupEnd: {},
    plusEarlyAccess: {},
    hostShares: {},
  });
  const start = Date.now();

  async function create(e: SubmitEvent) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const num = (name: string) => Number(String(form.get(name) ?? "").trim() || Number.NaN);
    const time = (name: string) => fromLocalInput(String(form.get(name) ?? ""));
    const deadline = time("deadline");
    // The window rule (1 h – 14 d from now) is the server's too; checking it here saves a round trip.
    const now = Date.now();
    if (!(deadline >= now + LIMITS.deadlineMinMs && deadline <= now + LIMITS.deadlineMaxMs)) {
      setDeadlineError(t("seller.gb.deadlineRange"));
      return;
    }
    setDeadlineError(undefined);
    const created = await submit.run(() =>
      api.groupBuys.create.mutate({
        productId: String(form.get("productId") ?? ""),
        regionId: String(form.get("regionId") ?? ""),
        totalShares: num("totalShares"),
        minShares: num("minShares"),
        maxPerPerson: num("maxPerPerson"),
        deadline,
        pickupPlace: String(form.get("pickupPlace") ?? ""),
        pickupStart: time("pickupStart"),
        pickupEnd: time("pickupEnd"),
        plusEarlyAccess: form.get("plusEarlyAccess") === "on",
        ...(props.host ? { hostShares: num("hostShares"), idempotencyKey: hostKey } : {}),
      }),
    );
    if (intentEnded(created, submit.error())) hostKey = newKey();
    if (created)
      navigate(props.host ? `/g/${created.groupBuy.id}` : `/seller/groupbuys?created=${created.groupBuy.id}`);
  }

  return (
    <section class="card" aria-labelledby="new-gb-heading">
      <h2 id="new-gb-heading">{t("seller.gb.new")}</h2>
      <Switch>
        {/* a host opens buys in their verified neighbourhood: without one the list was just empty ("no products") */}
        <Match when={props.host && !session.me()?.verification?.current}>
          <Empty>
            <p>{t("host.verifyFirst")}</p>
            <A href="/verify" class="button">
              {t("home.verifyCta")}
            </A>
          </Empty>
        </Match>
        <Match when={products.error || regions.error}>
          <LoadError error={products.error ?? regions.error} retry={() => location.reload()} />
        </Match>
        <Match when={!products() || !regions()}>
          <Loading />
        </Match>
        <Match when={active().length === 0}>
          <Empty>
            <p>{t(props.host ? "host.noProducts" : "seller.gb.noProducts")}</p>
            <Show when={!props.host}>
              <A href="/seller/products" class="button secondary">
                {t("seller.product.new")}
              </A>
            </Show>
          </Empty>
        </Match>
        <Match when={true}>
          <form onSubmit={create} novalidate data-testid="gb-form">
            <SelectField
              label={t("seller.gb.product")}
              name="productId"
              options={active().map(
                (p) =>
                  [
                    p.id,
                    `${p.title} · ${formatWon(p.totalPrice, locale())}${p.sellerName ? ` · ${p.sellerName}` : ""}`,
                  ] as const,
              )}
              value={product()?.id}
              onChange={(e) => setProductId(e.currentTarget.value)}
              errors={submit.fields().productId}
            />
            <SelectField
              label={t("seller.gb.region")}
              name="regionId"
              // a host opens buys only in their verified home neighbourhood
              options={(regions() ?? [])
                .filter((r) => !props.host || r.id === session.me()?.homeRegionId)
                .map((r) => [r.id, locale() === "ko" ? `${r.name} (${r.city})` : r.nameEn] as const)}
              value={session.me()?.homeRegionId ?? regions()?.[0]?.id}
              errors={submit.fields().regionId}
            />
            <div class="row">
              <Field
                label={t("seller.gb.totalShares")}
                name="totalShares"
                inputMode="numeric"
                value={shares()}
                onInput={(e) => setShares(Number(e.currentTarget.value))}
                errors={submit.fields().totalShares}
              />
              <Field
                label={t("seller.gb.minShares")}
                name="minShares"
                inputMode="numeric"
                value={5}
                errors={submit.fields().minShares}
              />
              <Field
                label={t("seller.gb.maxPerPerson")}
                name="maxPerPerson"
                inputMode="numeric"
                value={3}
                errors={submit.fields().maxPerPerson}
              />
            </div>
            <Show when={product()}>{(p) => <Preview totalPrice={p().totalPrice} shares={shares()} />}</Show>
            <DateTimeField
              label={t("seller.gb.deadline")}
              name="deadline"
              value={kstDayAt(start, 1, "21:00")}
              from={start}
              days={DEADLINE_DAYS}
              errors={deadlineError() ? [deadlineError()!] : submit.fields().deadline}
            />
            <p class="hint">
              {t("seller.gb.deadlineRange")} {t("seller.gb.timesKst")}
            </p>
            <Field
              label={t("seller.gb.pickupPlace")}
              name="pickupPlace"
              placeholder={t("seller.gb.pickupPlaceHint")}
              errors={submit.fields().pickupPlace}
            />
            <div class="row times">
              <DateTimeField
                label={t("seller.gb.pickupStart")}
                name="pickupStart"
                value={kstDayAt(start, 2, "18:00")}
                from={start}
                days={PICKUP_DAYS}
                errors={submit.fields().pickupStart}
              />
              <DateTimeField
                label={t("seller.gb.pickupEnd")}
                name="pickupEnd"
                value={kstDayAt(start, 2, "20:00")}
                from={start}
                days={PICKUP_DAYS}
                errors={submit.fields().pickupEnd}
              />
            </div>
            <Show
              when={props.host}
              fallback={
                <CheckField
                  label={t("seller.gb.plusEarly")}
                  name="plusEarlyAccess"
                  errors={submit.fields().plusEarlyAccess}
                />
              }
            >
              <Field
                label={t("host.shares")}
                name="hostShares"
                inputMode="numeric"
                value={1}
                errors={submit.fields().hostShares}
              />
              <p class="hint">{t("host.sharesHint")}</p>
            </Show>
            <Submit
              pending={submit.pending()}
              message={submit.message()}
              label={t("seller.gb.create")}
              busyLabel={t("seller.gb.creating")}
            />
          </form>
        </Match>
      </Switch>
    </section>
  );
}
