import type { Context } from "hono";
import { authenticateUpgrade } from "../accounts/socketAuth";
import { getDb } from "../db/client";
import {
  CHANNEL_SESSION_HEADER,
  CHANNEL_UNREAD_HEADER,
  CHANNEL_USER_HEADER,
  sessionHeader,
} from "../durable/UserChannel";
import type { AppEnv } from "../env";
import { appOrigins } from "../lib/appOrigins";
import { markChannelLive } from "./liveChannels";
import { unreadCount } from "./notifications";

/**
 * GET /api/notifications/ws: authenticates, then hands the upgrade to the user's UserChannel. The first frame is
 * {type:"hello", unread}; clients re-read `notifications.list` after every (re)connect because pushes are best-effort.
 */
export async function notificationsSocket(c: Context<AppEnv>) {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    return c.json({ error: { code: "BAD_REQUEST", message: "This endpoint only accepts WebSocket upgrades." } }, 426);
  }
  const db = getDb(c.env);
  const now = Date.now();
  const auth = await authenticateUpgrade(db, c.req.raw, "notifications", appOrigins(c.req.raw, c.env), now);
  if (!auth.ok) return c.json({ error: { code: auth.code, message: auth.message } }, auth.status);
  const headers = new Headers(c.req.raw.headers);
  headers.set(CHANNEL_USER_HEADER, auth.user.id);
  // the socket belongs to this session: its logout or expiry ends it (UserChannel.endSockets / push)
  headers.delete(CHANNEL_SESSION_HEADER);
  if (auth.session) headers.set(CHANNEL_SESSION_HEADER, sessionHeader(auth.session));
  // the channel is live from now (before the socket is accepted, so no push in between is skipped)
  const [unread] = await Promise.all([unreadCount(db, auth.user.id), markChannelLive(db, auth.user.id, now)]);
  headers.set(CHANNEL_UNREAD_HEADER, String(unread));
  const stub = c.env.USER_CHANNEL.get(c.env.USER_CHANNEL.idFromName(auth.user.id));
  return stub.fetch(new Request(c.req.raw, { headers }));
}
