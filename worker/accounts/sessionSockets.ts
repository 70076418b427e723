import { kickFromRooms } from "../community/rooms";
import type { Db } from "../db/client";
import { errorForLog } from "../lib/errors";

/**
 * Ends the live sockets a session opened, now that it is revoked (logout): the same browser's other tabs and an SDK's
 * ticket sockets would otherwise keep receiving the user's notifications and room chat until they reload. Sockets of
 * the user's other sessions (other devices) stay open. The notification channel is closed before this returns, so
 * nothing sent after the logout answered reaches that session; the room sockets follow in the background (the newest
 * 200 rooms, then a queue job per further page: kickFromRooms).
 */
export async function endSessionSockets(
  env: Env,
  db: Db,
  userId: string,
  sessionHash: string,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<void> {
  try {
    await env.USER_CHANNEL.get(env.USER_CHANNEL.idFromName(userId)).endSockets({ session: sessionHash }, "Logged out.");
  } catch (e) {
    // the logout itself stands; a socket left open is pushed to until its tab closes or reconnects (then refused)
    console.warn(JSON.stringify({ level: "warn", what: "sessionSockets.channel", userId, error: errorForLog(e) }));
  }
  waitUntil(kickFromRooms(env, db, userId, sessionHash));
}
