import { and, eq, lte } from "drizzle-orm";
import type { Db } from "../db/client";
import { liveChannels } from "../db/schema";

/**
 * The live_channels registry (schema/community.ts): which users have a notification socket open, so a fan-out to
 * many users (a filled buy's members) wakes only their channels. Open writes `openedAt`; the channel's last close
 * deletes the row only if no later open wrote it since (an open racing the close keeps its row).
 */
export function markChannelLive(db: Db, userId: string, now: number) {
  return db
    .insert(liveChannels)
    .values({ userId, openedAt: now })
    .onConflictDoUpdate({ target: liveChannels.userId, set: { openedAt: now } });
}

/** The last socket of `userId`'s channel closed; `openedBy` is the newest open that channel saw. */
export function markChannelClosed(db: Db, userId: string, openedBy: number) {
  return db.delete(liveChannels).where(and(eq(liveChannels.userId, userId), lte(liveChannels.openedAt, openedBy)));
}
