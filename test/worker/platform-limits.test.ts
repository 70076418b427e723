/**
 * Production limits local workerd does not enforce (STACK.md): ≤ 100 bound parameters per D1 statement, ≤ 1,000 D1
 * queries per invocation, SQL ≤ 100 KB, Queue messages ≤ 128 KB and ≤ 100 per sendBatch, PBKDF2 ≤ 100,000
 * iterations. The biggest paths run against a metered D1 (every statement of the isolate: procedures, Durable
 * Objects, the Queue consumer, the cron) and a recorded Queue.
 *
 * The big group buy has PLATFORM_BUYERS buyers: 200 in `npm test` (two sendBatch chunks, several consumer batches and
 * cron pages), 1,000 in `npm run test:sim`. Per-invocation costs are paged, so they must not grow with the count.
 */
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobMessageSchema, SETTLE_HOLDS_MAX } from "../../shared/schemas/jobs";
import { hashPassword, MAX_PBKDF2_ITERATIONS, PBKDF2_ITERATIONS, verifyPassword } from "../../worker/accounts/password";
import { recPopularity, recRegions } from "../../worker/db/schema";
import { AUTO_CONFIRM_MS } from "../../worker/groupbuy/config";
import worker from "../../worker/index";
import { planPopularity } from "../../worker/recommend/plan";
import { RECOMPUTE, recomputeRecommendations } from "../../worker/recommend/recompute";
import { loadInteractionWindow, loadRegionCentres } from "../../worker/recommend/store";
import { DAILY_CRON } from "../../worker/scheduled";
import { defOf } from "../shared/zod-def";
import { captureQueueSends } from "./card-scan";
import { D1_MAX_BOUND_PARAMS, D1_MAX_QUERIES_PER_INVOCATION } from "./d1-counter";
import { type D1Meter, meterD1 } from "./d1-meter";
import { insertUser } from "./fixtures";
import { db, gbRow, holdRows, invariants, key, newResidents, openBuy, until } from "./groupbuy-helpers";
import { freshRegion, insertGroupBuy } from "./recommend-fixtures";
import { unbounded } from "./schema-bounds";

const BUYERS = Number(env.PLATFORM_BUYERS) || 200;
/** 1 KB = 1,000 bytes on https://developers.cloudflare.com/queues/limits (and ~100 bytes of metadata count too). */
const QUEUE_MESSAGE_MAX = 128 * 1000;
const SEND_BATCH_MAX = 100;
const SEND_BATCH_MAX_BYTES = 256 * 1000;
const SQL_MAX_BYTES = 100 * 1024;
/** Messages per consumer invocation, as wrangler.toml configures the queue. */
const QUEUE_BATCH = 25;

describe("PBKDF2 stays inside the Workers limit", () => {
  it("hashes with ≤ 100,000 iterations, stores the count, and refuses to derive with more", async () => {
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(100_000);
    expect(MAX_PBKDF2_ITERATIONS).toBeLessThanOrEqual(100_000);
    const stored = await hashPassword("a long enough password", "pepper");
    expect(Number(stored.split("$")[1])).toBeLessThanOrEqual(100_000);
    expect(await verifyPassword("a long enough password", stored, "pepper")).toBe(true);
    // a stored hash asking for more (a tampered row, an old format) is refused before deriving
    const greedy = stored.replace(/\$\d+\$/, "$100001$");
    await expect(verifyPassword("a long enough password", greedy, "pepper")).rejects.toThrow(/iterations/);
    await expect(hashPassword("x", "pepper", 100_001)).rejects.toThrow(/iterations/);
  });
});

describe("Queue messages stay far below 128 KB", () => {
  it("every job body is bounded by its schema (ids and numbers only: no unbounded string, array or map)", () => {
    expect(unbounded(defOf(jobMessageSchema), "", [])).toEqual([]);
  });

  it("a full sendBatch of the largest job stays under a batch's 256 KB (100 messages, ~100 bytes of metadata each)", () => {
    // the largest body the schema allows: a settleHolds job of SETTLE_HOLDS_MAX ids (https://developers.cloudflare.com/queues/limits)
    const id = "7ZZZZZZZZZZZZZZZZZZZZZZZZZ";
    const largest = jobMessageSchema.parse({
      type: "groupbuy.settleHolds",
      groupBuyId: id,
      holdIds: Array.from({ length: SETTLE_HOLDS_MAX }, () => id),
    });
    const bytes = new TextEncoder().encode(JSON.stringify(largest)).length + 100;
    expect(bytes).toBeLessThanOrEqual(QUEUE_MESSAGE_MAX);
    expect(bytes * SEND_BATCH_MAX).toBeLessThanOrEqual(SEND_BATCH_MAX_BYTES);
  });
});

describe(`the biggest paths stay inside D1's limits per invocation (${BUYERS} buyers)`, { timeout: 300_000 }, () => {
  let meter: D1Meter;
  let sends: ReturnType<typeof captureQueueSends>;
  const batches: number[] = [];
  beforeAll(() => {
    meter = meterD1();
    sends = captureQueueSends();
    // sendBatch sizes, to check the ≤ 100 messages rule
    const proto = Object.getPrototypeOf(env.JOBS) as Queue;
    const sendBatch = proto.sendBatch;
    proto.sendBatch = function (this: Queue, messages: Iterable<MessageSendRequest>, options?: QueueSendBatchOptions) {
      const list = [...messages];
      batches.push(list.length);
      return sendBatch.call(this, list, options);
    };
  });
  afterAll(() => {
    meter.restore();
    sends.restore();
  });

  /** Runs one invocation-sized step and returns what it cost. */
  async function step(what: string, run: () => Promise<unknown>) {
    meter.reset();
    await run();
    const cost = { what, queries: meter.queries, maxParams: meter.maxParams, maxSqlBytes: meter.maxSqlBytes };
    expect(cost.maxParams, `${what}: bound parameters in one statement`).toBeLessThanOrEqual(D1_MAX_BOUND_PARAMS);
    expect(cost.queries, `${what}: D1 queries`).toBeLessThanOrEqual(D1_MAX_QUERIES_PER_INVOCATION);
    expect(cost.maxSqlBytes, `${what}: SQL text`).toBeLessThanOrEqual(SQL_MAX_BYTES);
    return cost;
  }

  async function deliver(bodies: unknown[]) {
    const batch = createMessageBatch(
      "gonggu-jobs",
      bodies.map((body, i) => ({ id: `p-${i}-${Math.random()}`, timestamp: Date.now(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    await waitOnExecutionContext(ctx);
    return getQueueResult(batch, ctx);
  }

  async function cron(expr: string, at: number) {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: at, cron: expr }), env, ctx);
    await waitOnExecutionContext(ctx);
  }

  it("a group buy filled by every buyer, then ordered, ready, auto-confirmed by the cron, settled and paid out", async () => {
    const costs: { what: string; queries: number; maxParams: number }[] = [];
    const { region, gb, seller } = await openBuy(
      { totalShares: BUYERS, minShares: 1, maxPerPerson: 1 },
      { totalPrice: BUYERS * 1_000, totalQuantity: BUYERS, unit: "개" },
    );
    const buyers = await newResidents(region, BUYERS, 5_000);
    // joins, 50 at a time: each is one request (worker + room); the most expensive one is checked
    let worstJoin = 0;
    for (let i = 0; i < buyers.length; i += 50) {
      meter.reset();
      await Promise.all(
        buyers
          .slice(i, i + 50)
          .map((b) => b.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() })),
      );
      expect(meter.maxParams).toBeLessThanOrEqual(D1_MAX_BOUND_PARAMS);
      worstJoin = Math.max(worstJoin, meter.queries / Math.min(50, buyers.length - i));
    }
    costs.push({ what: "join (average of 50 concurrent)", queries: worstJoin, maxParams: meter.maxParams });
    await until("the buy is FILLED", async () => (await gbRow(gb.id))?.status === "FILLED", 180_000);
    // every hold posted into escrow by the queue (a thousand jobs take a while on a busy machine)
    await until(
      "every hold posted",
      async () => (await holdRows(gb.id)).every((h) => h.state !== "active" || h.settlement === "posted"),
      180_000,
    );

    // each step includes the room's mirror flush and notification fan-out that follow it
    const settle = () => new Promise((r) => setTimeout(r, 500));
    costs.push(
      await step("markOrdered", async () => {
        await seller.api.groupBuys.markOrdered.mutate({ id: gb.id });
        await settle();
      }),
    );
    costs.push(
      await step("markReady (notifies every buyer)", async () => {
        await seller.api.groupBuys.markReady.mutate({ id: gb.id });
        await settle();
      }),
    );
    const readyAt = (await gbRow(gb.id))!.readyAt!;
    costs.push(
      await step("5-minute cron auto-confirms every pickup", () =>
        cron("*/5 * * * *", readyAt + AUTO_CONFIRM_MS + 60_000),
      ),
    );
    await until("the buy is settled", async () => (await gbRow(gb.id))?.settledAt, 180_000);

    // replay every job the run sent, in consumer-sized batches: each batch is one invocation
    const jobs = sends.bodies.splice(0);
    let worstBatch = { what: "queue batch", queries: 0, maxParams: 0, maxSqlBytes: 0 };
    for (let i = 0; i < jobs.length; i += QUEUE_BATCH) {
      const cost = await step(`queue batch of ${QUEUE_BATCH}`, () => deliver(jobs.slice(i, i + QUEUE_BATCH)));
      if (cost.queries > worstBatch.queries) worstBatch = cost;
    }
    costs.push(worstBatch);
    costs.push(
      await step("daily cron (payout batch, reconciliation jobs queued)", () =>
        cron(DAILY_CRON, readyAt + 30 * 86_400_000),
      ),
    );

    for (const body of jobs) {
      expect(new TextEncoder().encode(JSON.stringify(body)).length).toBeLessThan(QUEUE_MESSAGE_MAX);
    }
    expect(Math.max(0, ...batches), "messages in one sendBatch").toBeLessThanOrEqual(SEND_BATCH_MAX);
    console.log(
      `platform limits, ${BUYERS}-buyer group buy: ${costs.map((c) => `${c.what} ${Math.round(c.queries)} queries`).join("; ")}; ` +
        `${jobs.length} queue messages, largest sendBatch ${Math.max(0, ...batches)}`,
    );
    await invariants(region);
  });

  it("the recommendation recompute (one cron step) stays inside the limits", async () => {
    await step("recommend recompute", () => recomputeRecommendations(db(), Date.now(), { full: true }));
  });
});

describe("the recommendation recompute with 34,000 popularity rows stays inside one invocation", {
  timeout: 120_000,
}, () => {
  // 34,000 group buys with a join each in one region: 34,002 popularity rows (item keys, one product, one category),
  // which as 33-row inserts alone were 1,031 statements in one batch.
  const BUYS = 34_000;

  it("writes every popularity row in a handful of statements, the same tables as the plan", async () => {
    const now = Date.now();
    const region = await freshRegion(db());
    const template = await insertGroupBuy(db(), { regionId: region.id });
    const fan = await insertUser(db(), "buyer");
    const prefix = `bulk-${now.toString(36)}-`;
    // multi-row INSERT … SELECT: the data takes two statements, not thousands
    await env.DB.prepare(
      `INSERT INTO group_buys (id, product_id, seller_id, host_id, region_id, title, category, unit, total_quantity,
         total_price, total_shares, min_shares, max_per_person, price_per_share, deadline, pickup_place, pickup_start,
         pickup_end, status, created_at, updated_at)
       WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?1)
       SELECT ?2 || n, product_id, seller_id, host_id, region_id, title, category, unit, total_quantity, total_price,
         total_shares, min_shares, max_per_person, price_per_share, deadline, pickup_place, pickup_start, pickup_end,
         status, created_at, updated_at
       FROM seq, group_buys WHERE id = ?3`,
    )
      .bind(BUYS - 1, prefix, template.id)
      .run();
    await env.DB.prepare(
      `INSERT INTO rec_interactions (user_id, item_id, kind, weight, at)
       SELECT ?1, id, 'join', 3, ?2 - (rowid % 5000) * 60000 FROM group_buys WHERE region_id = ?3`,
    )
      .bind(fan.id, now, region.id)
      .run();

    const meter = meterD1();
    try {
      await recomputeRecommendations(db(), now, { full: true });
    } finally {
      meter.restore();
    }
    console.log(`recommend recompute, ${BUYS} buys with a join each: ${meter.queries} D1 queries`);
    expect(meter.maxParams).toBeLessThanOrEqual(D1_MAX_BOUND_PARAMS);
    expect(meter.maxSqlBytes).toBeLessThanOrEqual(SQL_MAX_BYTES);
    expect(meter.queries, "D1 queries of one recompute").toBeLessThanOrEqual(D1_MAX_QUERIES_PER_INVOCATION);

    // The tables hold exactly what the plan computed for the same window and time (what the old inserts wrote).
    const window = await loadInteractionWindow(db(), now - RECOMPUTE.windowMs);
    const plan = planPopularity({
      interactions: window.interactions,
      lookup: (id) => window.items.get(id),
      regions: await loadRegionCentres(db()),
      now,
    });
    const round = (x: number) => Math.round(x * 1e6) / 1e6;
    const mine = plan.find((r) => r.regionId === region.id);
    expect(mine?.table.length).toBe(BUYS + 2);
    const stored = await db().select().from(recPopularity).orderBy(recPopularity.regionId, recPopularity.key).all();
    const expected = plan
      .flatMap((r) => r.table.map(([key, score]) => ({ regionId: r.regionId, key, score: round(score) })))
      .sort((a, b) => (a.regionId === b.regionId ? cmp(a.key, b.key) : cmp(a.regionId, b.regionId)));
    expect(stored).toEqual(expected);
    const regionRows = await db().select().from(recRegions).orderBy(recRegions.regionId).all();
    expect(regionRows).toEqual(
      plan.map((r) => ({ regionId: r.regionId, fallback: r.fallback, mass: round(r.mass), computedAt: now })),
    );
  });
});

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
