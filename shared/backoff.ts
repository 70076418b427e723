/**
 * How long to wait before reconnection attempt `attempt` (1 for the first): exponential from `initialMs`, capped at
 * `maxMs`, then jittered down to between half and all of it, so sockets dropped together (a room's restart) do not all
 * come back in the same instant. Used by the SPA's room socket (client/src/lib/room.ts) and the SDK's connectRoom.
 */
export function backoffDelayMs(
  attempt: number,
  options: { initialMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const exp = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.5 + random() / 2));
}

/** The SPA's room socket after a drop: soon at first, then at most every 30 s. */
export const ROOM_RECONNECT = { initialMs: 1_000, maxMs: 30_000 } as const;
/**
 * A full room (its socket cap): later and less often than after a drop, so those waiting for a place do not keep the
 * room busy refusing them. The SPA and the SDK's connectRoom wait at least this long.
 */
export const ROOM_FULL_RETRY = { initialMs: 5_000, maxMs: 60_000 } as const;
