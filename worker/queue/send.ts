import { type JobMessage, jobMessageSchema } from "../../shared/schemas/jobs";

/** Queues accept at most 100 messages per sendBatch. */
const SEND_BATCH_MAX = 100;

/**
 * The one way jobs are sent (nothing else calls JOBS.send/sendBatch): each checked against the strict job schema
 * first (a job carries ids, never card data), as JSON (a plain object either way; JSON is what every reader of a
 * queue, the dashboard's included, can show).
 */
export async function enqueue(env: Pick<Env, "JOBS">, job: JobMessage, delaySeconds = 0): Promise<void> {
  await env.JOBS.send(jobMessageSchema.parse(job), { delaySeconds, contentType: "json" });
}

export async function enqueueMany(env: Pick<Env, "JOBS">, jobs: JobMessage[], delaySeconds = 0): Promise<void> {
  for (let i = 0; i < jobs.length; i += SEND_BATCH_MAX) {
    await env.JOBS.sendBatch(
      jobs
        .slice(i, i + SEND_BATCH_MAX)
        .map((job) => ({ body: jobMessageSchema.parse(job), delaySeconds, contentType: "json" as const })),
    );
  }
}
