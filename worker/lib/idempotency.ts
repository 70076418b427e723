/**
 * Stripe-style idempotency for every money-moving procedure:
 *
 *     .mutation(({ ctx, input }) =>
 *       withIdempotency(ctx, { scope: "wallet.charge", key: input.idempotencyKey, input }, () => charge(...)))
 *
 *  - first call with a key: runs fn and stores its outcome — the result, or the typed TRPCError it threw;
 *  - same key + same scope and input: returns the stored result / rethrows the stored error, without running fn;
 *  - same key + different scope or input → CONFLICT;
 *  - same key while the first call is still running → CONFLICT "in progress" (retry later);
 *  - an unexpected (500) error is not stored: the key is released so the client can retry. fn must therefore be safe
 *    to run again after a crash — derive ledger transfer ids from the key (e.g. `grant:<userId>:<key>`) and the
 *    ledger dedupes. A worker that dies mid-call leaves the key "in progress"; after STALE_LOCK_MS another call may
 *    take it over and run fn again (same reasoning).
 * Keys are per user and kept ≥ 24 h (the daily cron deletes older ones: cleanupIdempotencyKeys).
 */
import { TRPCError } from "@trpc/server";
import { and, eq, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { idempotencyKeys } from "../db/schema";
import { ErrorDetails, fail, failWith } from "./errors";
import { sha256Hex } from "./ids";

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** An in-progress attempt older than this is presumed dead (Workers requests are far shorter). */
export const STALE_LOCK_MS = 120_000;

type Stored =
  | { ok: true; data: unknown }
  | { ok: false; code: TRPCError["code"]; message: string; details: ErrorDetails["details"] | null };

/** JSON with object keys sorted at every level, so {a,b} and {b,a} hash alike. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

export interface IdempotencyCtx {
  db: Db;
  now: number;
  user: { id: string };
}

function replay<T>(stored: Stored): T {
  if (stored.ok) return stored.data as T;
  throw new TRPCError({
    code: stored.code,
    message: stored.message,
    cause: stored.details ? new ErrorDetails(stored.details) : undefined,
  });
}

function toStored(e: unknown): Stored | null {
  if (!(e instanceof TRPCError) || e.code === "INTERNAL_SERVER_ERROR") return null;
  return {
    ok: false,
    code: e.code,
    message: e.message,
    details: e.cause instanceof ErrorDetails ? e.cause.details : null,
  };
}

export async function withIdempotency<T>(
  ctx: IdempotencyCtx,
  args: { scope: string; key: string; input: unknown },
  fn: () => Promise<T>,
): Promise<T> {
  const { db, now } = ctx;
  const userId = ctx.user.id;
  const requestHash = await sha256Hex(`${args.scope}\n${canonicalJson(args.input)}`);
  const where = and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, args.key));

  const claimed = await db
    .insert(idempotencyKeys)
    .values({
      userId,
      key: args.key,
      requestHash,
      scope: args.scope,
      status: "in_progress",
      createdAt: now,
      lockedAt: now,
    })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key })
    .get();
  if (!claimed) {
    const row = await db.select().from(idempotencyKeys).where(where).get();
    if (!row) fail("CONFLICT", "This idempotency key is being reset; retry in a moment.");
    if (row.requestHash !== requestHash) {
      fail("CONFLICT", "This idempotency key was already used for a different request. Use a new key.");
    }
    if (row.status === "done") return replay<T>(JSON.parse(row.response ?? "null") as Stored);
    const takenOver =
      now - row.lockedAt > STALE_LOCK_MS &&
      (await db
        .update(idempotencyKeys)
        .set({ lockedAt: now })
        .where(and(where, eq(idempotencyKeys.status, "in_progress"), eq(idempotencyKeys.lockedAt, row.lockedAt)))
        .returning({ key: idempotencyKeys.key })
        .get());
    // a reason of its own: the client keeps the key (a new one would do the request a second time)
    if (!takenOver) {
      failWith("CONFLICT", "A request with this idempotency key is still in progress; retry shortly.", {
        reason: "request_in_progress",
      });
    }
  }

  let stored: Stored;
  try {
    stored = { ok: true, data: await fn() };
  } catch (e) {
    const failure = toStored(e);
    if (!failure) {
      // not a decided outcome: free the key so a retry runs again
      await db.delete(idempotencyKeys).where(and(where, eq(idempotencyKeys.status, "in_progress")));
      throw e;
    }
    stored = failure;
  }
  // JSON round trip: the first caller gets exactly what a replay will get
  const response = JSON.stringify(stored);
  await db.update(idempotencyKeys).set({ status: "done", response }).where(where);
  return replay<T>(JSON.parse(response) as Stored);
}

export async function cleanupIdempotencyKeys(db: Db, now: number): Promise<void> {
  await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, now - IDEMPOTENCY_TTL_MS));
}
