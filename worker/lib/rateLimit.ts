import { eq, sql } from "drizzle-orm";
import { type Db, runBatch } from "../db/client";
import { rateLimits } from "../db/schema";
import { failRateLimited, waitInWords } from "./errors";

export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

export interface RateLimitState {
  limited: boolean;
  retryAfterMs: number;
}

type Counter = { count: number; windowStart: number };

function stateOf(row: Counter | undefined, rule: RateLimitRule, now: number): RateLimitState {
  if (!row || row.windowStart + rule.windowMs <= now || row.count <= rule.limit) {
    return { limited: false, retryAfterMs: 0 };
  }
  return { limited: true, retryAfterMs: row.windowStart + rule.windowMs - now };
}

/**
 * One atomic upsert that counts a hit and returns the counter: starts a new window when the old one has passed,
 * else increments. Batchable; see `takeEachRateLimit`.
 */
export function countRateLimitHit(db: Db, key: string, rule: RateLimitRule, now: number) {
  return db
    .insert(rateLimits)
    .values({ key, count: 1, windowStart: now })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`CASE WHEN ${rateLimits.windowStart} + ${rule.windowMs} <= ${now} THEN 1 ELSE ${rateLimits.count} + 1 END`,
        windowStart: sql`CASE WHEN ${rateLimits.windowStart} + ${rule.windowMs} <= ${now} THEN ${now} ELSE ${rateLimits.windowStart} END`,
      },
    })
    .returning({ count: rateLimits.count, windowStart: rateLimits.windowStart });
}

/**
 * Counts one hit on every key, each under its own rule (e.g. an hourly and a daily limit on the same thing), in one
 * atomic batch and says whether any key is now over its limit. Counting before the guarded work (not after it) is
 * what stops parallel requests from all passing a read-only check.
 */
export async function takeEachRateLimit(
  db: Db,
  hits: { key: string; rule: RateLimitRule }[],
  now: number,
): Promise<RateLimitState> {
  const results = (await runBatch(
    db,
    hits.map(({ key, rule }) => countRateLimitHit(db, key, rule, now)),
  )) as Counter[][];
  const states = results.map((rows, i) => stateOf(rows[0], hits[i].rule, now));
  const limited = states.filter((s) => s.limited);
  if (limited.length === 0) return { limited: false, retryAfterMs: 0 };
  return { limited: true, retryAfterMs: Math.max(...limited.map((s) => s.retryAfterMs)) };
}

/**
 * Counts one hit on every key (takeEachRateLimit) and refuses when any is over its limit: TOO_MANY_REQUESTS with
 * `Retry-After`, the English message `what` + when to retry, and details `{ reason, retryAt }` (the instant it opens
 * again) for clients that word it themselves.
 */
export async function requireUnderRateLimits(
  db: Db,
  hits: { key: string; rule: RateLimitRule }[],
  now: number,
  refusal: { reason: string; what: string },
): Promise<void> {
  const state = await takeEachRateLimit(db, hits, now);
  if (!state.limited) return;
  failRateLimited(`${refusal.what} Try again in ${waitInWords(state.retryAfterMs)}.`, state.retryAfterMs, {
    reason: refusal.reason,
    retryAt: now + state.retryAfterMs,
  });
}

/** Gives one hit back (a guarded action that turned out fine should not count against a shared key such as an IP). */
export function refundRateLimitHit(db: Db, key: string) {
  return db
    .update(rateLimits)
    .set({ count: sql`MAX(${rateLimits.count} - 1, 0)` })
    .where(eq(rateLimits.key, key));
}

export function clearRateLimit(db: Db, key: string) {
  return db.delete(rateLimits).where(eq(rateLimits.key, key));
}
