import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { REPORT_REASONS } from "../../shared/schemas/board";
import { type Db, runBatch } from "../db/client";
import { auditLog, chatReports, groupBuyMembers, groupBuys, type users, users as usersTable } from "../db/schema";
import { loadGroupBuy, roomStub } from "../groupbuy/service";
import { errorForLog, fail, failWith } from "../lib/errors";
import { newId } from "../lib/ids";
import { requireUnderRateLimits } from "../lib/rateLimit";
import { enqueue } from "../queue/send";
import { REPORT_REFUSAL, REPORT_RULE } from "./config";
import { upheldReport } from "./moderation";
import { notify } from "./notifications";
import { roomAccess } from "./roomAccess";

type UserRow = typeof users.$inferSelect;

/** The buy and the caller's access to its room, or FORBIDDEN with the reason (same rule as the socket). */
export async function requireRoomAccess(db: Db, user: UserRow, groupBuyId: string, now: number) {
  const gb = await loadGroupBuy(db, groupBuyId);
  const decided = await roomAccess(db, user, gb, now);
  if (!decided.ok) failWith("FORBIDDEN", decided.message, decided.details);
  return { gb, access: decided.access };
}

/**
 * A page of the person's own buys (joined, or sold by them) with each room's unread chat count: one room call per
 * buy, in parallel (read markers live in the rooms). Only for lists of the person's own buys, so no access check.
 */
export async function withUnread<P extends { items: { id: string }[] }>(
  env: Env,
  userId: string,
  list: P,
): Promise<Omit<P, "items"> & { items: (P["items"][number] & { unread: number })[] }> {
  const counts = await Promise.all(list.items.map((gb) => roomStub(env, gb.id).chatUnread(userId)));
  return { ...list, items: list.items.map((gb, i) => ({ ...gb, unread: counts[i] })) };
}

export async function reportChatMessage(
  db: Db,
  env: Env,
  reporter: UserRow,
  args: { id: string; messageId: number; reason: (typeof REPORT_REASONS)[number]; note?: string },
  now: number,
) {
  await requireRoomAccess(db, reporter, args.id, now);
  const message = await roomStub(env, args.id).chatMessage(args.messageId);
  if (message?.kind !== "user" || message.deleted || !message.userId) {
    fail("NOT_FOUND", "No such message in this room (or it was already deleted).");
  }
  if (message.userId === reporter.id) fail("BAD_REQUEST", "You can't report your own message.");
  const limitKey = `report:${reporter.id}`;
  // the board's report limit: one count of reports per person, of posts, comments and chat messages alike
  await requireUnderRateLimits(db, [{ key: limitKey, rule: REPORT_RULE }], now, REPORT_REFUSAL);
  const [inserted] = await runBatch(db, [
    db
      .insert(chatReports)
      .values({
        id: newId(now),
        groupBuyId: args.id,
        messageId: args.messageId,
        authorId: message.userId,
        text: message.text ?? "",
        reporterId: reporter.id,
        reason: args.reason,
        note: args.note ?? null,
        createdAt: now,
      })
      .onConflictDoNothing()
      .returning({ id: chatReports.id }),
  ]);
  return { reported: true as const, alreadyReported: (inserted as unknown[]).length === 0 };
}

/** Reported chat messages with open reports, most reported first. */
export async function chatReportQueue(db: Db, limit: number) {
  return db
    .select({
      groupBuyId: chatReports.groupBuyId,
      messageId: chatReports.messageId,
      authorId: chatReports.authorId,
      text: sql<string>`max(${chatReports.text})`,
      reports: sql<number>`count(*)`,
      reasons: sql<string>`group_concat(DISTINCT ${chatReports.reason})`,
      firstReportedAt: sql<number>`min(${chatReports.createdAt})`,
    })
    .from(chatReports)
    .where(isNull(chatReports.resolvedAt))
    .groupBy(chatReports.groupBuyId, chatReports.messageId, chatReports.authorId)
    .orderBy(desc(sql`count(*)`), sql`min(${chatReports.createdAt})`)
    .limit(limit)
    .all();
}

/**
 * An admin's decision on a chat message: "deleted" removes it from the room (everyone sees "deleted by admin"),
 * "kept" dismisses the reports. Either way open reports are resolved and the decision is logged with who and why;
 * the author is told when their message was deleted.
 */
export async function decideChatMessage(
  db: Db,
  env: Env,
  admin: { id: string },
  args: { groupBuyId: string; messageId: number; reason: string },
  decision: "deleted" | "kept",
  now: number,
) {
  await loadGroupBuy(db, args.groupBuyId);
  const stub = roomStub(env, args.groupBuyId);
  const message =
    decision === "deleted"
      ? await stub.deleteChatMessage(args.messageId, admin.id)
      : await stub.chatMessage(args.messageId);
  if (message?.kind !== "user" || !message.userId) {
    fail("NOT_FOUND", "No such person's message in this room, or it was already deleted.");
  }
  const target = `${args.groupBuyId}:${args.messageId}`;
  const notices =
    decision === "deleted"
      ? [
          notify(db, {
            userId: message.userId,
            now,
            kind: "moderation.outcome",
            params: { targetType: "chat_message", targetId: args.groupBuyId, outcome: "removed", reason: args.reason },
            dedupeKey: `moderation:chat:${target}`,
          }),
        ]
      : [];
  await runBatch(db, [
    db
      .update(chatReports)
      .set({ resolvedAt: now })
      .where(
        and(
          eq(chatReports.groupBuyId, args.groupBuyId),
          eq(chatReports.messageId, args.messageId),
          isNull(chatReports.resolvedAt),
        ),
      ),
    db.insert(auditLog).values({
      id: newId(now),
      actorId: admin.id,
      action: decision === "deleted" ? "chat.delete" : "chat.keep",
      targetId: target,
      detail: { authorId: message.userId, text: message.text, reason: args.reason },
      createdAt: now,
    }),
    ...notices,
    ...(decision === "deleted" ? [upheldReport(db, message.userId, `chat:${target}`, now)] : []),
  ]);
  return { groupBuyId: args.groupBuyId, messageId: args.messageId, decision, notices };
}

/**
 * Rooms one kickFromRooms call asks (a Durable Object call each, a subrequest of its invocation): the request's
 * background work asks the newest KICK_ROOMS_MAX, each `rooms.kick` job the next KICK_JOB_PAGE (it runs on the queue
 * consumer's reservation of 50 subrequests a job, worker/queue/consumer.ts). A user in 2,000 rooms got the newest
 * 200 closed and no more; every room is now asked, a page per invocation.
 */
export const KICK_ROOMS_MAX = 200;
export const KICK_JOB_PAGE = 40;

/**
 * Closes a (just suspended) user's sockets in every room they could be in: buys they joined, host or sell — finished
 * ones too, whose members, host and seller still open the room and post in it — and OPEN buys of their home region
 * (read access), newest first, a page per invocation (`before`: the job of the next page). Best effort: the gateway
 * refuses them from now on. With `session` (its token's SHA-256: a logout), only the sockets that session opened,
 * whose tickets it no longer gets.
 */
export async function kickFromRooms(env: Env, db: Db, userId: string, session?: string, before?: string) {
  const page = before === undefined ? KICK_ROOMS_MAX : KICK_JOB_PAGE;
  try {
    const user = await db
      .select({ id: usersTable.id, homeRegionId: usersTable.homeRegionId, suspendedUntil: usersTable.suspendedUntil })
      .from(usersTable)
      .where(eq(usersTable.id, userId))
      .get();
    if (!user) return 0;
    // each source by its own index; the union is as long as the user's rooms, never the whole table
    const b = groupBuys;
    const found = await db.all<{ id: string }>(sql`SELECT id FROM (
        SELECT ${groupBuyMembers.groupBuyId} AS id FROM ${groupBuyMembers}
          WHERE ${groupBuyMembers.userId} = ${user.id} AND ${groupBuyMembers.status} = 'joined'
        UNION SELECT ${b.id} FROM ${b} WHERE ${b.sellerId} = ${user.id}
        UNION SELECT ${b.id} FROM ${b} WHERE ${b.hostId} = ${user.id}
        UNION SELECT ${b.id} FROM ${b} WHERE ${b.regionId} = ${user.homeRegionId} AND ${b.status} = 'OPEN'
      ) WHERE ${before === undefined ? sql`1` : sql`id < ${before}`} ORDER BY id DESC LIMIT ${page + 1}`);
    const rooms = found.slice(0, page).map((r) => r.id);
    if (found.length > page) {
      const next = { type: "rooms.kick" as const, userId: user.id, before: rooms[rooms.length - 1] };
      await enqueue(env, session ? { ...next, session } : next);
    }
    await Promise.allSettled(
      rooms.map((id) =>
        session
          ? roomStub(env, id).endSession(user.id, session, "You logged out.")
          : roomStub(env, id).kickUser(user.id, "Your account is suspended.", user.suspendedUntil ?? 0),
      ),
    );
    return rooms.length;
  } catch (e) {
    console.warn(JSON.stringify({ level: "warn", what: "rooms.kick", userId, error: errorForLog(e) }));
    return 0;
  }
}
