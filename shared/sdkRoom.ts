import { z } from "zod";
import { backoffDelayMs, ROOM_FULL_RETRY } from "./backoff.ts";
import type { ChatMessage } from "./chat.ts";
import {
  CLOSE_CODES,
  type ClientFrame,
  clientFrameSchema,
  type Fill,
  isFinalClose,
  PING_FRAME,
  roomPath,
  type ServerFrame,
  serverFrameSchema,
} from "./protocol.ts";
import { type GongguClient, optionsOf } from "./sdkClient.ts";
import { type GongguError, GongguRoomError, gongguErrorOf } from "./sdkErrors.ts";
import { validationIssues } from "./validation.ts";

// A group buy's live room over the web-standard WebSocket (browsers, Node >= 22, Deno, Workers). The protocol is
// shared/protocol.ts: every frame in is validated with its schema, every frame out too (as the room does).

export type RoomSnapshot = Extract<ServerFrame, { type: "snapshot" }>;
export type ChatHistory = Extract<ServerFrame, { type: "chat.history" }>;
export type RoomStatus = { status: RoomSnapshot["status"]; reason: string | null };
export type RoomConnection =
  | { state: "open"; attempt: number }
  /** The socket dropped; a fresh ticket and socket follow after `delayMs`, then a new snapshot. */
  | { state: "reconnecting"; attempt: number; delayMs: number; error: GongguError | null }
  /** For good: close() was called, the room let us go (4xxx close code) or a ticket was refused. */
  | { state: "closed"; code: number; error: GongguError | null };

export interface RoomEvents {
  /** On connect and on every reconnect (resync from here), and after sync(). */
  snapshot: RoomSnapshot;
  /** Someone joined or left; also sent with every snapshot. */
  fill: Fill;
  /** The buy's status changed (e.g. OPEN → FILLED, CANCELLED with a reason). */
  state: RoomStatus;
  /** The latest messages, after each snapshot (may repeat messages you saw before a reconnect: dedupe by id). */
  history: ChatHistory;
  /** New chat and system lines, oldest first. */
  messages: ChatMessage[];
  /** An admin deleted this message id. */
  deleted: number;
  /** A refusal not tied to one of your chat() calls (e.g. a suspension closing the room). */
  error: GongguRoomError;
  connection: RoomConnection;
  /** Every validated frame, including ones without an event of their own (chat.typing, chat.ack, pong). */
  frame: ServerFrame;
}

export interface ConnectRoomOptions {
  groupBuyId: string;
  /** Reconnect with a fresh ticket and backoff after the socket drops (default true). */
  reconnect?: boolean | { initialDelayMs?: number; maxDelayMs?: number; maxAttempts?: number };
  /** Keep-alive ping interval (default 30 s; 0 turns it off). The runtime answers it without waking the room. */
  pingIntervalMs?: number;
  /** How long to wait for the socket's first snapshot (default 10 s). */
  connectTimeoutMs?: number;
  /** A WebSocket implementation where there is no global one. */
  WebSocket?: new (
    url: string,
  ) => WebSocketLike;
}

/** The part of the WebSocket API the room uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "message" | "close" | "error", listener: (event: never) => void): void;
}

export interface Room {
  readonly groupBuyId: string;
  /** The latest snapshot, kept current by fill and state frames (`you` only changes with a new snapshot: sync()). */
  readonly snapshot: RoomSnapshot;
  readonly connected: boolean;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof RoomEvents>(event: K, listener: (value: RoomEvents[K]) => void): () => void;
  /** The next event of a kind (that passes `filter`), e.g. `await room.next("fill", (f) => f.remainingShares === 0)`. */
  next<K extends keyof RoomEvents>(
    event: K,
    filter?: (value: RoomEvents[K]) => boolean,
    timeoutMs?: number,
  ): Promise<RoomEvents[K]>;
  /**
   * Posts a chat message; resolves with its id once the room stored it, rejects with a GongguRoomError (BAD_REQUEST
   * before sending, FORBIDDEN for readers, TOO_MANY_REQUESTS with retryAfterSeconds). Members, host and seller post.
   */
  chat(text: string): Promise<{ id: number }>;
  /**
   * Sends any protocol frame (validated first; throws a BAD_REQUEST GongguRoomError): `{ type: "chat.read", upTo }`,
   * `{ type: "chat.typing" }`, … Dropped while reconnecting.
   */
  send(frame: ClientFrame): void;
  /** Asks for a fresh snapshot (e.g. after your own join, for `snapshot.you`). */
  sync(): void;
  /** Closes the socket and stops reconnecting; pending chat() calls reject with CLIENT_CLOSED_REQUEST. */
  close(): Promise<void>;
}

const OPEN = 1;
const NORMAL_CLOSE = 1000;
/** What a final close of the room means to the caller (CLOSE_CODES); anything else is a dropped connection. */
const closeErrorCode = (code: number): GongguError["code"] =>
  code === CLOSE_CODES.sessionEnded ? "UNAUTHORIZED" : code === CLOSE_CODES.suspended ? "FORBIDDEN" : "TIMEOUT";

function roomError(code: GongguError["code"], message: string, extra: Partial<GongguError> = {}): GongguRoomError {
  return new GongguRoomError({
    code,
    message,
    zodError: null,
    issues: null,
    retryAfterSeconds: null,
    details: null,
    ...extra,
  });
}

/** Validates an outgoing frame with the protocol's schema: bad input fails here, typed, instead of at the room. */
function encode(frame: ClientFrame): string {
  const parsed = clientFrameSchema.safeParse(frame);
  if (!parsed.success) {
    const issues = validationIssues(parsed.error);
    const problems = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
    throw roomError("BAD_REQUEST", `Invalid frame — ${problems}`, { issues, zodError: z.flattenError(parsed.error) });
  }
  return JSON.stringify(parsed.data);
}

function noWebSocket(): never {
  throw new Error("No global WebSocket here: pass options.WebSocket");
}

/**
 * Connects to a group buy's live room: gets a single-use ticket (rooms.ticket: members, host, seller, admins and,
 * while the buy is OPEN, verified residents of its region), opens the WebSocket and resolves with the room once its
 * first snapshot arrived. Rejects with the ticket's typed error (gongguErrorOf) if you may not enter, or the
 * upgrade's: a full room is SERVICE_UNAVAILABLE with reason "room_full" (while reconnecting, it is retried later).
 */
export async function connectRoom(client: GongguClient, options: ConnectRoomOptions): Promise<Room> {
  const { groupBuyId } = options;
  const base = optionsOf(client).url.replace(/^http/, "ws");
  const Socket =
    options.WebSocket ??
    (globalThis as unknown as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket ??
    noWebSocket();
  const backoff = options.reconnect === false ? null : options.reconnect === true ? {} : (options.reconnect ?? {});
  const listeners = new Map<keyof RoomEvents, Set<(value: never) => void>>();
  /** chat() calls waiting for their chat.ack or error frame: the room answers each chat.send in order. */
  const pending: { resolve: (v: { id: number }) => void; reject: (e: GongguRoomError) => void }[] = [];
  let socket: WebSocketLike | null = null;
  let snapshot: RoomSnapshot | null = null;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let onClosed: (() => void) | null = null;

  function emit<K extends keyof RoomEvents>(event: K, value: RoomEvents[K]) {
    for (const listener of listeners.get(event) ?? []) (listener as (v: RoomEvents[K]) => void)(value);
  }

  function rejectPending(error: GongguRoomError) {
    for (const p of pending.splice(0)) p.reject(error);
  }

  function receive(frame: ServerFrame) {
    switch (frame.type) {
      case "snapshot":
        snapshot = frame;
        emit("snapshot", frame);
        emit("fill", frame.fill);
        break;
      case "fill":
        if (snapshot) snapshot = { ...snapshot, fill: frame.fill, at: frame.at };
        emit("fill", frame.fill);
        break;
      case "state":
        if (snapshot) snapshot = { ...snapshot, status: frame.status, statusReason: frame.reason, at: frame.at };
        emit("state", { status: frame.status, reason: frame.reason });
        break;
      case "chat.history":
        emit("history", frame);
        break;
      case "chat.messages":
        emit("messages", frame.messages);
        break;
      case "chat.deleted":
        emit("deleted", frame.id);
        break;
      case "chat.ack":
        pending.shift()?.resolve({ id: frame.id });
        break;
      case "error": {
        const retryAfterSeconds =
          frame.retryAfterMs === undefined ? null : Math.max(1, Math.ceil(frame.retryAfterMs / 1000));
        const error = roomError(frame.code as GongguError["code"], frame.message, {
          retryAfterSeconds,
          details: frame.details ?? null,
        });
        const waiting = pending.shift();
        if (waiting) waiting.reject(error);
        else emit("error", error);
        break;
      }
    }
    emit("frame", frame);
  }

  /** One socket: resolves at its first snapshot; rejects if the ticket is refused or the socket ends before. */
  async function open(attempt: number): Promise<void> {
    const { ticket } = await client.rooms.ticket.mutate({ id: groupBuyId });
    if (closed) throw roomError("CLIENT_CLOSED_REQUEST", "The room was closed.");
    const ws = new Socket(`${base}${roomPath(groupBuyId)}?ticket=${encodeURIComponent(ticket)}`);
    socket = ws;
    await new Promise<void>((resolve, reject) => {
      let ready = false;
      const timeout = setTimeout(() => ws.close(4000, "no snapshot in time"), options.connectTimeoutMs ?? 10_000);
      ws.addEventListener("message", (event: { data: unknown }) => {
        let data: unknown;
        try {
          data = JSON.parse(String(event.data));
        } catch {
          return;
        }
        // frames of a newer server this SDK does not know are skipped, as the app does
        const parsed = serverFrameSchema.safeParse(data);
        if (!parsed.success) return;
        receive(parsed.data);
        if (!ready && parsed.data.type === "snapshot") {
          ready = true;
          clearTimeout(timeout);
          startPing(ws);
          emit("connection", { state: "open", attempt });
          resolve();
        }
      });
      ws.addEventListener("close", (event: { code: number; reason: string }) => {
        clearTimeout(timeout);
        clearInterval(pingTimer);
        if (socket === ws) socket = null;
        rejectPending(
          closed
            ? roomError("CLIENT_CLOSED_REQUEST", "The room was closed.")
            : roomError("TIMEOUT", "The connection dropped; the message may or may not have been posted."),
        );
        const error = roomError(
          closeErrorCode(event.code),
          event.reason || `The room's connection closed (${event.code}).`,
        );
        if (!ready) void (closed ? Promise.resolve(error) : whyRefused(error)).then(reject);
        // after close(), closed means closed by you (1000) whatever the socket reports: a close handshake cut short
        // (the server or the machine slow to answer) arrives as 1006
        else if (closed) finish(NORMAL_CLOSE, null);
        else if (isFinalClose(event.code)) finish(event.code, error.info);
        else void reconnect(1, error.info);
      });
    });
  }

  /**
   * A socket that ended before its first snapshot: its upgrade may have been refused, and a WebSocket cannot read why.
   * rooms.knock asks the upgrade's rules over HTTP and answers its refusal typed (e.g. a full room); else `dropped`.
   */
  async function whyRefused(dropped: GongguRoomError): Promise<unknown> {
    try {
      await client.rooms.knock.query({ id: groupBuyId });
    } catch (e) {
      if (gongguErrorOf(e)) return e;
    }
    return dropped;
  }

  function startPing(ws: WebSocketLike) {
    const every = options.pingIntervalMs ?? 30_000;
    if (every > 0) pingTimer = setInterval(() => ws.readyState === OPEN && ws.send(PING_FRAME), every);
  }

  let finished = false;
  let closeTimer: ReturnType<typeof setTimeout> | undefined;
  function finish(code: number, error: GongguError | null) {
    if (finished) return;
    finished = true;
    closed = true;
    clearTimeout(retryTimer);
    clearTimeout(closeTimer);
    emit("connection", { state: "closed", code, error });
    onClosed?.();
  }

  /** A fresh ticket (they are single-use) and socket, with exponential backoff and jitter; the room resends a snapshot. */
  async function reconnect(attempt: number, error: GongguError | null): Promise<void> {
    if (closed) return;
    if (!backoff || attempt > (backoff.maxAttempts ?? Number.POSITIVE_INFINITY)) return finish(1006, error);
    const delayMs = Math.max(
      backoffDelayMs(attempt, { initialMs: backoff.initialDelayMs ?? 500, maxMs: backoff.maxDelayMs ?? 30_000 }),
      (error?.retryAfterSeconds ?? 0) * 1000,
      error?.reason === "room_full" ? backoffDelayMs(attempt, ROOM_FULL_RETRY) : 0,
    );
    emit("connection", { state: "reconnecting", attempt, delayMs, error });
    await new Promise<void>((r) => {
      retryTimer = setTimeout(r, delayMs);
    });
    if (closed) return;
    try {
      await open(attempt);
    } catch (e) {
      if (closed) return finish(NORMAL_CLOSE, null);
      const info = gongguErrorOf(e);
      // refused for good (no longer allowed in, logged out, buy gone): stop; network trouble, rate limits and a full
      // room (503): retry
      const final = info && info.httpStatus !== null && info.httpStatus < 500 && info.code !== "TOO_MANY_REQUESTS";
      if (final) finish(1008, info);
      else void reconnect(attempt + 1, info);
    }
  }

  await open(0);

  const room: Room = {
    groupBuyId,
    get snapshot() {
      return snapshot as RoomSnapshot;
    },
    get connected() {
      return socket?.readyState === OPEN;
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (value: never) => void);
      return () => set.delete(listener as (value: never) => void);
    },
    next(event, filter = () => true, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          off();
          reject(roomError("TIMEOUT", `No "${event}" event within ${timeoutMs} ms.`));
        }, timeoutMs);
        const off = room.on(event, (value) => {
          if (!filter(value)) return;
          clearTimeout(timer);
          off();
          resolve(value);
        });
      });
    },
    async chat(text) {
      const data = encode({ type: "chat.send", text });
      const ws = socket;
      if (!ws || ws.readyState !== OPEN) {
        throw roomError("TIMEOUT", "Not connected right now; try again after reconnecting.");
      }
      return new Promise((resolve, reject) => {
        pending.push({ resolve, reject });
        ws.send(data);
      });
    },
    send(frame) {
      const data = encode(frame);
      if (socket?.readyState !== OPEN) return;
      // the room answers every chat.send in order: keep the queue chat() reads in step (its refusal is an event)
      if (frame.type === "chat.send") pending.push({ resolve: () => {}, reject: (e) => emit("error", e) });
      socket.send(data);
    },
    sync() {
      room.send({ type: "sync" });
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      clearTimeout(retryTimer);
      const ws = socket;
      if (!ws) {
        finish(NORMAL_CLOSE, null);
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        onClosed = resolve;
        ws.close(NORMAL_CLOSE, "bye");
        // a server that never answers the close handshake does not keep the caller waiting
        closeTimer = setTimeout(() => finish(NORMAL_CLOSE, null), 5_000);
      });
    },
  };
  return room;
}
