import { and, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { sessions, users } from "../db/schema";
import { randomToken, sha256Hex } from "../lib/ids";

export const SESSION_COOKIE = "gonggu_session";
const DAY_MS = 86_400_000;

export type SessionKind = "cookie" | "bearer";

export async function createSession(db: Db, userId: string, kind: SessionKind, ttlDays: number, now: number) {
  const token = randomToken(32);
  const expiresAt = now + ttlDays * DAY_MS;
  await db.insert(sessions).values({ tokenHash: await sha256Hex(token), userId, kind, createdAt: now, expiresAt });
  return { token, expiresAt };
}

/** The user behind a live (unexpired, unrevoked) session token, or null. */
export async function resolveSession(db: Db, token: string, now: number) {
  if (token.length < 20 || token.length > 100) return null;
  const row = await db
    .select({ user: users, expiresAt: sessions.expiresAt, tokenHash: sessions.tokenHash })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, await sha256Hex(token)), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .get();
  return row ?? null;
}

export async function revokeSession(db: Db, token: string, now: number) {
  await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.tokenHash, await sha256Hex(token)), isNull(sessions.revokedAt)));
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
