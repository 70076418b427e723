import { and, eq, gt, isNull, type Placeholder, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { sessions, users } from "../db/schema";
import { sha256Hex } from "../lib/ids";
import { cachedSession, cacheSession, forgetCachedSession } from "./sessionCache";
import { MAX_TOKEN_LENGTH, signedSessionToken } from "./sessionToken";

/**
 * `__Host-`: the browser takes it only with Secure, Path=/ and no Domain, from the host itself, so a sibling subdomain
 * cannot plant a session of its choosing (session fixation) or read it. Chromium takes Secure cookies from
 * http://localhost too (checked, Chromium 1.65's), so development uses the same name. The old name
 * `gonggu_session` is not read: anyone on a sibling subdomain could set that one, and those sessions just log in again.
 */
export const SESSION_COOKIE = "__Host-gonggu_session";
const DAY_MS = 86_400_000;

export type SessionKind = "cookie" | "bearer";

/** A new signed token and the sessions row that makes it live (for callers that batch the insert). */
export async function newSessionRow(secret: string, userId: string, kind: SessionKind, expiresAt: number, now: number) {
  const token = await signedSessionToken(secret, userId, expiresAt);
  return { token, row: { tokenHash: await sha256Hex(token), userId, kind, createdAt: now, expiresAt } };
}

/** `secret`: PASSWORD_PEPPER, which the token's tag is derived from (sessionToken.ts). */
export async function createSession(
  db: Db,
  secret: string,
  userId: string,
  kind: SessionKind,
  ttlDays: number,
  now: number,
) {
  const expiresAt = now + ttlDays * DAY_MS;
  const { token, row } = await newSessionRow(secret, userId, kind, expiresAt, now);
  await db.insert(sessions).values(row);
  return { token, expiresAt };
}

const liveSession = (tokenHash: string | Placeholder, now: number | Placeholder) =>
  and(eq(sessions.tokenHash, tokenHash), isNull(sessions.revokedAt), gt(sessions.expiresAt, now));

export type Session = { user: typeof users.$inferSelect; expiresAt: number; tokenHash: string };

/** Whether a string could be a token of any format we issue (anything else is refused before hashing). */
const tokenShaped = (token: string) => token.length >= 20 && token.length <= MAX_TOKEN_LENGTH;

/**
 * The live session of a token hash with its user (≤ 1 row), to run alone or in a batch with other reads (placeholders:
 * `prepared`, worker/db/prepared.ts).
 */
export function sessionByHashQuery<Extra extends Record<string, SQL.Aliased | SQL> = Record<never, never>>(
  db: Db,
  tokenHash: string | Placeholder,
  now: number | Placeholder,
  /** More fields read in the same statement, by correlated subqueries on `users` (a join's guards: claimGuardQuery). */
  extra: Extra = {} as Extra,
) {
  return db
    .select({ user: users, expiresAt: sessions.expiresAt, tokenHash: sessions.tokenHash, ...extra })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(liveSession(tokenHash, now))
    .limit(1);
}

async function sessionByHash(db: Db, tokenHash: string, now: number): Promise<Session | null> {
  return (await sessionByHashQuery(db, tokenHash, now))[0] ?? null;
}

/** The user behind a live (unexpired, unrevoked) session token, or null. */
export async function resolveSession(db: Db, token: string, now: number): Promise<Session | null> {
  return tokenShaped(token) ? sessionByHash(db, await sha256Hex(token), now) : null;
}

/**
 * resolveSession through this isolate's short-lived cache (sessionCache.ts states the bound). Only for callers that
 * re-check the session before anything but a refusal: `cached` says whether they must.
 */
export async function resolveSessionCached(
  db: Db,
  token: string,
  now: number,
): Promise<{ session: Session; cached: boolean } | null> {
  if (!tokenShaped(token)) return null;
  const tokenHash = await sha256Hex(token);
  const hit = cachedSession(tokenHash, now);
  if (hit) return { session: hit, cached: true };
  const session = await sessionByHash(db, tokenHash, now);
  if (session) cacheSession(session, now);
  return session ? { session, cached: false } : null;
}

/** The re-check of a cached session, to batch with other reads: one row while it is live, with the suspension. */
export function liveSessionQuery(db: Db, tokenHash: string, now: number) {
  return db
    .select({ userId: users.id, suspendedUntil: users.suspendedUntil })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(liveSession(tokenHash, now))
    .limit(1);
}

/** Returns the token's hash, which names the session's live sockets (sessionSockets.ts). */
export async function revokeSession(db: Db, token: string, now: number): Promise<string> {
  const tokenHash = await sha256Hex(token);
  forgetCachedSession(tokenHash);
  await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.tokenHash, tokenHash), isNull(sessions.revokedAt)));
  return tokenHash;
}

export function sessionCookie(token: string, expiresAt: number): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; Secure; SameSite=Lax; Expires=${new Date(expiresAt).toUTCString()}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0`;
}

export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}
