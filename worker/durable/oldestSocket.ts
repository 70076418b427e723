import { CLOSE_CODES } from "../../shared/protocol";

/**
 * One person's sockets in one object, past their cap: the oldest is let go (4008), so a new tab always gets in and one
 * account cannot take every place (a room's socket cap, the fan-out of a user's notification channel).
 */
export function letOldestGo(mine: WebSocket[], cap: number, openedAt: (ws: WebSocket) => number, reason: string) {
  if (mine.length < cap) return;
  const oldest = mine.reduce((a, b) => (openedAt(b) < openedAt(a) ? b : a));
  try {
    oldest.close(CLOSE_CODES.tooMany, reason);
  } catch {
    // already closed
  }
}
