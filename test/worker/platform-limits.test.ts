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
import { AUTO_CONFIRM_MS } from "../../worker/groupbuy/config";
import worker from "../../worker/index";
import { recomputeRecommendations } from "../../worker/recommend/recompute";
import { DAILY_CRON } from "../../worker/scheduled";
import { defOf } from "../shared/zod-def";
import { captureQueueSends } from "./card-scan";
import { D1_MAX_BOUND_PARAMS, D1_MAX_QUERIES_PER_INVOCATION } from "./d1-counter";
import { type D1Meter, meterD1 } from "./d1-meter";
import { db, gbRow, holdRows, invariants, key, newResidents, openBuy, until } from "./groupbuy-helpers";
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
