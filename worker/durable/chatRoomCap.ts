import { CHAT_ROOM_RATE } from "../../shared/chat.ts";

/** The most a lifted room-wide cap may be (messages per CHAT_ROOM_RATE.windowMs): 1,000 msg/s, 5× the product's. */
export const CHAT_ROOM_LIMIT_LIFT_MAX = 5 * CHAT_ROOM_RATE.limit;

/**
 * The room-wide chat cap a room enforces, in messages per CHAT_ROOM_RATE.windowMs: the product's (CHAT_ROOM_RATE.limit)
 * everywhere, except in bench:chat's capacity rows, whose own `wrangler dev` command line lifts it with
 * `--var BENCH_CHAT_ROOM_LIMIT:<n>` to measure the fan-out above the product's cap (the bench lifts the peer's limiter
 * the same way). It is an env binding: no wrangler.toml, .dev.vars or request sets it. Only a lift within bounds
 * counts: anything but an integer from CHAT_ROOM_RATE.limit to CHAT_ROOM_LIMIT_LIFT_MAX leaves the product's cap.
 */
export function chatRoomLimit(env: { BENCH_CHAT_ROOM_LIMIT?: string }): number {
  const lifted = Number(env.BENCH_CHAT_ROOM_LIMIT);
  return Number.isInteger(lifted) && lifted >= CHAT_ROOM_RATE.limit && lifted <= CHAT_ROOM_LIMIT_LIFT_MAX
    ? lifted
    : CHAT_ROOM_RATE.limit;
}
