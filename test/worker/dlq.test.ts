import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { getDb } from "../../worker/db/client";
import { deadLetters, users } from "../../worker/db/schema";
import worker from "../../worker/index";
import { DEAD_LETTER_QUEUE } from "../../worker/queue/deadLetters";
import { RetryLater, retryDelaySeconds } from "../../worker/queue/retry";
import { captureQueueSends } from "./card-scan";
import { errorOf, newBuyer } from "./helpers";

const db = () => getDb(env);

async function deliver(queue: string, messages: { id: string; body: unknown; attempts?: number }[]) {
  const batch = createMessageBatch(
    queue,
    messages.map((m) => ({ id: m.id, timestamp: new Date(), attempts: m.attempts ?? 9, body: m.body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

async function admin() {
  const a = await newBuyer("관리자");
  await db().update(users).set({ role: "admin" }).where(eq(users.id, a.user.id));
  return a;
}

describe("dead-letter queue", () => {
  it("records each dead message once (even when the DLQ redelivers it) and acks it", async () => {
    const body = { type: "ping", at: 1 };
    const first = await deliver(DEAD_LETTER_QUEUE, [{ id: "dead-1", body }]);
    expect(first.explicitAcks).toEqual(["dead-1"]);
    await deliver(DEAD_LETTER_QUEUE, [{ id: "dead-1", body }]);
    const rows = await db().select().from(deadLetters).where(eq(deadLetters.messageId, "dead-1")).all();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ jobType: "ping", body, queue: DEAD_LETTER_QUEUE, attempts: 9, replayedAt: null });
  });

  it("logs a failed write's query without the values it carried (the error of every caught failure is logged so)", async () => {
    const logged: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((line: unknown) => void logged.push(String(line)));
    // A real failure of the dead letter's INSERT, for this one message only.
    await env.DB.exec(
      "CREATE TRIGGER refuse_dlq_leak BEFORE INSERT ON dead_letters WHEN NEW.message_id = 'dead-leak' BEGIN SELECT RAISE(ABORT, 'refused by test'); END",
    );
    let result: Awaited<ReturnType<typeof deliver>>;
    try {
      result = await deliver(DEAD_LETTER_QUEUE, [{ id: "dead-leak", body: { type: "ping", at: 918273645 } }]);
    } finally {
      await env.DB.exec("DROP TRIGGER refuse_dlq_leak");
      spy.mockRestore();
    }
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["dead-leak"]);
    const entry = JSON.parse(logged.find((l) => l.includes('"id":"dead-leak"')) ?? "{}");
    // still enough to find the fault: the statement, the database's reason, how many values were left out
    expect(entry.error).toMatch(/Failed query: insert into "dead_letters"/);
    expect(entry.error).toMatch(/values withheld/);
    expect(JSON.stringify(entry)).not.toContain("918273645");
  });

  it("keeps only a marker for a body that is not a job", async () => {
    await deliver(DEAD_LETTER_QUEUE, [{ id: "dead-2", body: { cardNumber: "4111111111111111" } }]);
    const row = await db().select().from(deadLetters).where(eq(deadLetters.messageId, "dead-2")).get();
    expect(row?.body).toEqual({ malformed: true });
  });

  it("admins list and replay a dead letter exactly once; others may not", async () => {
    await deliver(DEAD_LETTER_QUEUE, [{ id: "dead-3", body: { type: "ping", at: 3 } }]);
    const { client } = await admin();
    const list = await client.admin.dlq.list.query({ limit: 50 });
    const item = list.items.find((i) => i.messageId === "dead-3")!;
    expect(item).toBeTruthy();

    const sends = captureQueueSends();
    try {
      const replayed = await client.admin.dlq.replay.mutate({ id: item.id });
      expect(replayed.job).toEqual({ type: "ping", at: 3 });
      expect(sends.bodies).toEqual([{ type: "ping", at: 3 }]);
      expect((await errorOf(client.admin.dlq.replay.mutate({ id: item.id }))).code).toBe("CONFLICT");
      expect(sends.bodies).toHaveLength(1);
    } finally {
      sends.restore();
    }
    const open = await client.admin.dlq.list.query({ limit: 50 });
    expect(open.items.some((i) => i.id === item.id)).toBe(false);
    const all = await client.admin.dlq.list.query({ limit: 50, includeReplayed: true });
    expect(all.items.find((i) => i.id === item.id)?.replayedAt).toBeTypeOf("number");

    const buyer = await newBuyer();
    expect((await errorOf(buyer.client.admin.dlq.list.query({ limit: 5 }))).code).toBe("FORBIDDEN");
  });

  it("the main queue acks a malformed body (it can never succeed) next to a good one", async () => {
    const result = await deliver("gonggu-jobs", [
      { id: "m-1", body: { type: "nope" }, attempts: 1 },
      { id: "m-2", body: { type: "ping", at: 1 }, attempts: 1 },
    ]);
    expect(result.explicitAcks.sort()).toEqual(["m-1", "m-2"]);
  });

  it("backs off exponentially, capped, and never below the job's own hint", () => {
    const e = {};
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, e, {}))).toEqual([5, 10, 20, 40]);
    expect(retryDelaySeconds(30, e, {})).toBe(600);
    expect(retryDelaySeconds(1, new RetryLater("busy", 60_000), {})).toBe(60);
    expect(retryDelaySeconds(3, e, { QUEUE_RETRY_BASE_S: "1", QUEUE_RETRY_MAX_S: "3" })).toBe(3);
    // a rate limit paces (the hint plus jitter), however many attempts came before
    expect(retryDelaySeconds(7, new RetryLater("429", 1000, true), {})).toBeLessThanOrEqual(2);
  });
});
