import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "../../worker/db/schema";
import type { GroupBuyRoom } from "../../worker/durable/GroupBuyRoom";
import { failureKind, OPERATOR_AFTER } from "../../worker/durable/roomRetries";
import { FLUSH_RETRY_MS } from "../../worker/groupbuy/config";
import worker from "../../worker/index";
import { newAdmin } from "./community-helpers";
import { insertUser } from "./fixtures";
import { db, gbRow, holdRows, key, newResident, openBuy, room, until } from "./groupbuy-helpers";

type Stub = ReturnType<typeof room>;

const alarmOf = (stub: Stub) => runInDurableObject(stub, (_r, state) => state.storage.getAlarm());

const deadLettersOf = (groupBuyId: string) =>
  env.DB.prepare(
    "SELECT queue, job_type, attempts, reason, replayed_at, replayed_by, body FROM dead_letters WHERE message_id LIKE ?",
  )
    .bind(`room:${groupBuyId}:%`)
    .all<{
      queue: string;
      job_type: string;
      attempts: number;
      reason: string;
      replayed_at: number | null;
      replayed_by: string | null;
      body: string;
    }>()
    .then((r) => r.results);

describe("a room step that keeps failing", { timeout: 30_000 }, () => {
  it("backs off, is marked for operators after a few permanent failures, and heals once the cause is gone", async () => {
    const { region, gb } = await openBuy({ totalShares: 8, minShares: 2, maxPerPerson: 2 });
    const stub = room(gb.id);
    const a = await newResident(region, 30_000);
    await a.api.groupBuys.join.mutate({ id: gb.id, shares: 2, idempotencyKey: key() });
    await until("the first join mirrored", async () => (await holdRows(gb.id)).length === 1);

    // The cause: a confirmed share of a buyer whose D1 user row is gone. Every mirror batch now carries that hold
    // row first and fails on its foreign key, a refusal D1 will repeat until someone puts the row back.
    const ghost = await insertUser(db());
    const ghostRow = (await db().select().from(users).where(eq(users.id, ghost.id)).get())!;
    await db().delete(users).where(eq(users.id, ghost.id));
    const now = Date.now();
    await runInDurableObject(stub, (r: GroupBuyRoom) =>
      r.debugExec(
        `INSERT INTO reservations (id, user_id, idem_key, shares, amount, state, created_at, expires_at, paid, rev)
        VALUES ('ghost-hold', ?, 'ghost', 2, 10000, 'confirmed', ?, ?, 10000, 2)`,
        ghost.id,
        now,
        now,
      ),
    );

    const waits: number[] = [];
    for (let i = 0; i < OPERATOR_AFTER.permanent; i++) {
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      waits.push(((await alarmOf(stub)) ?? 0) - Date.now());
    }
    // 10 s, 20 s, 40 s (before: the next try 10 s after each failure, forever)
    expect(waits[0]).toBeLessThanOrEqual(FLUSH_RETRY_MS);
    expect(waits[1]).toBeGreaterThan(1.5 * FLUSH_RETRY_MS);
    expect(waits[2]).toBeGreaterThan(3.5 * FLUSH_RETRY_MS);
    const [flagged] = await deadLettersOf(gb.id);
    expect(flagged).toMatchObject({
      queue: "room",
      job_type: "groupbuy.reconcileRoom",
      attempts: 3,
      replayed_at: null,
    });
    expect(flagged.reason).toContain(`group buy ${gb.id}, step flush (permanent)`);
    expect(flagged.reason).toContain("FOREIGN KEY");
    expect(JSON.parse(flagged.body)).toEqual({ type: "groupbuy.reconcileRoom", groupBuyId: gb.id });
    const { client } = await newAdmin();
    const listed = (await client.admin.dlq.list.query({ limit: 100 })).items.find((d) => d.reason === flagged.reason);
    expect(listed).toMatchObject({ jobType: "groupbuy.reconcileRoom", attempts: 3 }); // in the console's list

    // Joins go on meanwhile (the room is the authority); their rows wait behind the failing one, in order.
    const b = await newResident(region, 30_000);
    const joined = await b.api.groupBuys.join.mutate({ id: gb.id, shares: 2, idempotencyKey: key() });
    expect(joined.shares).toBe(2);
    expect((await holdRows(gb.id)).map((h) => h.userId)).toEqual([a.id]);

    await db().insert(users).values(ghostRow); // the cause is gone
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const mirrored = await holdRows(gb.id);
    expect(mirrored.map((h) => h.userId).sort()).toEqual([a.id, b.id, ghost.id].sort());
    const [resolved] = await deadLettersOf(gb.id);
    expect(resolved.replayed_at).toBeGreaterThan(0);
    expect(resolved.replayed_by).toBeNull(); // resolved by the room, not an admin
    const after = await runInDurableObject(stub, async (_r, state) => ({
      failures: state.storage.sql.exec("SELECT count(*) AS n FROM step_failures").one().n,
      alarm: await state.storage.getAlarm(),
    }));
    expect(after.failures).toBe(0);
    expect(after.alarm).toBe(gb.deadline); // no retry pending: only the deadline
  });
});

describe("room retries", () => {
  it("tell a refusal D1 will repeat from a failure that may pass", () => {
    const fk = new Error("Failed query: insert …", {
      cause: new Error("D1_ERROR: FOREIGN KEY constraint failed: SQLITE_CONSTRAINT"),
    });
    expect(failureKind(fk)).toBe("permanent");
    expect(failureKind(new Error("D1_ERROR: no such table: group_buy_holds: SQLITE_ERROR"))).toBe("permanent");
    expect(failureKind(new Error("D1_ERROR: Network connection lost."))).toBe("transient");
    expect(failureKind(new Error("D1 DB storage operation exceeded timeout which caused object to be reset."))).toBe(
      "transient",
    );
  });

  it("a groupbuy.reconcileRoom job (an operator's replay) runs the room's alarm work now", async () => {
    const { gb } = await openBuy();
    await runInDurableObject(room(gb.id), (r: GroupBuyRoom) => r.debugExec("UPDATE meta SET deadline = 0"));
    const batch = createMessageBatch("gonggu-jobs", [
      {
        id: "reconcile-1",
        timestamp: new Date(),
        attempts: 1,
        body: { type: "groupbuy.reconcileRoom", groupBuyId: gb.id },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["reconcile-1"]);
    expect((await gbRow(gb.id))?.status).toBe("FAILED"); // the deadline passed with no shares taken
  });
});
