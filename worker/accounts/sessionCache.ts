import type { Session } from "./sessions";

/**
 * A per-isolate cache of resolved sessions for the hot join path (groupBuys.join): in a storm on one buy the same
 * people retry, and the session read was one D1 round trip of every attempt. Used through resolveSessionCached
 * (sessions.ts).
 *
 * The bound: a cached session is used for at most SESSION_CACHE_MS after it was read from D1. What a cached session
 * decides alone is only ever a refusal (a join answered "sold out" from the closed-buy hint, worker/groupbuy/
 * closedHint.ts); a join that could take shares re-reads the session and the suspension in its guard batch
 * (assertJoinGuards), so logout and suspension stop every money-moving join at once and are at most SESSION_CACHE_MS
 * late for a refusal (a logged-out or suspended caller may be told "sold out" instead of "log in" / "suspended").
 * Every other procedure resolves its session from D1 on every request. In this isolate, revoking a session or
 * suspending a user drops the cached entries at once.
 */
export const SESSION_CACHE_MS = 5_000;
/** Entries kept per isolate; the oldest go first. */
const MAX_ENTRIES = 10_000;

/** Keyed by the token's SHA-256 (never the token itself). */
const cache = new Map<string, { session: Session; until: number }>();

export function cachedSession(tokenHash: string, now: number): Session | null {
  const hit = cache.get(tokenHash);
  if (hit && now < hit.until && now < hit.session.expiresAt) return hit.session;
  if (hit) cache.delete(tokenHash);
  return null;
}

export function cacheSession(session: Session, now: number): void {
  cache.delete(session.tokenHash);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(session.tokenHash, { session, until: now + SESSION_CACHE_MS });
}

export function forgetCachedSession(tokenHash: string): void {
  cache.delete(tokenHash);
}

/** Drops every cached session of `userId` (a suspension). */
export function forgetCachedUser(userId: string): void {
  for (const [hash, entry] of cache) if (entry.session.user.id === userId) cache.delete(hash);
}
