import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { idSchema } from "../../shared/schemas/common";
import { authenticateUpgrade } from "../accounts/socketAuth";
import { roomAccess } from "../community/roomAccess";
import { getDb } from "../db/client";
import { groupBuys } from "../db/schema";
import { encodeRoomIdentity, ROOM_IDENTITY_HEADER, type RoomIdentity } from "../durable/roomIdentity";
import type { AppEnv } from "../env";
import { appOrigins } from "../lib/appOrigins";
import { roomStub } from "./service";

function refuse(
  c: Context<AppEnv>,
  status: 400 | 401 | 403 | 404 | 426,
  code: string,
  message: string,
  details?: Record<string, string | number>,
) {
  return c.json({ error: { code, message, ...(details ? { details } : {}) } }, status);
}

/**
 * GET /api/rooms/:id/ws — authenticate (cookie from our own origin, bearer, or a single-use ticket), decide access
 * from the user's relation to the buy, then forward the raw upgrade to the buy's Durable Object with the identity in
 * a header set here. Any client-sent identity header is dropped, so the room never trusts client input for identity.
 */
export async function roomSocket(c: Context<AppEnv>) {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    return refuse(c, 426, "BAD_REQUEST", "This endpoint only accepts WebSocket upgrades.");
  }
  const id = c.req.param("id") ?? "";
  if (!idSchema.safeParse(id).success) return refuse(c, 400, "BAD_REQUEST", "Not a valid group buy id.");
  const db = getDb(c.env);
  const now = Date.now();
  const auth = await authenticateUpgrade(db, c.req.raw, `room:${id}`, appOrigins(c.req.raw, c.env), now);
  if (!auth.ok) return refuse(c, auth.status, auth.code, auth.message);
  const gb = await db.select().from(groupBuys).where(eq(groupBuys.id, id)).get();
  if (!gb) return refuse(c, 404, "NOT_FOUND", "No group buy with that id.");
  const decided = await roomAccess(db, auth.user, gb, now);
  if (!decided.ok) return refuse(c, 403, "FORBIDDEN", decided.message, decided.details);
  const identity: RoomIdentity = {
    groupBuyId: id,
    userId: auth.user.id,
    displayName: auth.user.displayName,
    role: auth.user.role,
    access: decided.access,
    connectedAt: now,
    ...(auth.session ? { session: auth.session.hash, sessionExpiresAt: auth.session.expiresAt } : {}),
  };
  const headers = new Headers(c.req.raw.headers);
  headers.delete(ROOM_IDENTITY_HEADER);
  headers.set(ROOM_IDENTITY_HEADER, encodeRoomIdentity(identity));
  return roomStub(c.env, id).fetch(new Request(c.req.raw, { headers }));
}
