import { and, asc, desc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { REPORT_REASONS } from "../../shared/schemas/board";
import { type Db, runBatch } from "../db/client";
import { auditLog, chatReports, groupBuyMembers, groupBuys, type users, users as usersTable } from "../db/schema";
import { loadGroupBuy, roomStub } from "../groupbuy/service";
import { TERMINAL } from "../groupbuy/stateMachine";
import { errorForLog, fail, failWith } from "../lib/errors";
import { newId } from "../lib/ids";
import { requireUnderRateLimits } from "../lib/rateLimit";
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

/** Bounds the fan-out of one suspension or logout: unfinished buys first, then the most recent finished ones. */
const KICK_ROOMS_MAX = 200;

/**
 * Closes a (just suspended) user's sockets in every room they could be in: buys they joined, host or sell — finished
 * ones too, whose members, host and seller still open the room and post in it — and OPEN buys of their home region
 * (read access). Best effort: the gateway refuses them from now on. With `session` (its token's SHA-256: a logout),
 * only the sockets that session opened, whose tickets it no longer gets.
 */
export async function kickFromRooms(env: Env, db: Db, userId: string, reason: string, session?: string) {
  try {
    const user = await db
      .select({ id: usersTable.id, homeRegionId: usersTable.homeRegionId, suspendedUntil: usersTable.suspendedUntil })
      .from(usersTable)
      .where(eq(usersTable.id, userId))
      .get();
    if (!user) return 0;
    const room = { id: groupBuys.id, finished: inArray(groupBuys.status, [...TERMINAL]), at: groupBuys.createdAt };
    const order = [asc(room.finished), desc(room.at)] as const;
    const [joined, owned] = await Promise.all([
      db
        .select(room)
        .from(groupBuyMembers)
        .innerJoin(groupBuys, eq(groupBuys.id, groupBuyMembers.groupBuyId))
        .where(and(eq(groupBuyMembers.userId, user.id), eq(groupBuyMembers.status, "joined")))
        .orderBy(...order)
        .limit(KICK_ROOMS_MAX)
        .all(),
      db
        .select(room)
        .from(groupBuys)
        .where(
          or(
            eq(groupBuys.sellerId, user.id),
            eq(groupBuys.hostId, user.id),
            user.homeRegionId ? and(eq(groupBuys.regionId, user.homeRegionId), eq(groupBuys.status, "OPEN")) : sql`0`,
          ),
        )
        .orderBy(...order)
        .limit(KICK_ROOMS_MAX)
        .all(),
    ]);
    const ranked = [...joined, ...owned].sort((a, b) => Number(a.finished) - Number(b.finished) || b.at - a.at);
    const rooms = [...new Set(ranked.map((r) => r.id))].slice(0, KICK_ROOMS_MAX);
    await Promise.allSettled(
      rooms.map((id) =>
        session
          ? roomStub(env, id).endSession(user.id, session, reason)
          : roomStub(env, id).kickUser(user.id, reason, user.suspendedUntil ?? 0),
      ),
    );
    return rooms.length;
  } catch (e) {
    console.warn(JSON.stringify({ level: "warn", what: "rooms.kick", userId, error: errorForLog(e) }));
    return 0;
  }
}
