import type { ClosedInfo, JoinResult, ProbeResult } from "../durable/GroupBuyRoom";
import { reservationKey } from "../durable/roomStore";
import type { RoomError } from "./roomResult";

/**
 * The sold-out fast path: a per-isolate hint "this buy is no longer OPEN", so the 99% of a storm on a sold-out buy is
 * answered without D1 or the room.
 *
 * Exact, not a guess: a buy never goes back to OPEN (stateMachine.ts), so a refusal for "not OPEN" stays right. The
 * room only hands the hint out once the buy is open to everyone (after a Plus-first hour), and with it everyone who
 * could get another answer — the seller and the host (by user), and every reservation's idempotency key (a retry with
 * that key replays the earlier outcome; the same buyer with a new key is refused like anyone else). No row is added
 * after a buy leaves OPEN, so those lists are final; those callers always go to the room. Everyone else gets the
 * room's refusal as the room last worded it: the decision is final, its wording (e.g. "Sold out" before a later
 * "CANCELLED") is at most CLOSED_HINT_FRESH_MS old, after which the next attempt asks the room again. Only that one:
 * while its answer is pending (up to CLOSED_HINT_REFRESH_MS, then another attempt may try), the others keep the
 * refusal, which is still exact, instead of all taking the D1 guards and the room at once every second of a storm.
 * The hint answers before the join's D1 guards, so a caller who is also not verified (or owes a debt) hears "sold out"
 * first.
 */
export const CLOSED_HINT_FRESH_MS = 1_000;
/** How long one stale-hint refresh may take before another attempt is sent to the room in its place. */
export const CLOSED_HINT_REFRESH_MS = 1_000;
/** Buys remembered per isolate; the oldest go first. */
const MAX_BUYS = 1_000;

interface Hint {
  refusal: RoomError;
  members: Set<string>;
  keys: Set<string>;
  freshUntil: number;
  /** A stale hint's refresh is on its way to the room until then (0: none). */
  refreshingUntil: number;
}

const hints = new Map<string, Hint>();

/** The buy's closed hint if it may answer this caller: not the seller or the host, no reservation under this key. */
function hintFor(groupBuyId: string, userId: string, idempotencyKey: string): Hint | null {
  const hint = hints.get(groupBuyId);
  if (!hint || hint.members.has(userId) || hint.keys.has(reservationKey(userId, idempotencyKey))) return null;
  return hint;
}

/**
 * The room's refusal for this join if the buy is known to be closed to it; null → ask the room. A stale hint makes
 * this attempt its refresh (null); `peek` leaves that to a later call of the same attempt (worker/trpc/joinFastPath.ts
 * answers before tRPC and lets the procedure's own call claim the refresh).
 */
export function closedRefusal(
  groupBuyId: string,
  userId: string,
  idempotencyKey: string,
  now: number,
  peek = false,
): RoomError | null {
  const hint = hintFor(groupBuyId, userId, idempotencyKey);
  if (!hint) return null;
  if (now < hint.freshUntil || now < hint.refreshingUntil) {
    countJoinPath("closed", now);
    return hint.refusal;
  }
  if (!peek) hint.refreshingUntil = now + CLOSED_HINT_REFRESH_MS; // this attempt asks the room for the current wording
  return null;
}

/**
 * The closed hint's refusal only while it is fresh (never claims or waits for a refresh): for a join whose guards ran
 * while the buy closed (joinGroupBuy asks again before the room). A stale hint's refresh is still the attempt that
 * claimed it in closedRefusal; this never answers for it unless someone refreshed the hint meanwhile.
 */
export function freshClosedRefusal(groupBuyId: string, userId: string, idempotencyKey: string, now: number) {
  const hint = hintFor(groupBuyId, userId, idempotencyKey);
  if (!hint || now >= hint.freshUntil) return null;
  countJoinPath("closed", now);
  return hint.refusal;
}

/** Whether the room should send its member list with a closed refusal (this isolate has none for the buy yet). */
export function wantsClosedMembers(groupBuyId: string): boolean {
  return !hints.has(groupBuyId);
}

/**
 * The full-but-OPEN hint: the room said "sold out" while the buy was still OPEN (every share reserved, holds in
 * flight; a failed hold can give a share back). It never refuses anything itself: it only makes the next join ask the
 * room first (GroupBuyRoom.probe, no D1) instead of running the D1 guards and then asking. The room's answer decides;
 * a "go" (a share came back) drops the hint, so a wrong hint costs one extra room call.
 */
export const FULL_HINT_MS = 2_000;
const full = new Map<string, number>();

/** Whether a join on this buy should ask the room before its D1 guards (the buy was full a moment ago). */
export function probeFirst(groupBuyId: string, now: number): boolean {
  const until = full.get(groupBuyId);
  if (until === undefined) return false;
  if (now < until) return true;
  full.delete(groupBuyId);
  return false;
}

/** Learns from the room's answer to a join or a probe: closed (re)starts the closed hint, full-but-OPEN the other. */
export function learnClosed(groupBuyId: string, result: JoinResult | ProbeResult, now: number): void {
  if (!result.ok && result.details?.reason === "sold_out" && !("closed" in result)) {
    full.delete(groupBuyId);
    if (full.size >= MAX_BUYS) full.delete(full.keys().next().value as string);
    full.set(groupBuyId, now + FULL_HINT_MS);
    return;
  }
  full.delete(groupBuyId);
  if (result.ok || !("closed" in result)) return;
  const { closed, ...refusal } = result as RoomError & { closed: ClosedInfo };
  const known = hints.get(groupBuyId);
  const lists = closed.members
    ? { members: new Set(closed.members), keys: new Set(closed.keys ?? []) }
    : known && { members: known.members, keys: known.keys };
  if (!lists) return;
  hints.delete(groupBuyId);
  if (hints.size >= MAX_BUYS) hints.delete(hints.keys().next().value as string);
  hints.set(groupBuyId, { refusal, ...lists, freshUntil: now + CLOSED_HINT_FRESH_MS, refreshingUntil: 0 });
}

/**
 * How this isolate's joins went, by path (what `npm run bench:join` prints with BENCH_DEBUG=1): `closed` answered from
 * the closed hint, `probe` a room probe's refusal, `probeGo` a probe that let the join go on, `room` the guards and
 * the room's join. Per path: how many, and the first and last time (ms epoch). A counter and two stores per join.
 */
export type JoinPath = "closed" | "probe" | "probeGo" | "room";
const pathStats = new Map<JoinPath, { count: number; first: number; last: number }>();

export function countJoinPath(path: JoinPath, now: number): void {
  const s = pathStats.get(path);
  if (s) {
    s.count++;
    s.last = now;
  } else pathStats.set(path, { count: 1, first: now, last: now });
}

/** The counters so far, and (reset) forget them: a bench reads them around each storm. */
export function joinPathStats(reset = false): Record<string, { count: number; first: number; last: number }> {
  const out = Object.fromEntries([...pathStats].map(([k, v]) => [k, { ...v }]));
  if (reset) pathStats.clear();
  return out;
}
