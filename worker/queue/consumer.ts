import type { JobMessage } from "../../shared/schemas/jobs";
import { jobMessageSchema } from "../../shared/schemas/jobs";
import { pushMemberNotices } from "../community/groupBuyNotices";
import { getDb } from "../db/client";
import { completeSettlement, purchaseCompleted, settleHold, settleHolds } from "../groupbuy/settlement";
import { bookDb, runMoveBookJob } from "../wallet/books";
import { runReconcileBookJob } from "../wallet/reconcile";
import { runRefundJob } from "../wallet/refund";
import { runChargeJob } from "../wallet/settle";
import { DEAD_LETTER_QUEUE, recordDeadLetters } from "./deadLetters";
import { RetryLater, retryDelaySeconds } from "./retry";

/** Messages of one batch run this many at a time (each acks or retries on its own). */
const CONCURRENCY = 8;

/**
 * Deferred charging and settlement run here. Each message is acked or retried on its own so one failure never
 * replays the rest of the batch; handlers must be idempotent because delivery is at-least-once.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env, _ctx: ExecutionContext): Promise<void> {
  if (batch.queue === DEAD_LETTER_QUEUE) return recordDeadLetters(batch, env);
  const queue = [...batch.messages];
  const worker = async () => {
    for (let message = queue.shift(); message; message = queue.shift()) await handleMessage(batch.queue, message, env);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
}

async function handleMessage(queue: string, message: Message<unknown>, env: Env): Promise<void> {
  const parsed = jobMessageSchema.safeParse(message.body);
  if (!parsed.success) {
    console.error(JSON.stringify({ level: "error", queue, id: message.id, error: "malformed job" }));
    message.ack(); // a malformed body will never succeed; retrying only delays the rest
    return;
  }
  try {
    await runJob(parsed.data, env);
    message.ack();
  } catch (e) {
    const delaySeconds = retryDelaySeconds(message.attempts, e, env);
    console.error(
      JSON.stringify({
        level: e instanceof RetryLater ? "info" : "warn",
        queue,
        id: message.id,
        type: parsed.data.type,
        attempts: message.attempts,
        delaySeconds,
        error: String(e),
      }),
    );
    message.retry({ delaySeconds });
  }
}

async function runJob(job: JobMessage, env: Env): Promise<void> {
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
      return settleHolds(env, job, Date.now());
    case "groupbuy.complete":
      return completeSettlement(env, job.groupBuyId, Date.now());
    case "groupbuy.purchaseCompleted":
      return purchaseCompleted(env, job, Date.now());
    case "groupbuy.pushNotices":
      return pushMemberNotices(env, getDb(env), job);
    case "wallet.moveBook":
      await runMoveBookJob(env, job);
      return;
    case "wallet.reconcileBook":
      await runReconcileBookJob(env, job);
      return;
  }
}
