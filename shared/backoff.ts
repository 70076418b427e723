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
