import { z } from "zod";

/**
 * Who is on a room socket. The worker route resolves the session and decides access BEFORE forwarding the upgrade,
 * then passes this in a header it sets itself (any client-sent copy is dropped first). The DO is only reachable
 * through the worker, so the header is trusted there; it is kept per socket with serializeAttachment so it
 * survives hibernation.
 */
export const ROOM_IDENTITY_HEADER = "x-gonggu-room-identity";

export const roomIdentitySchema = z.object({
  groupBuyId: z.string(),
  userId: z.string(),
  displayName: z.string(),
  role: z.enum(["buyer", "seller", "admin"]),
  /** member: joined buyer or host; staff: the buy's seller or an admin; resident: verified neighbour (read-only). */
  access: z.enum(["member", "staff", "resident"]),
  connectedAt: z.number().int(),
  /** SHA-256 of the session token the socket was opened with (a ticket's: the session that asked): its logout ends it. */
  session: z.string().optional(),
  /** When that session expires (epoch ms): the room ends the socket then (roomSockets.ts, sessionExpired). */
  sessionExpiresAt: z.number().int().optional(),
});
export type RoomIdentity = z.infer<typeof roomIdentitySchema>;

/** Header values must be ASCII; display names are Korean, so the JSON is percent-encoded. */
export function encodeRoomIdentity(identity: RoomIdentity): string {
  return encodeURIComponent(JSON.stringify(identity));
}

export function parseRoomIdentity(header: string | null): RoomIdentity | null {
  if (!header) return null;
  try {
    const parsed = roomIdentitySchema.safeParse(JSON.parse(decodeURIComponent(header)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
