import type { JobMessage } from "../../shared/schemas/jobs";
import { jobMessageSchema } from "../../shared/schemas/jobs";
import { pushMemberNotices } from "../community/groupBuyNotices";
import { kickFromRooms } from "../community/rooms";
import { getDb } from "../db/client";
import { roomStub } from "../groupbuy/service";
import {
  completeSettlement,
  purchaseCompleted,
  settleHold,
  settleHolds,
  settleHoldsQueries,
} from "../groupbuy/settlement";
import { errorForLog } from "../lib/errors";
import { bookDb, runMoveBookJob } from "../wallet/books";
import { runReconcileBookJob } from "../wallet/reconcile";
import { runRefundJob } from "../wallet/refund";
import { runChargeJob } from "../wallet/settle";
import { BATCH_QUERY_BUDGET, budgetedEnv, type JobBudget, OutOfQueries, QueryBudget } from "./budget";
import { DEAD_LETTER_QUEUE, recordDeadLetters } from "./deadLetters";
import { RetryLater, retryDelaySeconds } from "./retry";
import { enqueue } from "./send";

/** Lanes of one batch's messages run this many at a time (each message acks or retries on its own). */
const CONCURRENCY = 8;

/**
 * Deferred charging and settlement run here. Each message is acked or retried on its own so one failure never
 * replays the rest of the batch; handlers must be idempotent because delivery is at-least-once.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env, _ctx: ExecutionContext): Promise<void> {
  if (batch.queue === DEAD_LETTER_QUEUE) return recordDeadLetters(batch, env);
  // The batch is one invocation: D1's 1,000 queries are for all of its jobs together.
  const budget = new QueryBudget(BATCH_QUERY_BUDGET);
  const jobEnv = budgetedEnv(env, budget);
  const lanes = settlementLanes(batch.messages);
  const worker = async () => {
    for (let lane = lanes.shift(); lane; lane = lanes.shift()) {
      for (const message of lane) await handleMessage(batch.queue, message, jobEnv, budget);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, lanes.length) }, worker));
}

/**
 * The batch's messages in lanes that run side by side, each lane's one after another: settlement jobs that name a
 * hold in common share one. A buy cancelled right after it filled sends a job for its holds at each status; both land
 * in one batch, and side by side both released the same holds: one ledger batch failed ("pending transfer already
 * settled", logged) and its holds converged one at a time. One after another, the second finds them settled. Jobs
 * of one hold may still meet in two invocations at once: settleHolds stays safe for that.
 */
function settlementLanes(messages: readonly Message<unknown>[]): Message<unknown>[][] {
  const lanes: Message<unknown>[][] = [];
  const laneOfHold = new Map<string, Message<unknown>[]>();
  for (const message of messages) {
    const holds = holdsSettledBy(message.body);
    const lane = holds.map((id) => laneOfHold.get(id)).find((l) => l !== undefined);
    if (lane) lane.push(message);
    else lanes.push([message]);
    for (const id of holds) laneOfHold.set(id, lane ?? lanes[lanes.length - 1]);
  }
  return lanes;
}

/** The holds a settlement job names; none for any other body (not parsed yet: it may be anything). */
function holdsSettledBy(body: unknown): string[] {
  const job = body as { type?: unknown; holdId?: unknown; holdIds?: unknown } | null;
  if (job?.type === "groupbuy.settleHold" && typeof job.holdId === "string") return [job.holdId];
  if (job?.type === "groupbuy.settleHolds" && Array.isArray(job.holdIds)) {
    return job.holdIds.filter((id): id is string => typeof id === "string");
  }
  return [];
}

async function handleMessage(queue: string, message: Message<unknown>, env: Env, budget: QueryBudget): Promise<void> {
  const parsed = jobMessageSchema.safeParse(message.body);
  if (!parsed.success) {
    console.error(JSON.stringify({ level: "error", queue, id: message.id, error: "malformed job" }));
    message.ack(); // a malformed body will never succeed; retrying only delays the rest
    return;
  }
  const share = await budget.admit(jobQueries(parsed.data));
  if (!share) return deferJob(queue, message, parsed.data, env);
  try {
    await runJob(parsed.data, env, share);
    message.ack();
  } catch (e) {
    if (e instanceof OutOfQueries) return deferJob(queue, message, e.rest, env);
    const delaySeconds = retryDelaySeconds(message.attempts, e, env);
    console.error(
      JSON.stringify({
        level: e instanceof RetryLater ? "info" : "warn",
        queue,
        id: message.id,
        type: parsed.data.type,
        attempts: message.attempts,
        delaySeconds,
        error: errorForLog(e),
      }),
    );
    message.retry({ delaySeconds });
  } finally {
    share.release();
  }
}

/** The most D1 queries a job sends before it asks its budget for more (only settleHolds asks). */
function jobQueries(job: JobMessage): number {
  return job.type === "groupbuy.settleHolds" ? settleHoldsQueries(job.holdIds.length) : JOB_QUERIES;
}

/** Every other job sends far fewer (measured: a reconciliation 3; a completed buy's jobs 16 on average). */
const JOB_QUERIES = 50;

/**
 * A job this invocation cannot afford (or the part of one it could not finish) runs in another: sent again as a new
 * message and this one acked, so waiting for queries never counts towards max_retries and the dead-letter queue. If
 * the send fails, the message itself is retried. A send whose ack is then lost runs twice: jobs are idempotent.
 */
async function deferJob(queue: string, message: Message<unknown>, job: JobMessage, env: Env): Promise<void> {
  try {
    await enqueue(env, job, DEFER_DELAY_S);
    message.ack();
  } catch {
    message.retry({ delaySeconds: DEFER_DELAY_S });
  }
  console.info(JSON.stringify({ level: "info", queue, id: message.id, type: job.type, deferred: "D1 query budget" }));
}

/** Another invocation has its own 1,000 queries: no backoff needed, only not this one. */
const DEFER_DELAY_S = 1;

async function runJob(job: JobMessage, env: Env, budget: JobBudget): Promise<void> {
  switch (job.type) {
    case "ping":
      return;
    case "charge.settle":
      return runChargeJob(env, getDb(env), bookDb(env, job.book), job.chargeId);
    case "refund.settle":
      return runRefundJob(env, getDb(env), bookDb(env, job.book), job.partId, job.book);
    case "groupbuy.settleHold":
      return settleHold(env, job, Date.now());
    case "groupbuy.settleHolds":
      return settleHolds(env, job, Date.now(), budget);
    case "groupbuy.complete":
      return completeSettlement(env, job.groupBuyId, Date.now());
    case "groupbuy.reconcileRoom":
      await roomStub(env, job.groupBuyId).reconcile(job.groupBuyId);
      return;
    case "groupbuy.purchaseCompleted":
      return purchaseCompleted(env, job, Date.now());
    case "groupbuy.pushNotices":
      return pushMemberNotices(env, getDb(env), job);
    case "rooms.kick":
      await kickFromRooms(env, getDb(env), job.userId, job.session, job.before);
      return;
    case "wallet.moveBook":
      await runMoveBookJob(env, job);
      return;
    case "wallet.reconcileBook":
      await runReconcileBookJob(env, job);
      return;
  }
}
