import { z } from "zod";
import { chatClientFrames, chatServerFrames } from "./chat.ts";
import { GROUP_BUY_STATUSES } from "./groupbuy.ts";

/**
 * The group-buy room WebSocket protocol (/api/rooms/:id/ws). One discriminated union per direction, validated with
 * zod on both sides: the Durable Object parses every client frame with `clientFrameSchema` and answers anything else
 * with an `error` frame; the client parses every server frame with `serverFrameSchema`.
 *
 * Features add variants here (chat adds e.g. "chat.send" / "chat.message") and a handler in the room's dispatch
 * table; `type` values are namespaced by feature except the core fill/state frames below.
 */

/** Room for a 1,000-character chat message even when a client escapes every character as \\uXXXX. */
export const MAX_CLIENT_FRAME_BYTES = 8192;

/** Live numbers of a group buy, as the room's authority (the Durable Object) sees them. */
export const fillSchema = z.object({
  totalShares: z.number().int(),
  /** Reserved or confirmed: what a new join competes for. */
  takenShares: z.number().int(),
  /** Backed by a ledger hold. */
  confirmedShares: z.number().int(),
  remainingShares: z.number().int(),
  minShares: z.number().int(),
  participantCount: z.number().int(),
});
export type Fill = z.infer<typeof fillSchema>;

const statusSchema = z.enum(GROUP_BUY_STATUSES);

export const serverFrameSchema = z.discriminatedUnion("type", [
  /** First frame after connecting: everything a screen needs to render the buy's live part. */
  z.object({
    type: z.literal("snapshot"),
    groupBuyId: z.string(),
    status: statusSchema,
    statusReason: z.string().nullable(),
    deadline: z.number().int(),
    pricePerShare: z.number().int(),
    maxPerPerson: z.number().int(),
    fill: fillSchema,
    /** The connected user's own confirmed shares. */
    you: z.object({ userId: z.string(), shares: z.number().int() }),
    at: z.number().int(),
  }),
  /** Someone joined or left (coalesced: at most one frame per burst). */
  z.object({ type: z.literal("fill"), groupBuyId: z.string(), fill: fillSchema, at: z.number().int() }),
  /** The status changed; `reason` is set for cancellations and shown to buyers. */
  z.object({
    type: z.literal("state"),
    groupBuyId: z.string(),
    status: statusSchema,
    reason: z.string().nullable(),
    at: z.number().int(),
  }),
  z.object({
    type: z.literal("error"),
    code: z.string(),
    message: z.string(),
    /** TOO_MANY_REQUESTS: when the sender may try again (the client counts down). */
    retryAfterMs: z.number().int().min(0).optional(),
    /**
     * A refusal's machine-readable facts, as an API error's `data.details`: `reason` (e.g. "suspended", "room_closed")
     * and what it quotes (`until`). Optional: older rooms send none, and clients word the refusal from it.
     */
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  }),
  z.object({ type: z.literal("pong") }),
  ...chatServerFrames,
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;

export const clientFrameSchema = z.discriminatedUnion("type", [
  /** Keep-alive; answered by the runtime without waking the room (setWebSocketAutoResponse). */
  z.object({ type: z.literal("ping") }),
  /** Ask for a fresh snapshot (e.g. after the tab was asleep). */
  z.object({ type: z.literal("sync") }),
  ...chatClientFrames,
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;

/** Every frame on the socket, either direction. */
export type RoomFrame = ServerFrame | ClientFrame;

/** The exact text of a ping frame, so the runtime can answer it while the room hibernates. */
// Close codes live in their own import-free module: the SPA's initial bundle needs them without zod.
export { CLOSE_CODES, isFinalClose } from "./closeCodes.ts";

export const PING_FRAME = JSON.stringify({ type: "ping" } satisfies ClientFrame);
export const PONG_FRAME = JSON.stringify({ type: "pong" } satisfies ServerFrame);

export function roomPath(groupBuyId: string): string {
  return `/api/rooms/${encodeURIComponent(groupBuyId)}/ws`;
}
