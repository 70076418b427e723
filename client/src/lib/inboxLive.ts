import { createSignal } from "solid-js";
import type { NotificationFrame, NotificationItem } from "../../../shared/schemas/notifications";
import { api } from "./api";
import { closeSocket } from "./closeSocket";
import { letGoForGood } from "./session";

const [unread, setUnread] = createSignal(0);
const [latest, setLatest] = createSignal<NotificationItem | null>(null);
const [live, setLive] = createSignal(false);

/** The inbox's unread count (the server's: on every (re)connect, +1 per pushed notification). */
export { latest, live, unread };

/** Asks the server again (after marking read here, or when the tab regains focus). */
export function refreshUnread(): void {
  api.notifications.unreadCount.query().then(
    (r) => setUnread(r.unread),
    () => undefined,
  );
}

/**
 * The inbox's live side: one socket to /api/notifications/ws (the session cookie authenticates it), which says hello
 * with the unread count and then pushes each new notification. Pushes are best-effort, so a reconnect (with backoff)
 * resyncs from its hello and the inbox re-reads its list when `latest` changes. Returns the function that closes it.
 */
export function connectInbox(): () => void {
  let socket: WebSocket | null = null;
  let closed = false;
  let retry = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;
  const connect = () => {
    socket = new WebSocket(`${location.origin.replace(/^http/, "ws")}/api/notifications/ws`);
    socket.onopen = () => {
      retry = 0;
      ping = setInterval(() => socket?.send("ping"), 30_000);
    };
    socket.onmessage = (event) => {
      if (event.data === "pong") return; // the channel's automatic answer to our keepalive
      const frame = JSON.parse(String(event.data)) as NotificationFrame;
      if (frame.type === "hello") {
        setUnread(frame.unread);
        setLive(true);
      } else if (frame.type === "notification") {
        setUnread((n) => n + 1);
        setLatest(frame.notification);
      }
    };
    socket.onclose = (event) => {
      setLive(false);
      clearInterval(ping);
      if (closed || letGoForGood(event.code, () => !closed && connect())) return;
      timer = setTimeout(connect, Math.min(30_000, 1000 * 2 ** retry++));
    };
  };
  connect();
  return () => {
    closed = true;
    clearTimeout(timer);
    clearInterval(ping);
    closeSocket(socket);
  };
}
