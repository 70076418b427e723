import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { rateLimits } from "../db/schema";

export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

export interface RateLimitState {
  limited: boolean;
  retryAfterMs: number;
}

/** Fixed-window counter in D1. Reading is separate from counting so only failures count (login). */
export async function checkRateLimit(db: Db, key: string, rule: RateLimitRule, now: number): Promise<RateLimitState> {
  const row = await db.select().from(rateLimits).where(eq(rateLimits.key, key)).get();
  if (!row || row.windowStart + rule.windowMs <= now) return { limited: false, retryAfterMs: 0 };
  return row.count >= rule.limit
    ? { limited: true, retryAfterMs: row.windowStart + rule.windowMs - now }
    : { limited: false, retryAfterMs: 0 };
}

/** One atomic upsert: starts a new window when the old one has passed, else increments. */
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
    });
}

export function clearRateLimit(db: Db, key: string) {
  return db.delete(rateLimits).where(eq(rateLimits.key, key));
}
