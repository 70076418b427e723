import { createSignal, onCleanup } from "solid-js";
import { backoffDelayMs } from "../../../shared/backoff";
import { type ClientFrame, type Fill, roomPath, type ServerFrame, serverFrameSchema } from "../../../shared/protocol";

export type Snapshot = Extract<ServerFrame, { type: "snapshot" }>;

/**
 * The live part of one group buy: a WebSocket to its Durable Object room (same origin, the session cookie
 * authenticates it). Reconnects with backoff while the screen is open; frames are validated with the shared schema.
 */
export function createRoom(groupBuyId: string) {
  const [snapshot, setSnapshot] = createSignal<Snapshot | null>(null);
  const [fill, setFill] = createSignal<Fill | null>(null);
  const [status, setStatus] = createSignal<{ status: Snapshot["status"]; reason: string | null } | null>(null);
  const [connected, setConnected] = createSignal(false);
  let socket: WebSocket | null = null;
  let closed = false;
  let retry = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;
  /** Other parts of the page (the chat) that read this socket's frames. */
  const listeners = new Set<(frame: ServerFrame) => void>();

  function connect() {
    const url = `${location.origin.replace(/^http/, "ws")}${roomPath(groupBuyId)}`;
    socket = new WebSocket(url);
    socket.onopen = () => {
      retry = 0;
      setConnected(true);
      ping = setInterval(() => socket?.send(JSON.stringify({ type: "ping" })), 30_000);
    };
    socket.onmessage = (event) => {
      const parsed = serverFrameSchema.safeParse(JSON.parse(String(event.data)));
      if (!parsed.success) return;
      const frame = parsed.data;
      if (frame.type === "snapshot") {
        setSnapshot(frame);
        setFill(frame.fill);
        setStatus({ status: frame.status, reason: frame.statusReason });
      } else if (frame.type === "fill") setFill(frame.fill);
      else if (frame.type === "state") setStatus({ status: frame.status, reason: frame.reason });
      for (const listener of listeners) listener(frame);
    };
    socket.onclose = () => {
      setConnected(false);
      clearInterval(ping);
      if (closed) return;
      timer = setTimeout(connect, backoffDelayMs(++retry, { initialMs: 1000, maxMs: 30_000 }));
    };
  }

  /** Closes the socket for good (the screen left, or the buy does not exist). */
  const close = () => {
    closed = true;
    clearTimeout(timer);
    clearInterval(ping);
    socket?.close();
  };
  connect();
  onCleanup(close);
  /** Ask for a fresh snapshot, e.g. after our own join so `you.shares` is current. */
  const sync = () => socket?.readyState === WebSocket.OPEN && socket.send(JSON.stringify({ type: "sync" }));
  /** Sends a frame on the room socket; false while it is (re)connecting. */
  const send = (frame: ClientFrame) => {
    if (socket?.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  };
  const onFrame = (listener: (frame: ServerFrame) => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  return { snapshot, fill, status, connected, sync, send, onFrame, close };
}
