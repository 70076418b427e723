import { type ClientFrame, clientFrameSchema, MAX_CLIENT_FRAME_BYTES, type ServerFrame } from "../../shared/protocol";
import type { FanoutGroups } from "./chatFanout";
import type { RoomSnapshot } from "./GroupBuyRoom";
import { letOldestGo } from "./oldestSocket";
import { parseRoomIdentity, ROOM_IDENTITY_HEADER, type RoomIdentity, roomIdentitySchema } from "./roomIdentity";

/** Bounds one room's fan-out (every fill/state frame goes to each socket). */
export const MAX_ROOM_SOCKETS = 5_000;

/**
 * One person's sockets in one room (their tabs and devices). Past it their oldest is let go (4008, as the notification
 * channel does): without it one account could take every place under MAX_ROOM_SOCKETS and lock the members out.
 */
export const MAX_ROOM_SOCKETS_PER_USER = 8;

/** Why a full room turns one more socket away: the upgrade's 503 and rooms.knock's (clients word `room_full`). */
export const ROOM_FULL = {
  message: "This room is full right now; try again in a minute.",
  details: { reason: "room_full" },
} as const;

/** Whether the room has no place for one more socket (its cap, MAX_ROOM_SOCKETS unless a test lowered it). */
export function roomIsFull(ctx: DurableObjectState, maxSockets: number): boolean {
  return ctx.getWebSockets().length >= maxSockets;
}

type SnapshotSource = (identity: RoomIdentity) => { groupBuyId: string; snapshot: RoomSnapshot } | null;

export function snapshotFrame(groupBuyId: string, userId: string, s: RoomSnapshot): ServerFrame {
  return {
    type: "snapshot",
    groupBuyId,
    status: s.status,
    statusReason: s.statusReason,
    deadline: s.deadline,
    pricePerShare: s.pricePerShare,
    maxPerPerson: s.maxPerPerson,
    fill: s.fill,
    you: { userId, shares: s.you.shares },
    at: Date.now(),
  };
}

function send(ws: WebSocket, frame: ServerFrame): void {
  try {
    ws.send(JSON.stringify(frame));
  } catch {
    // closed meanwhile
  }
}

/**
 * Accepts an upgrade the worker route already authenticated and authorised (identity header). Hibernation API:
 * the runtime keeps the socket while the object sleeps; the identity rides along as the socket's attachment.
 */
export async function openRoomSocket(
  ctx: DurableObjectState,
  groups: FanoutGroups,
  request: Request,
  resolve: (identity: RoomIdentity) => Promise<ReturnType<SnapshotSource>>,
  /** Runs after the snapshot went out (chat sends its history). */
  afterSnapshot: (ws: WebSocket, identity: RoomIdentity) => void = () => {},
  maxSockets = MAX_ROOM_SOCKETS,
): Promise<Response> {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return new Response("Expected a WebSocket upgrade.", { status: 426 });
  }
  const identity = parseRoomIdentity(request.headers.get(ROOM_IDENTITY_HEADER));
  if (!identity) return new Response("Log in to open this room.", { status: 401 });
  const room = await resolve(identity);
  if (!room) return new Response("No group buy with that id.", { status: 404 });
  letOldestGo(
    ctx.getWebSockets(`user:${identity.userId}`),
    MAX_ROOM_SOCKETS_PER_USER,
    (ws) => identityOf(ws)?.connectedAt ?? 0,
    "Too many open connections to this room; this one was the oldest.",
  );
  if (roomIsFull(ctx, maxSockets)) {
    // in the shape of the route's other refusals (roomGateway.ts); a browser cannot read it, so the SPA asks rooms.knock
    return Response.json({ error: { code: "SERVICE_UNAVAILABLE", ...ROOM_FULL } }, { status: 503 });
  }
  const pair = new WebSocketPair();
  const [client, server] = Object.values(pair);
  // into the smallest chat fan-out group (chatFanout.ts)
  groups.accept(server, [`user:${identity.userId}`]);
  server.serializeAttachment(identity);
  send(server, snapshotFrame(room.groupBuyId, identity.userId, room.snapshot));
  afterSnapshot(server, identity);
  return new Response(null, { status: 101, webSocket: client });
}

/**
 * Identities already read from their socket's attachment. The attachment is written once, at accept, and never
 * changes, so it is deserialized and validated once per socket and instance instead of once per frame (a wake from
 * hibernation brings new WebSocket objects, which are read again).
 */
const identities = new WeakMap<WebSocket, RoomIdentity>();

export function identityOf(ws: WebSocket): RoomIdentity | null {
  const known = identities.get(ws);
  if (known) return known;
  const attached = roomIdentitySchema.safeParse(ws.deserializeAttachment());
  if (!attached.success) return null;
  identities.set(ws, attached.data);
  return attached.data;
}

/** Whether the session the socket was opened with has expired (sockets opened before expiries were kept: never). */
export function sessionExpired(identity: RoomIdentity, now: number): boolean {
  return identity.sessionExpiresAt !== undefined && identity.sessionExpiresAt <= now;
}

const utf8 = new TextEncoder();

/** Over MAX_CLIENT_FRAME_BYTES as UTF-8? A UTF-16 unit is at most 3 bytes, so a short frame is not encoded to know. */
function tooBig(text: string): boolean {
  return text.length * 3 > MAX_CLIENT_FRAME_BYTES && utf8.encode(text).byteLength > MAX_CLIENT_FRAME_BYTES;
}

export interface FrameHandlers {
  sync: SnapshotSource;
  /** Returns the frame for the sender only (ack or error); the message itself reaches everyone by broadcast. */
  chatSend: (identity: RoomIdentity, text: string, nonce: string | undefined) => ServerFrame;
  chatRead: (identity: RoomIdentity, upTo: number) => void;
  /** Ephemeral: nothing is answered (a refused or rate-limited notice is simply not passed on). */
  chatTyping: (identity: RoomIdentity) => void;
  /** The socket's session expired since the room's alarm last looked: nothing more is taken from it. */
  sessionExpired: (ws: WebSocket) => void;
}

/**
 * Every client frame is parsed with the shared protocol schema; anything else gets an error frame and the room goes
 * on. Features add their frame types to shared/protocol.ts and a case here (the switch is exhaustive, so the
 * compiler points at the missing handler).
 */
export async function handleClientFrame(
  ws: WebSocket,
  message: string | ArrayBuffer,
  handlers: FrameHandlers,
): Promise<void> {
  const identity = identityOf(ws);
  if (!identity) {
    ws.close(1008, "unauthenticated");
    return;
  }
  if (sessionExpired(identity, Date.now())) return handlers.sessionExpired(ws);
  if (typeof message !== "string" || tooBig(message)) {
    send(ws, {
      type: "error",
      code: "BAD_REQUEST",
      message: `Frames are JSON text of at most ${MAX_CLIENT_FRAME_BYTES} bytes.`,
    });
    return;
  }
  let data: unknown;
  try {
    data = JSON.parse(message);
  } catch {
    send(ws, { type: "error", code: "BAD_REQUEST", message: "Frames must be JSON." });
    return;
  }
  const parsed = clientFrameSchema.safeParse(data);
  if (!parsed.success) {
    send(ws, { type: "error", code: "BAD_REQUEST", message: "Unknown or malformed frame." });
    return;
  }
  const frame: ClientFrame = parsed.data;
  switch (frame.type) {
    case "ping":
      send(ws, { type: "pong" });
      return;
    case "sync": {
      const room = handlers.sync(identity);
      if (room) send(ws, snapshotFrame(room.groupBuyId, identity.userId, room.snapshot));
      return;
    }
    case "chat.send":
      send(ws, handlers.chatSend(identity, frame.text, frame.nonce));
      return;
    case "chat.read":
      handlers.chatRead(identity, frame.upTo);
      return;
    case "chat.typing":
      handlers.chatTyping(identity);
      return;
    default: {
      const unhandled: never = frame;
      send(ws, { type: "error", code: "BAD_REQUEST", message: `Unhandled frame ${JSON.stringify(unhandled)}.` });
    }
  }
}
