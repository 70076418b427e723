import { createSignal, onCleanup } from "solid-js";
import { backoffDelayMs, ROOM_FULL_RETRY, ROOM_RECONNECT } from "../../../shared/backoff";
import { type ClientFrame, type Fill, roomPath, type ServerFrame, serverFrameSchema } from "../../../shared/protocol";
import { GongguRoomError, reasonOf } from "../../../shared/sdkErrors";
import { api, errorCode, errorDetails } from "./api";
import { closeSocket } from "./closeSocket";
import { letGoForGood } from "./session";

export type Snapshot = Extract<ServerFrame, { type: "snapshot" }>;
type ErrorFrame = Extract<ServerFrame, { type: "error" }>;

/** A room's error frame as the typed error errorText words (its reason and details, like an API refusal). */
export function roomErrorOf(frame: ErrorFrame): GongguRoomError {
  return new GongguRoomError({
    code: frame.code as GongguRoomError["info"]["code"],
    message: frame.message,
    zodError: null,
    issues: null,
    retryAfterSeconds: frame.retryAfterMs === undefined ? null : Math.ceil(frame.retryAfterMs / 1000),
    details: frame.details ?? null,
  });
}

/** A final close the room did not explain in a frame, as a refusal (worded by its code). */
const closedFrame = (event: CloseEvent): ErrorFrame => ({ type: "error", code: "FORBIDDEN", message: event.reason });
/** Answers that say the person may not be in the room (retrying cannot help); anything else may pass. */
const REFUSED = new Set(["UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "BAD_REQUEST"]);

/**
 * The live part of one group buy: a WebSocket to its Durable Object room (same origin, the session cookie
 * authenticates it). Reconnects with backoff while the screen is open, unless the room closed it for good
 * (letGoForGood); a full room is knocked on again later (ROOM_FULL_RETRY). Frames are validated with the shared schema.
 */
export function createRoom(groupBuyId: string) {
  const [snapshot, setSnapshot] = createSignal<Snapshot | null>(null);
  const [fill, setFill] = createSignal<Fill | null>(null);
  const [status, setStatus] = createSignal<{ status: Snapshot["status"]; reason: string | null } | null>(null);
  const [connected, setConnected] = createSignal(false);
  /** Why the room let us go or will not let us in, for good (errorText words it); the socket stays closed. */
  const [refusal, setRefusal] = createSignal<unknown>(null);
  /** Why the room cannot take us right now (it is full), while we knock again later; null otherwise. */
  const [waiting, setWaiting] = createSignal<unknown>(null);
  /** The last refusal the room explained in a frame, for the close that follows it. */
  let explained: GongguRoomError | null = null;
  let socket: WebSocket | null = null;
  let closed = false;
  let retry = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;
  /** Other parts of the page (the chat) that read this socket's frames. */
  const listeners = new Set<(frame: ServerFrame) => void>();

  function connect() {
    const url = `${location.origin.replace(/^http/, "ws")}${roomPath(groupBuyId)}`;
    let opened = false;
    socket = new WebSocket(url);
    socket.onopen = () => {
      opened = true;
      retry = 0;
      setConnected(true);
      setWaiting(null);
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
      // a refusal that comes before the room lets us go (a rate limit answers one message and the socket stays)
      else if (frame.type === "error" && frame.details && frame.code !== "TOO_MANY_REQUESTS") {
        explained = roomErrorOf(frame);
      }
      for (const listener of listeners) listener(frame);
    };
    socket.onclose = (event) => {
      setConnected(false);
      clearInterval(ping);
      if (closed) return;
      // its session ended (the tab re-reads who is signed in), or the room refused us for good (its words, or the code's)
      const reconnect = () => !closed && connect();
      if (opened && letGoForGood(event.code, reconnect, () => refuse(explained ?? roomErrorOf(closedFrame(event))))) {
        return;
      }
      if (!opened) void askWhy();
      else timer = setTimeout(connect, backoffDelayMs(++retry, ROOM_RECONNECT));
    };
  }

  function refuse(error: unknown) {
    close();
    setRefusal(error);
  }

  /**
   * The upgrade was turned down or never answered; a browser cannot read why. rooms.knock asks the upgrade's rules
   * over HTTP: a refusal (suspended, not of this buy, …) ends the knocking with its words; a full room is said so and
   * knocked on again later; anything else (network, a restart) is retried soon.
   */
  async function askWhy() {
    let why: unknown = null;
    try {
      await api.rooms.knock.query({ id: groupBuyId });
    } catch (e) {
      if (closed) return;
      if (REFUSED.has(errorCode(e) ?? "")) return refuse(e);
      why = e;
    }
    if (closed) return;
    const full = reasonOf(errorDetails(why)) === "room_full";
    setWaiting(full ? why : null);
    timer = setTimeout(connect, backoffDelayMs(++retry, full ? ROOM_FULL_RETRY : ROOM_RECONNECT));
  }

  /** Closes the socket for good (the screen left, or the buy does not exist). */
  const close = () => {
    closed = true;
    clearTimeout(timer);
    clearInterval(ping);
    closeSocket(socket);
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
  return { snapshot, fill, status, connected, refusal, waiting, sync, send, onFrame, close };
}
