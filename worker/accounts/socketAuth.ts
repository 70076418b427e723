import { and, eq, gt, isNull, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { socketTickets, users } from "../db/schema";
import { randomToken, sha256Hex } from "../lib/ids";
import type { RateLimitRule } from "../lib/rateLimit";
import { readAuth } from "../trpc/context";
import { resolveSession } from "./sessions";

export const SOCKET_TICKET_TTL_MS = 60_000;
export const SOCKET_TICKET_RULE: RateLimitRule = { limit: 30, windowMs: 60_000 };

export type SocketScope = "notifications" | `room:${string}`;

/** A single-use ticket that opens one socket of `scope` within a minute (for clients that can't send a cookie). */
export async function issueSocketTicket(db: Db, userId: string, scope: SocketScope, now: number) {
  const ticket = randomToken(24);
  const expiresAt = now + SOCKET_TICKET_TTL_MS;
  await db.insert(socketTickets).values({ tokenHash: await sha256Hex(ticket), userId, scope, expiresAt });
  return { ticket, expiresAt };
}

/** Consumes a ticket atomically: a replayed, expired or wrong-scope ticket yields null. */
async function redeemTicket(db: Db, ticket: string, scope: SocketScope, now: number) {
  if (ticket.length < 20 || ticket.length > 64) return null;
  const row = await db
    .update(socketTickets)
    .set({ usedAt: now })
    .where(
      and(
        eq(socketTickets.tokenHash, await sha256Hex(ticket)),
        eq(socketTickets.scope, scope),
        isNull(socketTickets.usedAt),
        gt(socketTickets.expiresAt, now),
      ),
    )
    .returning({ userId: socketTickets.userId })
    .get();
  if (!row) return null;
  return (await db.select().from(users).where(eq(users.id, row.userId)).get()) ?? null;
}

export type UpgradeAuth =
  | { ok: true; user: typeof users.$inferSelect }
  | { ok: false; status: 401 | 403; code: string; message: string };

/**
 * Who is opening this WebSocket: a `?ticket=`, a bearer header, or the session cookie. A cookie rides along on
 * cross-site requests too, so a cookie-authenticated upgrade must come from our own origin (cross-site WebSocket
 * hijacking); the CSRF middleware does not cover it because upgrades are GETs.
 */
export async function authenticateUpgrade(
  db: Db,
  req: Request,
  scope: SocketScope,
  allowedOrigins: string[],
  now: number,
): Promise<UpgradeAuth> {
  const ticket = new URL(req.url).searchParams.get("ticket");
  if (ticket) {
    const user = await redeemTicket(db, ticket, scope, now);
    return user
      ? { ok: true, user }
      : { ok: false, status: 401, code: "UNAUTHORIZED", message: "This ticket is invalid, used or expired." };
  }
  const auth = readAuth(req);
  if (!auth) return { ok: false, status: 401, code: "UNAUTHORIZED", message: "Log in to open this connection." };
  if (auth.kind === "cookie") {
    const origin = req.headers.get("origin");
    if (!origin || !allowedOrigins.includes(origin)) {
      return { ok: false, status: 403, code: "FORBIDDEN", message: "Cross-site connection refused." };
    }
  }
  const session = await resolveSession(db, auth.token, now);
  return session
    ? { ok: true, user: session.user }
    : { ok: false, status: 401, code: "UNAUTHORIZED", message: "Your session has expired. Log in again." };
}

export function deleteExpiredTickets(db: Db, now: number) {
  return db.delete(socketTickets).where(lt(socketTickets.expiresAt, now - 3_600_000));
}
