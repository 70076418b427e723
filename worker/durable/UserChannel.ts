import { DurableObject } from "cloudflare:workers";
import { CLOSE_CODES } from "../../shared/protocol";
import type { NotificationFrame, NotificationItem } from "../../shared/schemas/notifications";
import { markChannelClosed } from "../community/liveChannels";
import { getDb } from "../db/client";
import { errorForLog } from "../lib/errors";
import { letOldestGo } from "./oldestSocket";

/** Header the worker sets after authenticating the upgrade; a DO is only reachable through the worker. */
export const CHANNEL_USER_HEADER = "x-gonggu-user-id";
export const CHANNEL_UNREAD_HEADER = "x-gonggu-unread";
/** The session the socket is opened with: `<sha-256 of its token>.<expiry, epoch ms>` (absent: a legacy ticket). */
export const CHANNEL_SESSION_HEADER = "x-gonggu-session";
/** More tabs than this and the oldest socket is closed: bounds the fan-out per user. */
export const MAX_SOCKETS_PER_USER = 8;

/** `session`/`sessionExpiresAt`: the opening session (SocketSession); absent on sockets opened before they were kept. */
type Attachment = { userId: string; openedAt: number; session?: string; sessionExpiresAt?: number };

/** Whose sockets end: one session's (its logout) or all of the user's (every session revoked). */
export type SocketSelector = { session: string } | { all: true };

export function sessionHeader(session: { hash: string; expiresAt: number }): string {
  return `${session.hash}.${session.expiresAt}`;
}

function parseSessionHeader(value: string | null): Pick<Attachment, "session" | "sessionExpiresAt"> {
  const [hash, expiresAt] = value?.split(".") ?? [];
  return hash && Number(expiresAt) > 0 ? { session: hash, sessionExpiresAt: Number(expiresAt) } : {};
}

const attachmentOf = (ws: WebSocket) => ws.deserializeAttachment() as Attachment | null;

/**
 * One per user (idFromName(userId)): the live side of the notification inbox. Sockets are accepted with the
 * hibernation API, so an idle open tab costs nothing and the object can be evicted while sockets stay connected —
 * unlike an SSE stream, which would pin the object in memory for as long as the tab is open. Keepalive "ping" is
 * answered by the runtime without waking the object. Nothing is stored here: D1 is the inbox, this only relays.
 */
export class UserChannel extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  override async fetch(request: Request): Promise<Response> {
    const userId = request.headers.get(CHANNEL_USER_HEADER);
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket" || !userId) {
      return new Response("Expected an authenticated WebSocket upgrade.", { status: 400 });
    }
    letOldestGo(
      this.ctx.getWebSockets(),
      MAX_SOCKETS_PER_USER,
      (ws) => attachmentOf(ws)?.openedAt ?? 0,
      "Too many open connections; this one was the oldest.",
    );
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const session = parseSessionHeader(request.headers.get(CHANNEL_SESSION_HEADER));
    server.serializeAttachment({ userId, openedAt: Date.now(), ...session } satisfies Attachment);
    send(server, { type: "hello", unread: Number(request.headers.get(CHANNEL_UNREAD_HEADER) ?? 0) });
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * RPC from pushLive(): relays to every open socket of this user whose session is still live; returns how many
   * sockets got it. A socket whose session expired is closed here instead: the expiry is checked when there is
   * something to send (nothing private goes out otherwise), so an idle tab costs no alarm and no wake.
   */
  async push(items: NotificationItem[]): Promise<number> {
    const now = Date.now();
    let sent = 0;
    for (const ws of this.ctx.getWebSockets()) {
      const expiresAt = attachmentOf(ws)?.sessionExpiresAt;
      if (expiresAt !== undefined && expiresAt <= now) {
        close(ws, CLOSE_CODES.sessionEnded, "Your session has expired. Log in again.");
        continue;
      }
      for (const notification of items) send(ws, { type: "notification", notification });
      sent++;
    }
    return sent;
  }

  /** RPC: ends the sockets `which` selects (a logout: that session's) with the final session-ended code. */
  async endSockets(which: SocketSelector, reason: string): Promise<number> {
    const ending = this.ctx
      .getWebSockets()
      .filter((ws) => "all" in which || attachmentOf(ws)?.session === which.session);
    for (const ws of ending) close(ws, CLOSE_CODES.sessionEnded, reason);
    return ending.length;
  }

  override webSocketMessage(ws: WebSocket, _message: string | ArrayBuffer): void {
    send(ws, { type: "error", code: "BAD_REQUEST", message: "This connection only delivers notifications." });
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      // Reserved codes (1005/1006) may not be echoed back.
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // Already closed (the runtime may reply to the close itself).
    }
    await this.closedOne(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.closedOne(ws);
  }

  /** The last open socket gone: the user leaves live_channels (unless an open since then wrote a newer row). */
  private async closedOne(closed: WebSocket): Promise<void> {
    // the closing socket is no longer listed here; any other one still open keeps the channel live
    const others = this.ctx.getWebSockets().filter((ws) => ws !== closed);
    if (others.some((ws) => ws.readyState === WebSocket.OPEN)) return;
    const seen = [closed, ...others].map(attachmentOf);
    const userId = seen.find((a) => a)?.userId;
    if (!userId) return;
    const openedBy = Math.max(...seen.map((a) => a?.openedAt ?? 0));
    try {
      await markChannelClosed(getDb(this.env), userId, openedBy);
    } catch (e) {
      // a row left behind only costs a needless push later
      console.warn(JSON.stringify({ level: "warn", where: "userChannel.close", error: errorForLog(e) }));
    }
  }
}

function close(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
}

function send(ws: WebSocket, frame: NotificationFrame): void {
  try {
    ws.send(JSON.stringify(frame));
  } catch {
    // The socket closed between getWebSockets() and send(); the inbox still has the row.
  }
}
