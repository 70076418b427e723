import { z } from "zod";

/** Chat limits, shared by the room (enforcement) and the client (counters, disabled send button). */
export const CHAT_TEXT_MAX = 1000;
export const CHAT_HISTORY_ON_CONNECT = 50;
export const CHAT_HISTORY_PAGE_MAX = 100;
/** Unread counts stop at this (the list shows "99+"): counting never scans more of a room's history. */
export const CHAT_UNREAD_CAP = 100;
/** Per person: at most this many messages in the window (checked against the room's own storage). */
export const CHAT_USER_RATE = { limit: 5, windowMs: 10_000 } as const;
/**
 * Per room, whoever sends: keeps one busy room from monopolising its object and every member's screen. 200 msg/s: the
 * room's fan-out costs per frame, not per message (each socket gets one frame per period carrying every message since
 * its last, worker/durable/chatFanout.ts), so the cap is set where a frame stays small and the room's storage writes
 * stay cheap, and bench:chat measured 1,000 sockets at 150–200 msg/s with every message delivered and p99 81–139 ms
 * (docs/RELIABILITY.md, sessions 11, 12 and 14). It was 100 msg/s until session 14, a guess below what the room does.
 */
export const CHAT_ROOM_RATE = { limit: 2000, windowMs: 10_000 } as const;
/** Whose limit refused a message (its error frame's `details.reason`): the sender's (CHAT_USER_RATE) or the room's. */
export type ChatRateReason = "chat_too_fast" | "chat_room_busy";

/**
 * Typing indicator: ephemeral (never stored). A person's "typing" reaches the room at most once per `userIntervalMs`
 * (the client also only sends that often); the room sends at most one chat.typing frame per `roomIntervalMs`
 * carrying up to `maxPeople` names (a 1,000-socket broadcast costs ~35 ms of the room's CPU); clients show a name
 * for `showMs` after its last notice or until that person's message arrives.
 */
export const CHAT_TYPING = { userIntervalMs: 3_000, roomIntervalMs: 1_000, maxPeople: 3, showMs: 5_000 } as const;

/** Why a system line appears in the room; the client renders each with an i18n template (chat.system.<code>). */
export const CHAT_SYSTEM_CODES = [
  "join",
  "leave",
  "filled",
  "tipped",
  "failed",
  "ordered",
  "ready",
  "completed",
  "cancelled",
] as const;
export type ChatSystemCode = (typeof CHAT_SYSTEM_CODES)[number];

export const chatMessageSchema = z.object({
  /** Increasing per room: the cursor for history and read markers. */
  id: z.number().int(),
  kind: z.enum(["user", "system"]),
  userId: z.string().nullable(),
  displayName: z.string().nullable(),
  /** null when deleted by an admin (the client shows "deleted by admin") and for system lines. */
  text: z.string().nullable(),
  code: z.enum(CHAT_SYSTEM_CODES).nullable(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).nullable(),
  at: z.number().int(),
  deleted: z.boolean(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const chatTextSchema = z
  .string()
  .trim()
  .min(1, "Write a message")
  .max(CHAT_TEXT_MAX, `A message is at most ${CHAT_TEXT_MAX} characters`);

/** Client → room chat frames (joined into the room protocol's union in shared/protocol.ts). */
export const chatClientFrames = [
  z.object({
    type: z.literal("chat.send"),
    text: chatTextSchema,
    /** Echoed in chat.ack so the sender can match its optimistic line. */
    nonce: z.string().max(40).optional(),
  }),
  /** "I have read up to this message." */
  z.object({ type: z.literal("chat.read"), upTo: z.number().int().min(0) }),
  /** "I am writing a message" (see CHAT_TYPING); only people who may post are announced. */
  z.object({ type: z.literal("chat.typing") }),
] as const;

/** Room → client chat frames. */
export const chatServerFrames = [
  /** After the snapshot on connect: the latest messages, oldest first. */
  z.object({
    type: z.literal("chat.history"),
    messages: z.array(chatMessageSchema),
    hasMore: z.boolean(),
    readUpTo: z.number().int(),
    canPost: z.boolean(),
  }),
  /**
   * New messages, oldest first: one frame carries every message of a burst (fan-out batching). `at` is the room's
   * clock when it sent the frame (a message's own `at` is when it was posted; the gap is its wait in the fan-out).
   */
  z.object({ type: z.literal("chat.messages"), at: z.number().int(), messages: z.array(chatMessageSchema) }),
  z.object({ type: z.literal("chat.ack"), nonce: z.string().nullable(), id: z.number().int() }),
  z.object({ type: z.literal("chat.deleted"), id: z.number().int() }),
  /** People who started typing since the last such frame (at most CHAT_TYPING.maxPeople). */
  z.object({
    type: z.literal("chat.typing"),
    people: z
      .array(z.object({ userId: z.string(), displayName: z.string() }))
      .min(1)
      .max(CHAT_TYPING.maxPeople),
  }),
] as const;
