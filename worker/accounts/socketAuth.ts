import { and, eq, gt, isNull, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { socketTickets, users } from "../db/schema";
import { randomToken, sha256Hex } from "../lib/ids";
import { type RateLimitRule, requireUnderRateLimits } from "../lib/rateLimit";
import { readAuth } from "../trpc/context";
import { resolveSession, sessionByHashQuery } from "./sessions";

export const SOCKET_TICKET_TTL_MS = 60_000;
export const SOCKET_TICKET_RULE: RateLimitRule = { limit: 30, windowMs: 60_000 };

/**
 * Counts one ticket of the caller's (room and notification tickets share the count) in one atomic step before it is
 * issued, so tickets asked for at once cannot all pass; over the limit: TOO_MANY_REQUESTS with when to come back.
 */
export function requireTicketAllowance(db: Db, userId: string, now: number): Promise<void> {
  return requireUnderRateLimits(db, [{ key: `ticket:${userId}`, rule: SOCKET_TICKET_RULE }], now, {
    reason: "ticket_limit",
    what: "Too many connection tickets.",
  });
}

export type SocketScope = "notifications" | `room:${string}`;

/**
 * A single-use ticket that opens one socket of `scope` within a minute (for clients that can't send a cookie), bound
 * to the session that asked for it (`sessionToken`): the socket belongs to that session and ends with it.
 */
export async function issueSocketTicket(db: Db, userId: string, sessionToken: string, scope: SocketScope, now: number) {
  const ticket = randomToken(24);
  const expiresAt = now + SOCKET_TICKET_TTL_MS;
  const [tokenHash, sessionHash] = await Promise.all([sha256Hex(ticket), sha256Hex(sessionToken)]);
  await db.insert(socketTickets).values({ tokenHash, userId, scope, expiresAt, sessionHash });
  return { ticket, expiresAt };
}

/**
 * The session a socket was opened with (SHA-256 of its token, as in `sessions`, and its expiry): kept on the socket so
 * that logout ends exactly that session's sockets and an expired session is pushed nothing. Null only for a ticket
 * issued before tickets recorded their session (deploy window): such a socket ends only with all of the user's.
 */
export type SocketSession = { hash: string; expiresAt: number } | null;

/**
 * Consumes a ticket atomically: a replayed, expired or wrong-scope ticket, or one whose session has ended since, yields
 * null.
 */
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
    .returning({ userId: socketTickets.userId, sessionHash: socketTickets.sessionHash })
    .get();
  if (!row) return null;
  if (row.sessionHash) {
    const [live] = await sessionByHashQuery(db, row.sessionHash, now);
    if (!live || live.user.id !== row.userId) return null;
    return { user: live.user, session: { hash: live.tokenHash, expiresAt: live.expiresAt } };
  }
  const user = await db.select().from(users).where(eq(users.id, row.userId)).get();
  return user ? { user, session: null } : null;
}

export type UpgradeAuth =
  | { ok: true; user: typeof users.$inferSelect; session: SocketSession }
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
    const redeemed = await redeemTicket(db, ticket, scope, now);
    return redeemed
      ? { ok: true, ...redeemed }
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
    ? { ok: true, user: session.user, session: { hash: session.tokenHash, expiresAt: session.expiresAt } }
    : { ok: false, status: 401, code: "UNAUTHORIZED", message: "Your session has expired. Log in again." };
}

export function deleteExpiredTickets(db: Db, now: number) {
  return db.delete(socketTickets).where(lt(socketTickets.expiresAt, now - 3_600_000));
}
