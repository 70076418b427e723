import type { ClosedInfo, JoinResult } from "../durable/GroupBuyRoom";
import type { RoomError } from "./roomResult";

/**
 * The sold-out fast path: a per-isolate hint "this buy is no longer OPEN", so the 99% of a storm on a sold-out buy is
 * answered without D1 or the room.
 *
 * Exact, not a guess: a buy never goes back to OPEN (stateMachine.ts), so a refusal for "not OPEN" stays right. The
 * room only hands the hint out once the buy is open to everyone (after a Plus-first hour), and with it everyone who
 * could get another answer — the seller, the host, and whoever has a reservation row (their retry with the same
 * idempotency key replays the earlier outcome). No row is added after a buy leaves OPEN, so that list is final; those
 * people always go to the room. Everyone else gets the room's refusal as the room last worded it: the decision is
 * final, its wording (e.g. "Sold out" before a later "CANCELLED") is at most CLOSED_HINT_FRESH_MS old, after which
 * the next attempt asks the room again. The hint answers before the join's D1 guards, so a caller who is also not
 * verified (or owes a debt) hears "sold out" first.
 */
export const CLOSED_HINT_FRESH_MS = 1_000;
/** Buys remembered per isolate; the oldest go first. */
const MAX_BUYS = 1_000;

interface Hint {
  refusal: RoomError;
  members: Set<string>;
  freshUntil: number;
}

const hints = new Map<string, Hint>();

/** The room's refusal for this caller if the buy is known to be closed to them; null → ask the room. */
export function closedRefusal(groupBuyId: string, userId: string, now: number): RoomError | null {
  const hint = hints.get(groupBuyId);
  if (!hint || now >= hint.freshUntil || hint.members.has(userId)) return null;
  return hint.refusal;
}

/** Whether the room should send its member list with a closed refusal (this isolate has none for the buy yet). */
export function wantsClosedMembers(groupBuyId: string): boolean {
  return !hints.has(groupBuyId);
}

/** Learns from the room's answer to a join: a refusal marked closed (re)starts the hint. */
export function learnClosed(groupBuyId: string, result: JoinResult, now: number): void {
  if (result.ok || !("closed" in result)) return;
  const { closed, ...refusal } = result as RoomError & { closed: ClosedInfo };
  const members = closed.members ? new Set(closed.members) : hints.get(groupBuyId)?.members;
  if (!members) return;
  hints.delete(groupBuyId);
  if (hints.size >= MAX_BUYS) hints.delete(hints.keys().next().value as string);
  hints.set(groupBuyId, { refusal, members, freshUntil: now + CLOSED_HINT_FRESH_MS });
}
