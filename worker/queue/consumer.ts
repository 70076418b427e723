import type { JobMessage } from "../../shared/schemas/jobs";
import { jobMessageSchema } from "../../shared/schemas/jobs";
import { completeSettlement, settleHold } from "../groupbuy/settlement";

/**
 * Deferred charging and settlement run here. Each message is acked or retried on its own so one failure never
 * replays the rest of the batch; handlers must be idempotent because delivery is at-least-once.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env, _ctx: ExecutionContext): Promise<void> {
  for (const message of batch.messages) {
    const parsed = jobMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ level: "error", queue: batch.queue, id: message.id, error: "malformed job" }));
      message.ack(); // a malformed body will never succeed; retrying only delays the rest
      continue;
    }
    try {
      await runJob(parsed.data, env);
      message.ack();
    } catch (e) {
      const delaySeconds = Math.min(2 ** message.attempts * 5, 3600);
      console.error(
        JSON.stringify({
          level: "warn",
          queue: batch.queue,
          id: message.id,
          attempts: message.attempts,
          error: String(e),
        }),
      );
      message.retry({ delaySeconds });
    }
  }
}

async function runJob(job: JobMessage, env: Env): Promise<void> {
  switch (job.type) {
    case "ping":
      return;
    case "groupbuy.settleHold":
      return settleHold(env, job, Date.now());
    case "groupbuy.complete":
      return completeSettlement(env, job.groupBuyId, Date.now());
  }
}
