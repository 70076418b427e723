import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { idempotencyKeys } from "../../worker/db/schema";
import { ErrorDetails } from "../../worker/lib/errors";
import {
  canonicalJson,
  cleanupIdempotencyKeys,
  IDEMPOTENCY_TTL_MS,
  STALE_LOCK_MS,
  withIdempotency,
} from "../../worker/lib/idempotency";
import { newId } from "../../worker/lib/ids";
import { db } from "./wallet-helpers";

const ctx = (now = Date.now(), userId = newId()) => ({ db: db(), now, user: { id: userId } });

async function caught(p: Promise<unknown>): Promise<TRPCError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TRPCError) return e;
    throw e;
  }
  throw new Error("expected a TRPCError");
}

describe("withIdempotency", () => {
  it("replays the first result without running again", async () => {
    const c = ctx();
    let runs = 0;
    const call = () =>
      withIdempotency(c, { scope: "test.op", key: "key-00000001", input: { a: 1, b: [2, 3] } }, async () => {
        runs += 1;
        return { id: `r${runs}`, at: 1 };
      });
    const first = await call();
    expect(first).toEqual({ id: "r1", at: 1 });
    expect(await call()).toEqual(first);
    // key order of the input does not matter
    expect(
      await withIdempotency(c, { scope: "test.op", key: "key-00000001", input: { b: [2, 3], a: 1 } }, async () => 0),
    ).toEqual(first);
    expect(runs).toBe(1);
  });

  it("replays a typed failure, details included", async () => {
    const c = ctx();
    let runs = 0;
    const call = () =>
      withIdempotency(c, { scope: "test.op", key: "key-fail-001", input: { amount: 5 } }, async () => {
        runs += 1;
        throw new TRPCError({
          code: "PRECONDITION_FAILED",
          message: "Not enough points: you need 5 won more.",
          cause: new ErrorDetails({ shortfall: 5 }),
        });
      });
    const a = await caught(call());
    const b = await caught(call());
    expect(runs).toBe(1);
    expect([a.code, a.message]).toEqual(["PRECONDITION_FAILED", "Not enough points: you need 5 won more."]);
    expect([b.code, b.message]).toEqual([a.code, a.message]);
    expect((b.cause as ErrorDetails).details).toEqual({ shortfall: 5 });
  });

  it("same key with different parameters or another procedure → CONFLICT", async () => {
    const c = ctx();
    await withIdempotency(c, { scope: "test.op", key: "key-diff-001", input: { amount: 5 } }, async () => 1);
    const other = await caught(
      withIdempotency(c, { scope: "test.op", key: "key-diff-001", input: { amount: 6 } }, async () => 2),
    );
    expect(other.code).toBe("CONFLICT");
    expect(other.message).toMatch(/different request/);
    const scope = await caught(
      withIdempotency(c, { scope: "test.other", key: "key-diff-001", input: { amount: 5 } }, async () => 2),
    );
    expect(scope.code).toBe("CONFLICT");
  });

  it("keys are per user", async () => {
    const now = Date.now();
    const a = await withIdempotency(ctx(now), { scope: "s", key: "shared-key-1", input: 1 }, async () => "a");
    const b = await withIdempotency(ctx(now), { scope: "s", key: "shared-key-1", input: 1 }, async () => "b");
    expect([a, b]).toEqual(["a", "b"]);
  });

  it("a retry while the first call runs → CONFLICT in progress; afterwards it replays", async () => {
    const c = ctx();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const first = withIdempotency(c, { scope: "s", key: "key-slow-001", input: 1 }, async () => {
      await gate;
      return "done";
    });
    // the retry comes once the first call holds the key (a fixed 20 ms could be before its claim under load)
    await expect
      .poll(
        () =>
          c.db
            .select({ status: idempotencyKeys.status })
            .from(idempotencyKeys)
            .where(and(eq(idempotencyKeys.userId, c.user.id), eq(idempotencyKeys.key, "key-slow-001")))
            .all(),
        { timeout: 10_000, interval: 20 },
      )
      .toEqual([{ status: "in_progress" }]);
    const during = await caught(withIdempotency(c, { scope: "s", key: "key-slow-001", input: 1 }, async () => "x"));
    expect(during.code).toBe("CONFLICT");
    expect(during.message).toMatch(/in progress/);
    // a reason of its own, so a client keeps the key instead of starting the request again under a new one
    expect(during.cause instanceof ErrorDetails && during.cause.details).toEqual({ reason: "request_in_progress" });
    release();
    expect(await first).toBe("done");
    expect(await withIdempotency(c, { scope: "s", key: "key-slow-001", input: 1 }, async () => "x")).toBe("done");
  });

  it("an unexpected error frees the key so the client can retry", async () => {
    const c = ctx();
    await expect(
      withIdempotency(c, { scope: "s", key: "key-boom-001", input: 1 }, async () => {
        throw new Error("database fell over");
      }),
    ).rejects.toThrow("database fell over");
    expect(await withIdempotency(c, { scope: "s", key: "key-boom-001", input: 1 }, async () => "ok")).toBe("ok");
  });

  it("a stale in-progress attempt (dead worker) can be taken over", async () => {
    const userId = newId();
    const start = Date.now();
    await db().insert(idempotencyKeys).values({
      userId,
      key: "key-dead-001",
      requestHash: "will-be-replaced",
      scope: "s",
      status: "in_progress",
      createdAt: start,
      lockedAt: start,
    });
    // same hash is required: write the real one
    const { sha256Hex } = await import("../../worker/lib/ids");
    await db()
      .update(idempotencyKeys)
      .set({ requestHash: await sha256Hex(`s\n${canonicalJson(1)}`) })
      .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, "key-dead-001")));
    const soon = await caught(
      withIdempotency(ctx(start + 1_000, userId), { scope: "s", key: "key-dead-001", input: 1 }, async () => "x"),
    );
    expect(soon.code).toBe("CONFLICT");
    const later = await withIdempotency(
      ctx(start + STALE_LOCK_MS + 1, userId),
      { scope: "s", key: "key-dead-001", input: 1 },
      async () => "resumed",
    );
    expect(later).toBe("resumed");
  });

  it("keys are kept 24 h, then cleaned up", async () => {
    const userId = newId();
    const t0 = Date.now();
    await withIdempotency(ctx(t0, userId), { scope: "s", key: "key-old-0001", input: 1 }, async () => "v1");
    await cleanupIdempotencyKeys(db(), t0 + IDEMPOTENCY_TTL_MS - 1);
    expect(
      await withIdempotency(ctx(t0 + 1, userId), { scope: "s", key: "key-old-0001", input: 1 }, async () => "v2"),
    ).toBe("v1");
    await cleanupIdempotencyKeys(db(), t0 + IDEMPOTENCY_TTL_MS + 1);
    expect(
      await withIdempotency(ctx(t0 + 2, userId), { scope: "s", key: "key-old-0001", input: 1 }, async () => "v3"),
    ).toBe("v3");
  });
});
