import type { ChatMessage } from "../../../shared/chat";

/**
 * Live lines kept while the reader follows the bottom of a room. A busy room may send 200 messages a second
 * (CHAT_ROOM_RATE); kept forever, ten minutes of it is 120,000 lines in memory and in the list. Older lines stay a
 * "load older" away (rooms.history).
 */
export const CHAT_LIVE_KEEP = 300;

/** Messages by id, oldest first, without duplicates (history, live frames and older pages overlap). */
export function mergeMessages(current: ChatMessage[], incoming: ChatMessage[]): ChatMessage[] {
  if (incoming.length === 0) return current;
  const last = current.at(-1)?.id ?? Number.NEGATIVE_INFINITY;
  // Live frames carry newer lines in order: appending them skips a map and a sort per frame.
  if (incoming.every((m, i) => m.id > (i === 0 ? last : incoming[i - 1].id))) return [...current, ...incoming];
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/**
 * Live lines merged in; while the reader follows the bottom, only the newest `keep` stay (`trimmed`: older lines were
 * let go, so "load older" must be offered). A reader who scrolled back keeps every line until they return.
 */
export function mergeLive(
  current: ChatMessage[],
  incoming: ChatMessage[],
  following: boolean,
  keep = CHAT_LIVE_KEEP,
): { messages: ChatMessage[]; trimmed: boolean } {
  const merged = mergeMessages(current, incoming);
  if (!following || merged.length <= keep) return { messages: merged, trimmed: false };
  return { messages: merged.slice(-keep), trimmed: true };
}
