import { isSuspended } from "../accounts/auth";
import type { Db } from "../db/client";
import type { groupBuys, users } from "../db/schema";
import type { RoomIdentity } from "../durable/roomIdentity";
import { relationTo } from "../groupbuy/service";

export type RoomAccess = RoomIdentity["access"];
/** Why the room is closed to someone, for clients that word it (refusals.ts): the API error's and the socket's details. */
type RoomRefusal = { reason: "suspended"; until: number } | { reason: "room_closed" | "room_members_only" };

/**
 * Who may be in a group buy's room, decided before the upgrade (and for rooms.history/ticket): its members and host
 * ("member") and its seller or an admin ("staff") post; other verified residents of its region read while the buy is
 * OPEN; a suspended account is kept out. The room re-checks posting against its live member list.
 */
export async function roomAccess(
  db: Db,
  user: typeof users.$inferSelect,
  gb: typeof groupBuys.$inferSelect,
  now: number,
): Promise<{ ok: true; access: RoomAccess } | { ok: false; message: string; details: RoomRefusal }> {
  if (isSuspended(user, now)) {
    const until = new Date(user.suspendedUntil ?? 0).toISOString().slice(0, 10);
    return {
      ok: false,
      message: `Your account is suspended until ${until}; group-buy rooms are closed to you.`,
      details: { reason: "suspended", until: user.suspendedUntil ?? 0 },
    };
  }
  const relation = await relationTo(db, user, gb, now);
  if (relation === "admin" || relation === "seller") return { ok: true, access: "staff" };
  if (relation === "member" || relation === "host") return { ok: true, access: "member" };
  if (relation === "resident" && gb.status === "OPEN") return { ok: true, access: "resident" };
  return relation === "resident"
    ? {
        ok: false,
        message: "This group buy is no longer open; its room is for its members now.",
        details: { reason: "room_closed" },
      }
    : {
        ok: false,
        message: "This room is for the buy's members and verified residents of its neighbourhood.",
        details: { reason: "room_members_only" },
      };
}
