/**
 * What one Queue consumer invocation spends of D1's 1,000 queries (a batch is one invocation): the per-batch budget
 * (worker/queue/budget.ts) and the lanes that run jobs of the same holds one after another. Own runtime
 * (vitest.config.ts): the meter counts every statement of the isolate.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { SETTLE_HOLDS_MAX } from "../../shared/schemas/jobs";
import { memberNoticeStatement } from "../../worker/community/groupBuyNotices";
import { groupBuys, ledgerTransfers, liveChannels } from "../../worker/db/schema";
import { SETTLE_HOLD_QUERIES, settleHoldsQueries } from "../../worker/groupbuy/settlement";
import { BATCH_QUERY_BUDGET } from "../../worker/queue/budget";
import { handleQueue } from "../../worker/queue/consumer";
import { captureQueueSends } from "./card-scan";
import { D1_MAX_QUERIES_PER_INVOCATION } from "./d1-counter";
import { meterD1 } from "./d1-meter";
import { db, escrowOf, holdRows, invariants, key, newResidents, openBuy, pointsOf, until } from "./groupbuy-helpers";
import { meterSubrequests } from "./subrequest-meter";

/** Buyers of the cancelled buy: three full settleHolds jobs, ~10 queries a hold to refund (~1,400 in one batch). */
const BUYERS = 3 * SETTLE_HOLDS_MAX;
const FUNDED = 10_000;
const SHARE = 5_000;
/** Messages per consumer invocation (wrangler.toml max_batch_size). */
const QUEUE_BATCH = 25;

/** Re-sent jobs go to a queue nobody consumes, so the test delivers (and meters) every invocation itself. */
const consumerEnv: Env = { ...env, JOBS: env.RECORDED_JOBS };

async function deliver(bodies: unknown[]) {
  const batch = createMessageBatch(
    "gonggu-jobs",
    bodies.map((body, i) => ({ id: `m${i}-${crypto.randomUUID()}`, timestamp: Date.now(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await handleQueue(batch, consumerEnv, ctx);
  return getQueueResult(batch, ctx);
}

const settleJobs = (groupBuyId: string, holdIds: string[]) =>
  Array.from({ length: Math.ceil(holdIds.length / SETTLE_HOLDS_MAX) }, (_, i) => ({
    type: "groupbuy.settleHolds" as const,
    groupBuyId,
    holdIds: holdIds.slice(i * SETTLE_HOLDS_MAX, (i + 1) * SETTLE_HOLDS_MAX),
  }));

/** An OPEN buy with `holds` one-share holds, placed and mirrored (one share left, so the room sends no job). */
async function buyWithHolds(holds: number) {
  const setup = await openBuy(
    { totalShares: holds + 1, minShares: 2, maxPerPerson: 1 },
    { totalPrice: SHARE * (holds + 1) },
  );
  const buyers = await newResidents(setup.region, holds, FUNDED);
  for (let i = 0; i < holds; i += 10) {
    await Promise.all(
      buyers
        .slice(i, i + 10)
        .map((b) => b.api.groupBuys.join.mutate({ id: setup.gb.id, shares: 1, idempotencyKey: key() })),
    );
  }
  await until("every hold mirrored", async () => (await holdRows(setup.gb.id)).length === holds, 60_000);
  return { ...setup, buyers, holdIds: (await holdRows(setup.gb.id)).map((h) => h.holdId) };
}

/** A buy of `holds` one-share holds, captured into escrow, then cancelled: every hold is refunded one at a time. */
async function cancelledAfterCapture(holds = BUYERS) {
  const buy = await buyWithHolds(holds);
  await db().update(groupBuys).set({ status: "FILLED" }).where(eq(groupBuys.id, buy.gb.id));
  for (const job of settleJobs(buy.gb.id, buy.holdIds)) expect((await deliver([job])).explicitAcks).toHaveLength(1);
  expect(await escrowOf(buy.gb.id, buy.region)).toEqual({ posted: holds * SHARE, pending: 0 });
  await db().update(groupBuys).set({ status: "CANCELLED" }).where(eq(groupBuys.id, buy.gb.id));
  return buy;
}

describe("the consumer's D1 query budget", { timeout: 300_000 }, () => {
  it("any one settleHolds job fits an invocation alone, its holds settled one at a time included", () => {
    const alone = settleHoldsQueries(SETTLE_HOLDS_MAX) + SETTLE_HOLDS_MAX * SETTLE_HOLD_QUERIES;
    expect(alone).toBeLessThanOrEqual(BATCH_QUERY_BUDGET);
    expect(BATCH_QUERY_BUDGET).toBeLessThan(D1_MAX_QUERIES_PER_INVOCATION);
  });

  it(`a batch of refunds past the budget (${BUYERS} holds): part settles, the rest runs in the next invocations; every hold refunded once, Σ = 0`, async () => {
    const { region, gb, buyers, holdIds } = await cancelledAfterCapture();
    const meter = meterD1();
    const sends = captureQueueSends();
    const invocations: number[] = [];
    try {
      let batch: unknown[] = settleJobs(gb.id, holdIds);
      for (let round = 0; batch.length > 0; round++) {
        expect(round, "invocations").toBeLessThan(10);
        meter.reset();
        sends.bodies.length = 0;
        const result = await deliver(batch);
        invocations.push(meter.queries);
        // nothing waits on a retry: what did not fit is acked and queued again as a job of the holds left
        expect(result.retryMessages).toEqual([]);
        expect(result.explicitAcks).toHaveLength(batch.length);
        expect(meter.queries, `invocation ${round + 1}: D1 queries`).toBeLessThanOrEqual(BATCH_QUERY_BUDGET);
        batch = [...sends.bodies];
        if (round === 0) {
          // the first invocation could not refund them all, and did refund some
          const refunded = (await holdRows(gb.id)).filter((h) => h.settlement === "refunded").length;
          expect(refunded).toBeGreaterThan(0);
          expect(refunded).toBeLessThan(BUYERS);
          expect(batch.length).toBeGreaterThan(0);
        }
      }
    } finally {
      sends.restore();
      meter.restore();
    }
    expect((await holdRows(gb.id)).filter((h) => h.settlement !== "refunded")).toEqual([]);
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 0, pending: 0 });
    for (const b of buyers)
      expect(await pointsOf(b.id, region)).toEqual({ balance: FUNDED, held: 0, available: FUNDED });
    // one refund per hold: no transfer twice, as many refunds as captures
    const transfers = await db()
      .select()
      .from(ledgerTransfers)
      .where(like(ledgerTransfers.reference, `groupbuy:${gb.id}`))
      .all();
    const ids = transfers.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    await invariants(region);
    console.log(
      `refunds of ${BUYERS} holds in ${invocations.length} invocations: ${invocations.join(", ")} D1 queries`,
    );
  });

  it(`a refund job of ${SETTLE_HOLDS_MAX} holds delivered again: done, it skips them all in a few queries; half done, it refunds the other half once`, async () => {
    /** Delivers `jobs` in one invocation, metered; all acked. */
    const metered = async (jobs: unknown[]) => {
      const meter = meterD1();
      try {
        expect((await deliver(jobs)).explicitAcks).toHaveLength(jobs.length);
        return meter.queries;
      } finally {
        meter.restore();
      }
    };
    const refundTransfers = (groupBuyId: string) =>
      db()
        .select({ id: ledgerTransfers.id })
        .from(ledgerTransfers)
        .where(like(ledgerTransfers.reference, `groupbuy:${groupBuyId}`))
        .all();
    const allRefundedOnce = async (buy: Awaited<ReturnType<typeof cancelledAfterCapture>>) => {
      expect((await holdRows(buy.gb.id)).filter((h) => h.settlement !== "refunded")).toEqual([]);
      expect(await escrowOf(buy.gb.id, buy.region)).toEqual({ posted: 0, pending: 0 });
      for (const b of buy.buyers)
        expect(await pointsOf(b.id, buy.region)).toEqual({ balance: FUNDED, held: 0, available: FUNDED });
      const ids = (await refundTransfers(buy.gb.id)).map((t) => t.id);
      expect(new Set(ids).size).toBe(ids.length);
      const refunded = new Set(ids.flatMap((id) => (id.includes(":refund:") ? [id.split(":refund:")[0]] : [])));
      expect(refunded).toEqual(new Set(buy.holdIds));
      await invariants(buy.region);
    };

    const done = await cancelledAfterCapture(SETTLE_HOLDS_MAX);
    const [job] = settleJobs(done.gb.id, done.holdIds);
    const first = await metered([job]);
    await allRefundedOnce(done);
    const transfers = await refundTransfers(done.gb.id);
    const again = await metered([job]);
    expect(await refundTransfers(done.gb.id)).toEqual(transfers);
    await allRefundedOnce(done);
    // was ~9 queries a hold (each settled one hold at a time again): now the buy, the hold rows and the ledger's rows
    expect(again, "redelivery of a finished refund job: D1 queries").toBeLessThanOrEqual(5);

    const half = await cancelledAfterCapture(SETTLE_HOLDS_MAX);
    const firstHalf = half.holdIds.slice(0, SETTLE_HOLDS_MAX / 2);
    const [halfJob] = settleJobs(half.gb.id, firstHalf);
    const halfFirst = await metered([halfJob]);
    const [fullJob] = settleJobs(half.gb.id, half.holdIds);
    const rest = await metered([fullJob]);
    await allRefundedOnce(half);
    // the half refunded before costs nothing more: about what refunding the other half alone costs
    expect(rest, "redelivery of a half-done refund job: D1 queries").toBeLessThanOrEqual(halfFirst + 5);
    console.log(
      `refund job of ${SETTLE_HOLDS_MAX} holds: first delivery ${first} D1 queries, again when done ${again}; ` +
        `${firstHalf.length} of them first ${halfFirst}, then the whole job ${rest}`,
    );
  });

  it("the FILLED and CANCELLED jobs of the same 50 holds in one batch: the second finds them released (a few queries, no fallback)", async () => {
    const setup = await buyWithHolds(SETTLE_HOLDS_MAX);
    await db().update(groupBuys).set({ status: "CANCELLED" }).where(eq(groupBuys.id, setup.gb.id));
    const [job] = settleJobs(setup.gb.id, setup.holdIds);
    const meter = meterD1();
    try {
      expect((await deliver([job, job])).explicitAcks).toHaveLength(2);
      // side by side they sent 257 (five ledger batches failed, 50 holds converged one at a time)
      expect(meter.queries, "D1 queries").toBeLessThan(100);
      console.log(
        `two jobs of the same ${SETTLE_HOLDS_MAX} holds in one batch: ${meter.queries} D1 queries, ${meter.roundTrips} round trips`,
      );
    } finally {
      meter.restore();
    }
    expect((await holdRows(setup.gb.id)).filter((h) => h.settlement !== "voided")).toEqual([]);
    for (const b of setup.buyers)
      expect(await pointsOf(b.id, setup.region)).toEqual({ balance: FUNDED, held: 0, available: FUNDED });
    await invariants(setup.region);
  });
});

describe("the consumer's budget counts every subrequest, not only D1's", { timeout: 300_000 }, () => {
  it(`refunds of ${BUYERS} holds and ${QUEUE_BATCH - 3} member-notice pushes in one batch: each invocation stays inside 1,000 subrequests (D1, Durable Objects, Queue sends); every hold refunded once`, async () => {
    const { region, gb, buyers, holdIds } = await cancelledAfterCapture();
    // the members' CANCELLED notices, and every member online: each push job wakes LIVE_PUSH_PAGE channels
    const at = Date.now();
    const notice = memberNoticeStatement(
      db(),
      { groupBuyId: gb.id, title: "환불", status: "CANCELLED", statusReason: null },
      at,
    );
    await notice!.run();
    const members = buyers.map((b) => b.id).sort();
    for (let i = 0; i < members.length; i += 40) {
      await db()
        .insert(liveChannels)
        .values(members.slice(i, i + 40).map((userId) => ({ userId, openedAt: at })))
        .onConflictDoNothing();
    }
    // pages that start at different members (a retried or re-sent page overlaps another; pushes are best effort)
    const pushes = Array.from({ length: QUEUE_BATCH - 3 }, (_, i) => ({
      type: "groupbuy.pushNotices" as const,
      groupBuyId: gb.id,
      status: "CANCELLED" as const,
      at,
      after: members[i],
    }));
    const sends = captureQueueSends();
    const totals: string[] = [];
    try {
      let batch: unknown[] = [...settleJobs(gb.id, holdIds), ...pushes];
      for (let round = 0; batch.length > 0; round++) {
        expect(round, "invocations").toBeLessThan(12);
        sends.bodies.length = 0;
        const meter = meterSubrequests(consumerEnv);
        const b = createMessageBatch(
          "gonggu-jobs",
          batch.map((body, i) => ({ id: `s${i}-${crypto.randomUUID()}`, timestamp: Date.now(), attempts: 1, body })),
        );
        const ctx = createExecutionContext();
        await handleQueue(b, meter.env, ctx);
        await expect(getQueueResult(b, ctx)).resolves.toMatchObject({ retryMessages: [] });
        totals.push(`${meter.total} (D1 ${meter.d1}, DO ${meter.durableObjects}, sends ${meter.queueSends})`);
        expect(meter.total, `invocation ${round + 1}: ${totals.at(-1)}`).toBeLessThanOrEqual(
          D1_MAX_QUERIES_PER_INVOCATION,
        );
        // follow-up pages of the push jobs are not this test's: only what settles holds runs again
        batch = sends.bodies.filter((body) => (body as { type: string }).type === "groupbuy.settleHolds");
      }
    } finally {
      sends.restore();
    }
    expect((await holdRows(gb.id)).filter((h) => h.settlement !== "refunded")).toEqual([]);
    expect(await escrowOf(gb.id, region)).toEqual({ posted: 0, pending: 0 });
    await invariants(region);
    console.log(`refunds + pushes per invocation: ${totals.join("; ")}`);
  });
});
