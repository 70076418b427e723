import { and, desc, eq, inArray, isNotNull, isNull, lt, sql } from "drizzle-orm";
import {
  type NotificationItem,
  type NotificationKind,
  type NotificationPayload,
  notificationParams,
} from "../../shared/schemas/notifications";
import type { Db } from "../db/client";
import { notifications } from "../db/schema";
import { errorForLog } from "../lib/errors";
import { newId } from "../lib/ids";

export type NotifyArgs = NotificationPayload & {
  userId: string;
  now: number;
  /** Same key for the same user → one row, however often a retried job or alarm calls notify(). */
  dedupeKey?: string;
};

/**
 * Builds the insert for one inbox entry WITHOUT running it, so the caller puts it in the same db.batch() as the state
 * change it reports (the notification exists iff the change committed). Hand the returned statements to
 * `pushLive()` after the batch commits.
 */
export function notify(db: Db, args: NotifyArgs) {
  // Params are checked here so a bad call fails loudly in tests instead of storing something the client can't render.
  const params = notificationParams[args.kind].parse(args.params) as Record<string, unknown>;
  const row = {
    id: newId(args.now),
    userId: args.userId,
    kind: args.kind,
    params,
    dedupeKey: args.dedupeKey ?? null,
    readAt: null,
    createdAt: args.now,
  };
  const statement = db.insert(notifications).values(row).onConflictDoNothing();
  const notification = { id: row.id, kind: row.kind, params, readAt: null, createdAt: row.createdAt };
  return Object.assign(statement, { userId: row.userId, notification: notification as NotificationItem });
}

export type NotifyStatement = ReturnType<typeof notify>;

/** Awaitable convenience for callers with nothing else to batch: writes the rows, then pushes them live. */
export async function sendNotifications(db: Db, env: LiveEnv, args: NotifyArgs[]): Promise<void> {
  if (args.length === 0) return;
  const statements = args.map((a) => notify(db, a));
  // One statement each so a dedupe conflict on one row never drops the others.
  for (const s of statements) await s;
  await pushLive(env, db, statements);
}

export type LiveEnv = Pick<Env, "USER_CHANNEL">;

/**
 * Best-effort live delivery to the recipients' open sockets. Only rows that are really in the inbox are pushed (a
 * failed batch or a dedupe conflict pushes nothing), and a failure here never fails the caller: the inbox is the truth
 * and clients re-read it on (re)connect.
 */
export async function pushLive(env: LiveEnv, db: Db, statements: NotifyStatement[]): Promise<void> {
  if (statements.length === 0) return;
  try {
    const ids = statements.map((s) => s.notification.id);
    const stored = new Set<string>();
    // ≤ 100 bound parameters per D1 statement.
    for (let i = 0; i < ids.length; i += 90) {
      const rows = await db
        .select({ id: notifications.id })
        .from(notifications)
        .where(inArray(notifications.id, ids.slice(i, i + 90)))
        .all();
      for (const r of rows) stored.add(r.id);
    }
    const byUser = new Map<string, NotificationItem[]>();
    for (const s of statements) {
      if (!stored.has(s.notification.id)) continue;
      byUser.set(s.userId, [...(byUser.get(s.userId) ?? []), s.notification]);
    }
    await Promise.allSettled(
      [...byUser].map(([userId, items]) => env.USER_CHANNEL.get(env.USER_CHANNEL.idFromName(userId)).push(items)),
    );
  } catch (e) {
    console.warn(JSON.stringify({ level: "warn", what: "notifications.pushLive", error: errorForLog(e) }));
  }
}

function toItem(row: typeof notifications.$inferSelect): NotificationItem {
  return {
    id: row.id,
    kind: row.kind as NotificationKind,
    params: row.params,
    readAt: row.readAt,
    createdAt: row.createdAt,
  } as NotificationItem;
}

/** Newest first; the cursor is the id of the last item of the previous page (ids sort by creation time). */
export async function listNotifications(
  db: Db,
  userId: string,
  opts: { cursor?: string; limit: number; unreadOnly: boolean },
) {
  const rows = await db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.userId, userId),
        opts.cursor ? lt(notifications.id, opts.cursor) : undefined,
        opts.unreadOnly ? isNull(notifications.readAt) : undefined,
      ),
    )
    .orderBy(desc(notifications.id))
    .limit(opts.limit + 1)
    .all();
  const page = rows.slice(0, opts.limit);
  return {
    items: page.map(toItem),
    nextCursor: rows.length > opts.limit ? page[page.length - 1].id : null,
  };
}

/** Counting is capped so a neglected inbox costs the same as a tidy one; the UI shows "999+". */
export const UNREAD_COUNT_CAP = 1000;

export async function unreadCount(db: Db, userId: string): Promise<number> {
  const unread = db
    .select({ one: sql`1` })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .limit(UNREAD_COUNT_CAP)
    .as("unread");
  const row = await db.select({ n: sql<number>`count(*)` }).from(unread).get();
  return Number(row?.n ?? 0);
}

/** Marks the caller's own notifications read; ids of other users' notifications are silently ignored. */
export async function markRead(db: Db, userId: string, target: { ids: string[] } | { all: true }, now: number) {
  await db
    .update(notifications)
    .set({ readAt: now })
    .where(
      and(
        eq(notifications.userId, userId),
        isNull(notifications.readAt),
        "ids" in target ? inArray(notifications.id, target.ids) : undefined,
      ),
    );
  return { unread: await unreadCount(db, userId) };
}

/** Read notifications are kept 180 days; unread ones stay until read. */
export const NOTIFICATION_RETENTION_MS = 180 * 86_400_000;

export function pruneNotifications(db: Db, now: number) {
  return db
    .delete(notifications)
    .where(and(isNotNull(notifications.readAt), lt(notifications.readAt, now - NOTIFICATION_RETENTION_MS)));
}
