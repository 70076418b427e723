import { and, desc, eq, isNull, lt } from "drizzle-orm";
import { type JobMessage, jobMessageSchema } from "../../shared/schemas/jobs";
import { type Db, getDb } from "../db/client";
import { auditLog, deadLetters } from "../db/schema";
import { errorForLog, fail } from "../lib/errors";
import { newId } from "../lib/ids";
import { enqueue } from "./send";

export const DEAD_LETTER_QUEUE = "gonggu-jobs-dlq";

/** DLQ consumer: each dead message becomes one dead_letters row (once per message id), then is acked. */
export async function recordDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = getDb(env);
  for (const message of batch.messages) {
    try {
      const body = message.body ?? null;
      const parsed = jobMessageSchema.safeParse(body);
      await db
        .insert(deadLetters)
        .values({
          id: newId(),
          messageId: message.id,
          queue: batch.queue,
          // a body that is not a job is kept only as a marker: we never store what we cannot vouch for
          body: parsed.success ? parsed.data : { malformed: true },
          jobType: parsed.success ? parsed.data.type : null,
          attempts: message.attempts,
          createdAt: Date.now(),
        })
        .onConflictDoNothing({ target: deadLetters.messageId });
      console.error(JSON.stringify({ level: "error", dlq: batch.queue, id: message.id, type: parsed.data?.type }));
      message.ack();
    } catch (e) {
      console.error(JSON.stringify({ level: "error", dlq: batch.queue, id: message.id, error: errorForLog(e) }));
      message.retry({ delaySeconds: 30 });
    }
  }
}

/** The dead-letter row of one room step's run of failures (one per buy, step and first failure). */
const roomStepKey = (groupBuyId: string, step: string, firstAt: number) => `room:${groupBuyId}:${step}:${firstAt}`;

/**
 * Marks a room step that keeps failing for operators: an open dead letter (queue "room") whose replay pokes the room
 * (groupbuy.reconcileRoom), with the failures so far and the last error. Called again on every later failure: the
 * count and error move on, and a replayed one that failed again is open again.
 */
export async function flagRoomStep(
  db: Db,
  f: { groupBuyId: string; step: string; firstAt: number; failures: number; kind: string; error: string },
  now: number,
): Promise<void> {
  const reason = `group buy ${f.groupBuyId}, step ${f.step} (${f.kind}): ${f.error}`.slice(0, 1000);
  await db
    .insert(deadLetters)
    .values({
      id: newId(now),
      messageId: roomStepKey(f.groupBuyId, f.step, f.firstAt),
      queue: "room",
      body: { type: "groupbuy.reconcileRoom", groupBuyId: f.groupBuyId } satisfies JobMessage,
      jobType: "groupbuy.reconcileRoom",
      attempts: f.failures,
      reason,
      createdAt: now,
    })
    .onConflictDoUpdate({
      target: deadLetters.messageId,
      set: { attempts: f.failures, reason, replayedAt: null, replayedBy: null },
    });
}

/** The step succeeded: its dead letter is closed (replayed_at set, replayed_by null: by the room, not an admin). */
export async function resolveRoomStep(db: Db, groupBuyId: string, step: string, firstAt: number, now: number) {
  await db
    .update(deadLetters)
    .set({ replayedAt: now })
    .where(and(eq(deadLetters.messageId, roomStepKey(groupBuyId, step, firstAt)), isNull(deadLetters.replayedAt)));
}

export async function listDeadLetters(
  db: Db,
  args: { includeReplayed: boolean; cursor?: string; limit: number },
): Promise<{ items: (typeof deadLetters.$inferSelect)[]; nextCursor: string | null }> {
  const conditions = [
    args.includeReplayed ? undefined : isNull(deadLetters.replayedAt),
    args.cursor ? lt(deadLetters.id, args.cursor) : undefined,
  ];
  const rows = await db
    .select()
    .from(deadLetters)
    .where(and(...conditions))
    .orderBy(desc(deadLetters.id))
    .limit(args.limit + 1)
    .all();
  const items = rows.slice(0, args.limit);
  return { items, nextCursor: rows.length > args.limit ? items[items.length - 1].id : null };
}

/** Sends the dead job to the main queue again, once: the claim is a conditional update. Jobs are idempotent. */
export async function replayDeadLetter(db: Db, env: Env, id: string, adminId: string, now: number) {
  const row = await db.select().from(deadLetters).where(eq(deadLetters.id, id)).get();
  if (!row) fail("NOT_FOUND", "No dead letter with that id.");
  const parsed = jobMessageSchema.safeParse(row.body);
  if (!parsed.success) fail("PRECONDITION_FAILED", "This dead letter is not a valid job and cannot be replayed.");
  const claimed = await db
    .update(deadLetters)
    .set({ replayedAt: now, replayedBy: adminId })
    .where(and(eq(deadLetters.id, id), isNull(deadLetters.replayedAt)))
    .returning({ id: deadLetters.id })
    .get();
  if (!claimed) fail("CONFLICT", "This dead letter was already replayed.");
  try {
    await enqueue(env, parsed.data);
  } catch (e) {
    await db.update(deadLetters).set({ replayedAt: null, replayedBy: null }).where(eq(deadLetters.id, id));
    throw e;
  }
  await db.insert(auditLog).values({
    id: newId(now),
    actorId: adminId,
    action: "dlq.replay",
    targetId: id,
    detail: { messageId: row.messageId, type: row.jobType },
    createdAt: now,
  });
  return { id, replayedAt: now, job: parsed.data };
}
