/**
 * npm run bench:drain — how fast the Queue consumer pays deferred charges once the card gateway comes back.
 *
 * Runs the real app (wrangler dev on 127.0.0.1, a temp persist dir, the sandbox gateway Durable Object, the local
 * Queue and its consumer), then:
 *   1. signs up buyers, verifies their neighbourhood and registers a card (billing key) for each;
 *   2. switches the sandbox gateway DOWN and sends BENCH_CHARGES wallet.charge calls (1,000 won each, ≤ 100 per buyer
 *      so nobody passes the 100,000 won deferred cap): every one grants points at once and queues a deferred charge;
 *   3. sets the sandbox rate limit to BENCH_RATE charges/s and switches it UP, then watches the gateway's paid-order
 *      count until every deferred charge is paid.
 * Prints the drain rate as a ratio of the configured rate limit (1.0 = the consumer keeps the gateway saturated
 * without exceeding it), the 429s it provoked, the machine's cores, and checks that nothing is left deferred and the
 * ledger reconciles. Bounded by BENCH_CHARGES (default 5000, ≤ 9000: the local Queue holds ~10k messages) and
 * BENCH_SECONDS (default 300) for the drain; localhost only.
 *
 * The consumer's backoff while the gateway is down is shortened (QUEUE_RETRY_BASE_S=3, QUEUE_RETRY_MAX_S=15) so the
 * run is minutes, not the production hour; the drain rate itself does not depend on it, the time-to-first-payment does.
 */
import { availableParallelism, cpus } from "node:os";
import { clientIp } from "../scripts/lib/clientIp.ts";
import { DEMO_ADMIN, DEMO_PASSWORD, DEMO_REGIONS } from "../scripts/seed/demo-data.ts";
import { createGongguClient, type GongguClient, reconciliationRunRows } from "../shared/sdk.ts";
import { row, writeResult } from "./lib/results.ts";
import { startBenchServer } from "./lib/server.ts";

const PORT = Number(process.env.BENCH_PORT ?? 8840);
const CHARGES = Math.min(Number(process.env.BENCH_CHARGES ?? 5000), 9000);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const DRAIN_SECONDS = Number(process.env.BENCH_SECONDS ?? 300);
const PER_BUYER = 100; // 100 × 1,000 won = the 100,000 won deferred cap
const BASE = `http://127.0.0.1:${PORT}`;

const client = (token?: string): GongguClient => createGongguClient({ url: BASE, token });
const since = (t: number) => (performance.now() - t) / 1000;

async function pool<T>(count: number, width: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await work(i);
      }
    }),
  );
  return out;
}

async function buyer(i: number, region: (typeof DEMO_REGIONS)[number]): Promise<GongguClient> {
  const email = `drain-${Date.now().toString(36)}-${i}@bench.test`;
  const password = "bench password 2026";
  // each buyer its own address: sign-ups are limited per client network (30 an hour)
  const newcomer = createGongguClient({ url: BASE, headers: { "cf-connecting-ip": clientIp(i) } });
  await newcomer.auth.signup.mutate({ email, password, displayName: `벤치${i}` });
  const { token } = await client().auth.login.mutate({ email, password, tokenKind: "bearer" });
  const api = client(token ?? undefined);
  await api.regions.verify.mutate({ regionId: region.id, lat: region.lat, lng: region.lng });
  await api.payments.registerBillingKey.mutate({ authKey: `auth_bench_${i}_${Date.now()}`, consent: "billing-v1" });
  return api;
}

async function main() {
  const { stop } = await startBenchServer({
    name: "drain",
    port: PORT,
    seed: true,
    vars: { QUEUE_RETRY_BASE_S: "3", QUEUE_RETRY_MAX_S: "15" },
  });
  try {
    const { token } = await client().auth.login.mutate({
      email: DEMO_ADMIN.email,
      password: DEMO_PASSWORD,
      tokenKind: "bearer",
    });
    const admin = client(token ?? undefined);
    await admin.admin.gateway.set.mutate({ mode: "up", rateLimitPerSec: 10_000 });

    const region = DEMO_REGIONS[0];
    const buyers = await pool(Math.ceil(CHARGES / PER_BUYER), 4, (i) => buyer(i, region));
    console.log(`setup: ${buyers.length} buyers with a registered card in ${region.nameEn}`);

    // 2. gateway down: every charge is granted on credit and queued
    await admin.admin.gateway.set.mutate({ mode: "down" });
    const enqueueStart = performance.now();
    const outcomes = await pool(CHARGES, CONCURRENCY, async (i) => {
      const res = await buyers[i % buyers.length].wallet.charge.mutate({
        amount: 1_000,
        idempotencyKey: `drain-${i}-${Date.now().toString(36)}`,
        paymentMethod: { type: "billingKey" },
      });
      return res.charge.status;
    });
    const enqueueSeconds = since(enqueueStart);
    const deferred = outcomes.filter((s) => s === "deferred").length;
    if (deferred !== CHARGES) throw new Error(`expected ${CHARGES} deferred charges, got ${deferred}`);

    // 3. gateway back with a rate limit: watch the paid orders climb
    const before = (await admin.admin.gateway.get.query()).stats!;
    await admin.admin.gateway.set.mutate({ mode: "up", rateLimitPerSec: RATE });
    const t0 = performance.now();
    const marks: Record<string, number> = {};
    let paid = 0;
    while (paid < CHARGES && since(t0) < DRAIN_SECONDS) {
      await new Promise((r) => setTimeout(r, 250));
      paid = (await admin.admin.gateway.get.query()).stats!.done - before.done;
      for (const p of [1, 10, 50, 90, 100]) if (!marks[p] && paid >= (CHARGES * p) / 100) marks[p] = since(t0);
    }
    const after = (await admin.admin.gateway.get.query()).stats!;
    const left = await admin.admin.charges.list.query({ status: "deferred", limit: 100 });
    const run = await admin.admin.wallet.reconcile.mutate();
    const reconciliation = await reconciliationRun(admin, run);
    const clean =
      reconciliation.length === run.books &&
      reconciliation.every(
        (b) => b.mismatchCount === 0 && b.netPosted === 0 && b.netPending === 0 && b.details.length === 0,
      );

    const drainSeconds = marks[100] ?? since(t0);
    const steady = marks[90] && marks[10] ? (CHARGES * 0.8) / (marks[90] - marks[10]) : Number.NaN;
    const overall = paid / drainSeconds;
    console.log(`\ndrain benchmark — real app on wrangler dev (local D1, Queue, sandbox gateway DO)`);
    console.log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? "unknown"}), node ${process.version}`);
    console.log(
      `deferred while down: ${CHARGES} charges in ${enqueueSeconds.toFixed(1)} s (${(CHARGES / enqueueSeconds).toFixed(0)}/s, ${CONCURRENCY} in flight)`,
    );
    console.log(`gateway rate limit:  ${RATE} charges/s`);
    console.log(
      `paid after recovery: ${paid}/${CHARGES} — first at ${marks[1]?.toFixed(1) ?? "-"} s, 50% at ${marks[50]?.toFixed(1) ?? "-"} s, all at ${marks[100]?.toFixed(1) ?? "-"} s`,
    );
    console.log(
      `drain rate:          ${overall.toFixed(1)}/s overall = ${(overall / RATE).toFixed(2)} × the rate limit`,
    );
    console.log(`steady (10%→90%):    ${steady.toFixed(1)}/s = ${(steady / RATE).toFixed(2)} × the rate limit`);
    console.log(`429s provoked:       ${after.refusedRateLimited - before.refusedRateLimited}`);
    console.log(`left deferred: ${left.items.length}; ledger reconciliation: ${clean ? "clean" : "MISMATCH"}`);
    writeResult("drain", [
      row("deferred-charge drain, overall (vs gateway rate limit)", overall, "charges/s", RATE),
      row("deferred-charge drain, steady 10%→90% (vs rate limit)", steady, "charges/s", RATE),
      row("deferred charges paid", paid, "charges", CHARGES),
      row("429s provoked", after.refusedRateLimited - before.refusedRateLimited, "responses"),
      row("left deferred", left.items.length, "charges"),
      row("reconciliation clean", clean ? 1 : 0, "bool"),
    ]);
    if (paid < CHARGES || left.items.length > 0 || !clean) process.exitCode = 1;
  } finally {
    await stop();
  }
}

await main();

/** A reconciliation run's rows once every book's queued job has stored one (or what there is after 60 s). */
async function reconciliationRun(admin: GongguClient, run: { runAt: number; books: number }) {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const rows = await reconciliationRunRows(admin, run.runAt);
    if (rows.length >= run.books || performance.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 500));
  }
}
