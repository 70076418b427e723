import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";

/** A user's inbox. The D1 row is the truth; the live channel only hints that a new row exists. */
export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    kind: text("kind").notNull(),
    params: text("params", { mode: "json" }).notNull().$type<Record<string, unknown>>(),
    // Makes notify() idempotent under retried jobs: one row per (user, key). Null = no dedupe.
    dedupeKey: text("dedupe_key"),
    readAt: integer("read_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    index("notifications_user_idx").on(t.userId, t.id),
    index("notifications_unread_idx").on(t.userId).where(sql`read_at IS NULL`),
    // retention sweep (pruneNotifications)
    index("notifications_read_idx").on(t.readAt).where(sql`read_at IS NOT NULL`),
    uniqueIndex("notifications_dedupe_unique").on(t.userId, t.dedupeKey),
  ],
);

/**
 * Short-lived single-use tickets for WebSocket upgrades from clients that cannot send a cookie or an Authorization
 * header (browsers' WebSocket API, SDKs). Only the SHA-256 of the ticket is stored.
 */
export const socketTickets = sqliteTable(
  "socket_tickets",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    // "notifications" or "room:<groupBuyId>": a ticket opens exactly one kind of socket.
    scope: text("scope").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    // SHA-256 of the session that asked for the ticket: the socket it opens ends with that session (logout).
    sessionHash: text("session_hash"),
  },
  (t) => [index("socket_tickets_expiry_idx").on(t.expiresAt)],
);

/**
 * Reports of group-buy chat messages. The messages live in each room's Durable Object; a report copies the text so
 * moderators can judge it without opening the room, and the admin's decision resolves every report of the message.
 */
export const chatReports = sqliteTable(
  "chat_reports",
  {
    id: text("id").primaryKey(),
    groupBuyId: text("group_buy_id").notNull(),
    messageId: integer("message_id").notNull(),
    authorId: text("author_id")
      .notNull()
      .references(() => users.id),
    text: text("text").notNull(),
    reporterId: text("reporter_id")
      .notNull()
      .references(() => users.id),
    reason: text("reason").notNull(),
    note: text("note"),
    createdAt: integer("created_at").notNull(),
    resolvedAt: integer("resolved_at"),
  },
  (t) => [
    uniqueIndex("chat_reports_once").on(t.groupBuyId, t.messageId, t.reporterId),
    index("chat_reports_open_idx").on(t.resolvedAt, t.groupBuyId, t.messageId),
  ],
);

/**
 * Who has a live notification socket open (worker/durable/UserChannel.ts): written when the worker hands an upgrade
 * to the user's channel, deleted when that channel's last socket closes. The members' status push (job
 * groupbuy.pushNotices) wakes only these users' channels, not one Durable Object per member of a filled buy. A row
 * left by a missed close costs one needless push; a socket never goes unpushed while its row exists.
 */
export const liveChannels = sqliteTable("live_channels", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id),
  openedAt: integer("opened_at").notNull(),
});
