import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { CHAT_HISTORY_PAGE_MAX, type ChatMessage, type ChatSystemCode } from "../../shared/chat";
import type { Fill, ServerFrame } from "../../shared/protocol";
import { CLOSE_CODES, PING_FRAME, PONG_FRAME } from "../../shared/protocol";
import type { GroupBuyStatus } from "../../shared/schemas/groupbuy";
import { getDb, runBatch } from "../db/client";
import { groupBuys } from "../db/schema";
import { type ClaimedCaller, claimedCallers } from "../groupbuy/actions";
import { FLUSH_RETRY_MS, GUARD_GROUP_MAX, RELEASE_RECHECK_MS, RESERVATION_TTL_MS } from "../groupbuy/config";
import { getJoinHolds, type JoinHoldOutcome, placeJoinHolds, releaseJoinHold } from "../groupbuy/ledgerOps";
import { holdAmount } from "../groupbuy/pricing";
import { attempt, type RoomError, type RoomResult, roomError, toRoomError } from "../groupbuy/roomResult";
import { type Actor, assertTransition, deadlineOutcome } from "../groupbuy/stateMachine";
import { errorForLog } from "../lib/errors";
import { newId } from "../lib/ids";
import { assertCanJoinNow, openToAllAt } from "../membership/hooks";
import { flagRoomStep, resolveRoomStep } from "../queue/deadLetters";
import { chatSignalStatements } from "../recommend/interactions";
import { HOLD_GROUP_MAX } from "../wallet/holds";
import { RoomChat } from "./chat";
import { FanoutGroups } from "./chatFanout";
import { chatRoomLimit } from "./chatRoomCap";
import { GroupCommit, type Settled } from "./groupCommit";
import type { RoomIdentity } from "./roomIdentity";
import { flushRoom } from "./roomMirror";
import { failureKind, needsOperator, nextFailure } from "./roomRetries";
import {
  handleClientFrame,
  identityOf,
  MAX_ROOM_SOCKETS,
  openRoomSocket,
  roomIsFull,
  sessionExpired,
} from "./roomSockets";
import { type Reservation, type RoomMeta, RoomStore } from "./roomStore";
import { RoomTyping } from "./typing";

export interface JoinRequest {
  groupBuyId: string;
  userId: string;
  /** Shown in the room's "joined" line. */
  displayName?: string;
  /** The caller's verified home region: a buy's money lives in its region's book, so only residents join. */
  homeRegionId: string | null;
  shares: number;
  idempotencyKey: string;
  /** The buyer's membership tier level, read in the join's guard batch; absent → the group commit reads it. */
  tierLevel?: number;
  /**
   * A signed token's join whose guards the room reads (with its concurrent joins': claimedCallers), by the token's
   * hash; they then give displayName, homeRegionId and tierLevel. Absent: the worker read them.
   */
  claim?: { tokenHash: string };
  /** The caller has no closed-buy hint for this buy yet: send the member list with a closed refusal. */
  wantClosedMembers?: boolean;
}
/**
 * Attached to the refusal of a join because the buy is no longer OPEN (sold out, or closed), once it is open to
 * everyone: the worker keeps it as a hint (worker/groupbuy/closedHint.ts). Who could get another answer than this
 * refusal: `members` (the seller, who is told "sellers cannot join", and the host), and `keys` — every reservation's
 * reservationKey (roomStore.ts), whose retry replays its earlier outcome. Anyone else, including a buyer with a
 * reservation trying a new key, is refused exactly this way (reserveStep checks the key, then the seller, then
 * `unavailable`). No row is ever added once a buy left OPEN, so the lists are final.
 */
export interface ClosedInfo {
  members?: string[];
  keys?: string[];
}
export type JoinResult = RoomResult<JoinOk> | (RoomError & { closed: ClosedInfo });
/** What `probe` needs: who asks (from a session or a signed token's claim) and for how many shares. */
export type ProbeRequest = Pick<JoinRequest, "groupBuyId" | "userId" | "shares" | "wantClosedMembers">;
/** `go`: no refusal that holds whoever the caller is; run the join with its guards. */
export type ProbeResult = { ok: true; go: true } | Exclude<JoinResult, { ok: true }>;
export interface JoinOk {
  holdId: string;
  shares: number;
  /** Price × shares. */
  amount: number;
  /** What the hold took from the buyer's points (amount minus their membership discount). */
  paid: number;
  /** Paid by Gonggu (the buyer's membership tier); the seller still receives `amount`. */
  discount: number;
  /** True when this answers a retry of an earlier join with the same idempotency key. */
  replay: boolean;
  status: GroupBuyStatus;
  fill: Fill;
}
export interface LeaveOk {
  shares: number;
  amount: number;
  fill: Fill;
}
export interface TransitionRequest {
  groupBuyId: string;
  to: GroupBuyStatus;
  actor: Actor;
  actorId: string | null;
  reason: string | null;
}
export interface RoomSnapshot {
  status: GroupBuyStatus;
  statusReason: string | null;
  deadline: number;
  pricePerShare: number;
  maxPerPerson: number;
  fill: Fill;
  you: { shares: number };
}

type ReserveStep = RoomError | { ok: true; replay: RoomResult<JoinOk> } | { ok: true; row: Reservation };

/** The chat line a status change writes into the room. */
const SYSTEM_LINE: Record<GroupBuyStatus, ChatSystemCode | null> = {
  OPEN: null,
  FILLED: "filled",
  TIPPED: "tipped",
  ORDERED: "ordered",
  READY: "ready",
  COMPLETED: "completed",
  FAILED: "failed",
  CANCELLED: "cancelled",
};

/** Coalesce fill frames: at most one per this many ms however many joins land. */
const FILL_BROADCAST_MS = 25;
/** While joins keep landing on an OPEN buy, its D1 mirror is flushed at most once per this many ms (flushSoon). */
const MIRROR_GAP_MS = 50;
/** While the deadline waits for joins in flight, look again this often. */
const DEADLINE_RECHECK_MS = 1_000;
/** How soon after someone's first message the alarm tells the recommender. */
const CHAT_SIGNAL_DELAY_MS = 60_000;
/**
 * An alarm is one invocation, with its 1,000 subrequests and D1 queries
 * (https://developers.cloudflare.com/durable-objects/platform/limits/). Its heal read the ledger once per orphaned
 * reservation: 1,000 of them (a 1,000-share buy evicted mid-storm) sent 1,000 reads in one alarm, and an alarm over the
 * limit skipped the deadline, flush and chat signals behind the heal. Now the orphans' holds are read together
 * (one query per HEAL_RESERVED_PER_ALARM), voids and re-checks (≤ 6 statements each) are HEAL_VOIDS_PER_ALARM, chat
 * signals CHAT_SIGNAL_BATCHES_PER_ALARM batches of 40 (a read and a batch each); the rest waits DEADLINE_RECHECK_MS.
 */
const HEAL_RESERVED_PER_ALARM = 500;
const HEAL_VOIDS_PER_ALARM = 60;
const CHAT_SIGNAL_BATCHES_PER_ALARM = 5;
/** Said to a socket whose session expired before it closes (4001; the SPA then shows the login screen). */
const SESSION_EXPIRED = "Your session has expired. Log in again.";

/**
 * One instance per group buy (idFromName(groupBuyId)): the authority for its fill and status, and the home of its
 * room socket. A join is three steps — reserve shares here (synchronous check-and-set on our own SQLite), place the
 * ledger hold (D1), confirm here — and every step is idempotent, so a crash or eviction between them is healed by the
 * alarm (or by the caller's retry with the same idempotency key): a share is never left reserved without a hold and a
 * hold never outlives its share. D1 gets an eventually consistent mirror (roomMirror.ts).
 */
export class GroupBuyRoom extends DurableObject<Env> {
  private readonly store: RoomStore;
  private readonly chat: RoomChat;
  private readonly typing: RoomTyping;
  /** The sockets of each chat fan-out group (chatFanout.ts). */
  private readonly groups: FanoutGroups;
  /** The room's socket cap; a field so a test can lower it on a live instance instead of opening 5,000 sockets. */
  private socketCap = MAX_ROOM_SOCKETS;
  /** Reservations whose join is running in THIS instance; anything else in `reserved` is an orphan to heal. */
  private readonly inFlight = new Set<string>();
  /**
   * What each placed hold took (by reservation id), from the group commit until confirmStep writes it with the
   * confirmation. Memory only: an instance that dies in between loses it, and whoever finishes the join then (the
   * alarm's heal, a retry's group commit) reads the hold from the ledger again.
   */
  private readonly heldPaid = new Map<string, number>();
  private flushing: Promise<void> | null = null;
  private flushAgain = false;
  /** When the last mirror flush started, and the timer of a flush put off until MIRROR_GAP_MS after it (flushSoon). */
  private lastFlushAt = 0;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private alarmAt: number | null = null;
  private fillTimer: ReturnType<typeof setTimeout> | null = null;
  /** Joins waiting for their ledger holds (placeHoldGroup), a group per D1 batch. */
  private readonly holdGroups = new GroupCommit<{ id: string; tierLevel?: number }, Settled<RoomResult<object>>>(
    HOLD_GROUP_MAX,
    (waiting) => this.placeHoldGroup(waiting),
  );
  /** Claimed joins waiting for their guards (claimedCallers), a group per D1 round trip. */
  private readonly guardGroups = new GroupCommit<{ tokenHash: string; userId: string }, ClaimedCaller>(
    GUARD_GROUP_MAX,
    (claims) => claimedCallers(getDb(this.env), this.env, claims, Date.now()),
  );

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new RoomStore(ctx.storage.sql);
    this.groups = new FanoutGroups(ctx);
    this.chat = new RoomChat(
      ctx.storage.sql,
      (text) => this.broadcastText(text),
      (g) => this.groups.of(g),
      chatRoomLimit(env),
    );
    this.typing = new RoomTyping((text) => this.broadcastText(text));
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
    ctx.blockConcurrencyWhile(async () => {
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  // ---- RPC -------------------------------------------------------------------------------------------------------

  /** Creates the room from the D1 row (idempotent) and arms the deadline alarm. */
  async init(groupBuyId: string): Promise<RoomResult<{ status: GroupBuyStatus }>> {
    const meta = await this.ensureMeta(groupBuyId);
    if (!meta) return roomError("NOT_FOUND", "No group buy with that id.");
    return { ok: true, status: meta.status };
  }

  async join(request: JoinRequest): Promise<JoinResult> {
    let req = request;
    if (req.claim) {
      // A refusal that holds whoever asks (probe's) needs no guards: the attempts that reach a buy just sold out
      // would otherwise each wait for a guard read behind the fill's last holds (bench:join's open loop: 140–160 ms
      // for the ~40 attempts due in the 100 ms after the last share, its p99). Only for a room that knows its buy;
      // otherwise the guards first, as when the worker reads them.
      const known = this.store.meta();
      const refusal = known?.groupBuyId === req.groupBuyId ? this.refusalForAnyone(known, req) : null;
      if (refusal) return refusal;
      const found = await this.guardGroups.submit({ tokenHash: req.claim.tokenHash, userId: req.userId });
      if (!found.caller) return toRoomError(found.error);
      const { user, guards } = found.caller;
      req = { ...req, claim: undefined, displayName: user.displayName, ...guards };
    }
    const meta = await this.ensureMeta(req.groupBuyId);
    if (!meta) return roomError("NOT_FOUND", "No group buy with that id.");
    const early = await this.earlyAccessRefusal(meta, req);
    if (early) return early;
    const step = this.reserveStep(req);
    if (!step.ok) return this.withClosedInfo(step, req);
    if ("replay" in step) return step.replay;
    // Only a joiner's name is ever shown (their join and leave lines): a refused attempt writes nothing to storage.
    if (req.displayName) this.chat.rememberName(req.userId, req.displayName);
    // reserveStep just left the row `reserved` in this instance, synchronously: no need to read it back
    const placed = await this.queueHold(step.row.id, req.tierLevel);
    if (!placed.ok) return placed;
    return this.confirmStep(step.row.id, undefined, req.displayName);
  }

  /**
   * A join's first question when the worker last heard "sold out" from this buy while it was still OPEN (every share
   * reserved, holds in flight; worker/groupbuy/closedHint.ts): asked before the D1 guards, answered from storage now.
   * It refuses only what reserveStep would refuse this caller whoever they are — not OPEN, past the deadline, no
   * share left — and only for callers with nothing to replay or to be told instead: not the seller or the host, no
   * reservation row, no more shares than the per-person cap, after the Plus-first hour. Anyone else, or any share
   * left (a failed hold gave one back), gets `go`. So a full buy costs a room call and no D1, and the answer is the
   * room's own; what changes is precedence: "sold out" comes before verification, debt and region errors, as it
   * does for closed buys.
   */
  async probe(req: ProbeRequest): Promise<ProbeResult> {
    const meta = await this.ensureMeta(req.groupBuyId);
    return (meta && (this.refusalForAnyone(meta, req) as ProbeResult | null)) || { ok: true, go: true };
  }

  /** probe's answer from storage: a refusal that holds whoever asks (see probe), or null when the join must go on. */
  private refusalForAnyone(meta: RoomMeta, req: ProbeRequest): JoinResult | null {
    const now = Date.now();
    if (now < openToAllAt(meta) || req.shares > meta.maxPerPerson) return null;
    const refusal =
      this.unavailable(meta, now) ?? (meta.totalShares - this.store.counts().taken <= 0 ? this.soldOut(meta) : null);
    // who is exempt, only once there is a refusal: a claimed join on a buy with shares left asks nothing of storage
    if (!refusal || req.userId === meta.sellerId || req.userId === meta.hostId) return null;
    return this.store.hasReservation(req.userId) ? null : this.withClosedInfo(refusal, req);
  }

  /** Marks a refusal that only says "this buy is not OPEN any more" (and will say so to everyone who has no row). */
  private withClosedInfo(refusal: RoomError, req: Pick<JoinRequest, "wantClosedMembers">): JoinResult {
    const meta = this.store.meta();
    const reason = refusal.details?.reason;
    if (!meta || meta.status === "OPEN" || (reason !== "sold_out" && reason !== "closed")) return refusal;
    if (Date.now() < openToAllAt(meta)) return refusal; // the Plus-first hour refuses others differently
    if (!req.wantClosedMembers) return { ...refusal, closed: {} };
    const members = meta.hostId ? [meta.sellerId, meta.hostId] : [meta.sellerId];
    return { ...refusal, closed: { members, keys: this.store.reservationKeys() } };
  }

  async leave(req: { groupBuyId: string; userId: string; idempotencyKey: string }): Promise<RoomResult<LeaveOk>> {
    const meta = await this.ensureMeta(req.groupBuyId);
    if (!meta) return roomError("NOT_FOUND", "No group buy with that id.");
    const now = Date.now();
    const prior = this.store.leaveResult(req.userId, req.idempotencyKey);
    if (prior) return JSON.parse(prior) as RoomResult<LeaveOk>;
    if (req.userId === meta.hostId) {
      return roomError("FORBIDDEN", "You host this group buy, so you cannot leave it. Cancel it instead if you must.");
    }
    if (meta.status !== "OPEN") {
      return roomError(
        "PRECONDITION_FAILED",
        `This group buy is ${meta.status}: leaving is only possible while it is OPEN. After it fills or tips, only a cancellation returns points.`,
        { reason: "leave_closed" },
      );
    }
    if (this.store.list("user_id = ? AND state = 'reserved'", req.userId).length > 0) {
      return roomError("CONFLICT", "Your join is still being processed; try leaving again in a moment.", {
        reason: "in_progress",
      });
    }
    const rows = this.store.list("user_id = ? AND state = 'confirmed'", req.userId);
    if (rows.length === 0) return roomError("PRECONDITION_FAILED", "You have not joined this group buy.");
    // Shares go back at once (synchronously, with the checks above); the holds are voided right after.
    for (const r of rows) this.store.move(r.id, "confirmed", "voiding", { thenState: "left", checkAt: now });
    this.store.touch();
    const shares = rows.reduce((s, r) => s + r.shares, 0);
    const amount = rows.reduce((s, r) => s + r.amount, 0);
    const result: RoomResult<LeaveOk> = { ok: true, shares, amount, fill: this.fill() };
    this.store.saveLeaveResult(req.userId, req.idempotencyKey, JSON.stringify(result), now);
    this.chat.system("leave", { name: this.chat.nameOf(req.userId) }, now);
    this.afterFillChange();
    for (const r of rows) await this.finishVoid(r.id);
    return { ...result, fill: this.fill() };
  }

  /** Seller/host/admin actions and system completion; the pure state machine decides what is legal. */
  async transition(req: TransitionRequest): Promise<RoomResult<{ status: GroupBuyStatus }>> {
    const meta = await this.ensureMeta(req.groupBuyId);
    if (!meta) return roomError("NOT_FOUND", "No group buy with that id.");
    // The system repeating itself (two buyers confirming the last pickup at once, a cron re-run) is a no-op.
    if (req.actor === "system" && meta.status === req.to) return { ok: true, status: meta.status };
    const allowed = attempt(() => {
      assertTransition(meta.status, req.to, req.actor);
      return {};
    });
    if (!allowed.ok) return allowed;
    if (req.to === "CANCELLED" && !req.reason) {
      return roomError("BAD_REQUEST", "Say why the group buy is cancelled; buyers see the reason.");
    }
    this.store.setStatus(meta.status, req.to, req.actorId, req.reason, Date.now());
    this.broadcastState();
    await this.requestFlush(true);
    return { ok: true, status: req.to };
  }

  async snapshot(groupBuyId: string, userId: string | null): Promise<RoomResult<RoomSnapshot>> {
    const meta = await this.ensureMeta(groupBuyId);
    if (!meta) return roomError("NOT_FOUND", "No group buy with that id.");
    return { ok: true, ...this.snapshotOf(meta, userId) };
  }

  /** Runs the alarm's work now (the cron's safety net for a room whose alarm did not fire). Idempotent. */
  async reconcile(groupBuyId: string): Promise<RoomResult<{ status: GroupBuyStatus }>> {
    const meta = await this.ensureMeta(groupBuyId);
    if (!meta) return roomError("NOT_FOUND", "No group buy with that id.");
    await this.alarm();
    return { ok: true, status: this.store.meta()!.status };
  }

  // ---- The join steps (public so tests can stop between them and evict the object) -------------------------------

  /** Step 1, synchronous: idempotency, rules and the check-and-set of shares in one go. */
  reserveStep(req: JoinRequest): ReserveStep {
    const meta = this.store.meta();
    if (!meta || meta.groupBuyId !== req.groupBuyId) return roomError("NOT_FOUND", "No group buy with that id.");
    const now = Date.now();
    const existing = this.store.byKey(req.userId, req.idempotencyKey);
    if (existing) {
      if (existing.shares !== req.shares) {
        return roomError(
          "CONFLICT",
          `This idempotency key was already used to join with ${existing.shares} share(s); use a new key for a new join.`,
        );
      }
      if (existing.state !== "reserved") return { ok: true, replay: this.joinOutcome(existing, true) };
      if (this.inFlight.has(existing.id)) {
        return roomError("CONFLICT", "This join is still being processed; try again in a moment.", {
          reason: "in_progress",
        });
      }
      this.inFlight.add(existing.id); // an orphan from before a restart: this retry finishes it
      return { ok: true, row: existing };
    }
    if (req.userId === meta.sellerId) return roomError("FORBIDDEN", "Sellers cannot join their own group buy.");
    const unavailable = this.unavailable(meta, now);
    if (unavailable) return unavailable;
    if (req.homeRegionId !== meta.regionId) {
      return roomError(
        "PRECONDITION_FAILED",
        "This group buy is for another neighbourhood. Verify that neighbourhood as your home to join.",
        { reason: "region" },
      );
    }
    const mine = this.store.userShares(req.userId);
    if (mine + req.shares > meta.maxPerPerson) {
      return roomError(
        "PRECONDITION_FAILED",
        `At most ${meta.maxPerPerson} share(s) per person; you already have ${mine}.`,
        { reason: "max_per_person", max: meta.maxPerPerson, current: mine },
      );
    }
    const remaining = meta.totalShares - this.store.counts().taken;
    if (remaining <= 0) return this.soldOut(meta);
    if (req.shares > remaining) {
      return roomError("CONFLICT", `Only ${remaining} share(s) left; you asked for ${req.shares}.`, {
        reason: "not_enough_shares",
        remaining,
      });
    }
    const id = newId(now);
    const expiresAt = now + RESERVATION_TTL_MS;
    const row = this.store.insertReservation({
      id,
      userId: req.userId,
      idemKey: req.idempotencyKey,
      shares: req.shares,
      amount: holdAmount(meta.pricePerShare, req.shares),
      createdAt: now,
      expiresAt,
    });
    this.inFlight.add(id);
    this.ensureAlarmBy(expiresAt);
    return { ok: true, row };
  }

  /** The seller's Plus-first hour (membership): checked before any share is reserved. */
  private async earlyAccessRefusal(meta: RoomMeta, req: JoinRequest): Promise<RoomError | null> {
    const now = Date.now();
    if (now >= openToAllAt(meta)) return null;
    try {
      await assertCanJoinNow(this.env, {
        userId: req.userId,
        regionId: meta.regionId,
        openedAt: meta.openedAt,
        plusEarlyAccess: true,
        now,
      });
      return null;
    } catch (e) {
      return toRoomError(e);
    }
  }

  /**
   * Step 2: the ledger hold (idempotent by hold id = reservation id). A refusal releases the shares.
   * Group commit: while one batch of holds is in flight, the joins arriving meanwhile queue up and go together in the
   * next batch (one tier read + one D1 batch for up to HOLD_GROUP_MAX joins). An idle room commits a join at once. The
   * next group is led by its oldest join, in that join's own invocation, so no request runs other requests' queries
   * without bound. Eviction mid-batch is the same as before: the reservations are left `reserved` and the alarm (or a
   * retry) finds the holds that landed and confirms them, or releases the shares.
   */
  async placeHoldStep(id: string, tierLevel?: number): Promise<RoomResult<object>> {
    if (this.store.get(id)?.state !== "reserved") return { ok: true };
    return this.queueHold(id, tierLevel);
  }

  private async queueHold(id: string, tierLevel?: number): Promise<RoomResult<object>> {
    const settled = await this.holdGroups.submit({ id, tierLevel });
    if ("error" in settled) throw settled.error;
    return settled.value;
  }

  /** One group commit: the holds of the group's joins still reserved, in one ledger batch (placeJoinHolds). */
  private async placeHoldGroup(waiting: { id: string; tierLevel?: number }[]): Promise<Settled<RoomResult<object>>[]> {
    this.store.countHoldGroup(waiting.length);
    const meta = this.store.meta()!;
    const settled: Settled<RoomResult<object>>[] = waiting.map(() => ({ value: { ok: true } }));
    const live: { at: number; tierLevel?: number; row: Reservation }[] = [];
    waiting.forEach(({ id, tierLevel }, at) => {
      const row = this.store.get(id);
      if (row?.state === "reserved") live.push({ at, tierLevel, row });
    });
    const now = Date.now();
    const outcomes = await placeJoinHolds(
      this.env,
      meta.regionId,
      live.map(({ tierLevel, row }) => ({
        holdId: row.id,
        tierLevel,
        groupBuyId: meta.groupBuyId,
        regionId: meta.regionId,
        userId: row.userId,
        gross: row.amount,
        shares: row.shares,
        title: meta.title,
        now,
      })),
    );
    live.forEach(({ at, row }, i) => {
      try {
        settled[at] = { value: this.holdOutcome(row.id, outcomes[i]) };
      } catch (error) {
        settled[at] = { error };
      }
    });
    return settled;
  }

  /** Records a placed hold, or releases the shares for a typed refusal; an unknown failure is rethrown. */
  private holdOutcome(id: string, outcome: JoinHoldOutcome): RoomResult<object> {
    if (outcome.hold) {
      this.heldPaid.set(id, outcome.hold.amount);
      return { ok: true };
    }
    this.inFlight.delete(id);
    // Unknown failures (database unreachable) leave the reservation for the alarm: we cannot know if the hold
    // landed. A typed refusal (not enough points) means it did not, so the shares go back now.
    let error: RoomError;
    try {
      error = toRoomError(outcome.error);
    } catch {
      this.ensureAlarmBy(Math.max(this.store.get(id)?.expiresAt ?? 0, Date.now()));
      throw outcome.error;
    }
    if (this.store.move(id, "reserved", "released", { error: JSON.stringify(error) })) this.afterFillChange();
    return error;
  }

  /**
   * Step 3: the hold exists; count the shares as confirmed (or give the hold back if the buy closed meanwhile).
   * `paid`: what the hold took, when the caller read the hold itself (the alarm's heal); else the group commit's.
   * The confirmation is one write (state, paid, rev) that returns the row; the D1 mirror finds it by its rev
   * (roomMirror.ts). `name`: the joiner's display name when the join brought it (else the room's chat names).
   */
  async confirmStep(id: string, paid?: number, name?: string): Promise<RoomResult<JoinOk>> {
    this.inFlight.delete(id);
    const held = paid ?? this.heldPaid.get(id);
    this.heldPaid.delete(id);
    const meta = this.store.meta()!;
    const confirmed = meta.status === "OPEN" ? this.store.move(id, "reserved", "confirmed", { paid: held }) : null;
    if (confirmed) {
      const line = { name: name || this.chat.nameOf(confirmed.userId), shares: confirmed.shares };
      this.chat.system("join", line, Date.now());
      if (this.store.counts().confirmed >= meta.totalShares) {
        this.store.setStatus("OPEN", "FILLED", null, null, Date.now());
        this.broadcastState();
      }
      this.afterFillChange();
      return this.joinOutcome(confirmed, false);
    }
    const row = this.store.get(id);
    if (!row) return roomError("NOT_FOUND", "No such reservation.");
    if (row.state !== "reserved") return this.joinOutcome(row, false);
    const error = roomError(
      "PRECONDITION_FAILED",
      `This group buy became ${meta.status} while you were joining; your points were released.`,
      { reason: "closed" },
    );
    this.store.move(id, "reserved", "voiding", { thenState: "released", error: JSON.stringify(error), checkAt: 0 });
    await this.finishVoid(id);
    return error;
  }

  /** Test hook: a direct edit of the room's storage (standing in for time passing); the store re-reads after it. */
  debugExec(query: string, ...bindings: SqlStorageValue[]): void {
    this.ctx.storage.sql.exec(query, ...bindings);
    this.store.forget();
  }

  /** Test/diagnostic view of the room's storage; `summed` is what `counts` (kept in memory) must equal. */
  debugState() {
    return {
      meta: this.store.meta(),
      counts: this.store.counts(),
      summed: this.store.countAll(),
      reservations: this.store.all(),
      holdGroups: this.store.holdGroupCounts(),
      events: this.ctx.storage.sql
        .exec<{ to_status: string; at: number }>("SELECT to_status, at FROM events")
        .toArray(),
    };
  }

  // ---- Alarm: deadline, healing, mirror retries (at-least-once: every part is idempotent) -------------------------

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    if (!this.store.meta()) return;
    let more = false; // heal or chat signals stopped at their per-alarm bound
    let sessionsDue: number | null = null;
    try {
      sessionsDue = this.endExpiredSessions(Date.now());
      // Each step on its own: one that keeps failing (roomRetries.ts) backs off without holding back the others.
      // The mirror (requestFlush) and the rows' voids and re-checks keep their own failures.
      more = (await this.alarmStep("heal", () => this.heal(Date.now()))) ?? false;
      this.closeAtDeadline(Date.now());
      await this.requestFlush(true);
      more = ((await this.alarmStep("chatSignals", () => this.sendChatSignals())) ?? false) || more;
    } catch (e) {
      // Never let the alarm die after the platform's few retries: log, and come back on our own schedule.
      const groupBuyId = this.store.meta()?.groupBuyId;
      console.error(JSON.stringify({ level: "error", where: "room.alarm", groupBuyId, error: errorForLog(e) }));
      this.ensureAlarmBy(Date.now() + FLUSH_RETRY_MS);
    } finally {
      this.scheduleNextAlarm(sessionsDue);
      if (more) this.ensureAlarmBy(Date.now() + DEADLINE_RECHECK_MS);
    }
  }

  /** Runs one step of the alarm; undefined when it failed (then it comes back after its backoff). */
  private async alarmStep<T>(step: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await run();
      await this.stepSucceeded(step);
      return result;
    } catch (e) {
      this.ensureAlarmBy(await this.stepFailed(step, e));
      return undefined;
    }
  }

  /**
   * A step failed: it runs again after a bounded exponential backoff (roomRetries.ts), logged with the buy and the
   * step each time; once it failed OPERATOR_AFTER times in a row it is marked for operators in D1 (best effort: D1
   * may be what is down; the next failure tries again). Returns when to try again.
   */
  private async stepFailed(step: string, error: unknown): Promise<number> {
    const now = Date.now();
    const groupBuyId = this.store.meta()!.groupBuyId;
    const failure = nextFailure(this.store.stepFailure(step), step, failureKind(error), errorForLog(error), now);
    this.store.setStepFailure(failure);
    const operator = needsOperator(failure);
    const { kind, failures, retryAt } = failure;
    console.error(
      JSON.stringify({
        level: "error",
        where: "room.retry",
        groupBuyId,
        step,
        kind,
        failures,
        retryAt,
        operator,
        error: failure.error,
      }),
    );
    if (operator) {
      try {
        await flagRoomStep(getDb(this.env), { groupBuyId, ...failure }, now);
        const current = this.store.stepFailure(step);
        if (current) this.store.setStepFailure({ ...current, flagged: true });
      } catch (e) {
        console.error(JSON.stringify({ level: "error", where: "room.flag", groupBuyId, step, error: errorForLog(e) }));
      }
    }
    return retryAt;
  }

  /** A step succeeded: its failures are forgotten and its operators' mark (if any) resolved. */
  private async stepSucceeded(step: string): Promise<void> {
    const failure = this.store.stepFailure(step);
    if (!failure) return;
    const groupBuyId = this.store.meta()!.groupBuyId;
    if (failure.flagged) {
      try {
        await resolveRoomStep(getDb(this.env), groupBuyId, step, failure.firstAt, Date.now());
      } catch (e) {
        // kept flagged (the count starts over): the step's next success resolves the mark
        console.error(JSON.stringify({ level: "error", where: "room.flag", groupBuyId, step, error: errorForLog(e) }));
        this.store.setStepFailure({ ...failure, failures: 0, retryAt: Date.now() + FLUSH_RETRY_MS });
        return;
      }
    }
    console.info(
      JSON.stringify({ level: "info", where: "room.retry", groupBuyId, step, healedAfter: failure.failures }),
    );
    this.store.clearStepFailure(step);
  }

  /** Heals the most overdue rows, within the per-alarm bounds above; true when rows were left for the next alarm. */
  private async heal(now: number): Promise<boolean> {
    const meta = this.store.meta()!;
    const reserved = this.store
      .list("state = 'reserved' ORDER BY expires_at LIMIT ?", HEAL_RESERVED_PER_ALARM + this.inFlight.size + 1)
      .filter((row) => !this.inFlight.has(row.id));
    const more = reserved.length > HEAL_RESERVED_PER_ALARM;
    const page = reserved.slice(0, HEAL_RESERVED_PER_ALARM);
    const holds = await getJoinHolds(
      this.env,
      meta.regionId,
      page.map((row) => row.id),
    );
    for (const row of page) {
      const hold = holds.get(row.id) ?? null;
      // The awaits (the read, earlier rows' confirmations) let other requests in: act only on a row nobody took up.
      const current = this.store.get(row.id);
      if (current?.state !== "reserved" || this.inFlight.has(row.id)) continue;
      if (hold && (hold.status === "pending" || hold.status === "posted")) {
        await this.confirmStep(row.id, hold.amount); // evicted between hold and confirmation: finish the join
      } else if (hold || now >= row.expiresAt) {
        // No usable hold after the reservation's time ran out: give the shares back, look at the ledger once more
        // later in case a slow hold still lands (then it is voided).
        const error = roomError("PRECONDITION_FAILED", "Your join timed out before it was confirmed. Try again.", {
          reason: "timeout",
        });
        this.store.move(row.id, "reserved", "released", {
          error: JSON.stringify(error),
          checkAt: now + RELEASE_RECHECK_MS,
        });
        this.afterFillChange();
      }
    }
    let voids = HEAL_VOIDS_PER_ALARM;
    for (const row of this.store.list(
      "state = 'voiding' AND check_at <= ? ORDER BY check_at LIMIT ?",
      now,
      voids + 1,
    )) {
      if (voids-- <= 0) return true;
      await this.finishVoid(row.id);
    }
    for (const row of this.store.list(
      "state = 'released' AND check_at <= ? ORDER BY check_at LIMIT ?",
      now,
      voids + 1,
    )) {
      if (voids-- <= 0) return true;
      const step = `recheck:${row.id}`;
      try {
        await releaseJoinHold(this.env, meta.regionId, row.id, now);
        this.store.setCheckAt(row.id, null);
        await this.stepSucceeded(step);
      } catch (e) {
        this.store.setCheckAt(row.id, await this.stepFailed(step, e));
      }
    }
    return more;
  }

  /** At the deadline: TIPPED with enough confirmed shares, else FAILED (the settlement jobs then void every hold). */
  private closeAtDeadline(now: number): void {
    const meta = this.store.meta()!;
    if (meta.status !== "OPEN" || now < meta.deadline) return;
    // Joins reserved before the deadline get to finish (or be healed) first.
    if (this.store.list("state = 'reserved'").length > 0) return;
    const { confirmed } = this.store.counts();
    const outcome = deadlineOutcome(confirmed, meta.minShares);
    const reason =
      outcome === "FAILED"
        ? `Only ${confirmed} of the ${meta.minShares} shares needed were taken by the deadline; every hold is released.`
        : null;
    this.store.setStatus("OPEN", outcome, null, reason, now);
    this.broadcastState();
  }

  /** `sessionsDue`: the next expiry of an open socket's session (endExpiredSessions), or null. */
  private scheduleNextAlarm(sessionsDue: number | null): void {
    const meta = this.store.meta();
    const stored = this.store.nextWakeUp();
    const next = stored === null || sessionsDue === null ? (stored ?? sessionsDue) : Math.min(stored, sessionsDue);
    if (!meta || next === null) return;
    const now = Date.now();
    this.alarmAt = null;
    this.ensureAlarmBy(Math.max(next, now + (next <= now ? DEADLINE_RECHECK_MS : 0)));
  }

  /**
   * Chatting is a weak taste signal (worker/recommend): one idempotent row per person, written in small batches. Only
   * for people D1 knows (rec_interactions.user_id references users): one unknown id would fail its whole batch on
   * every alarm, every FLUSH_RETRY_MS, and hold back everyone else's signal behind it. Such a row is dropped instead.
   */
  private async sendChatSignals(): Promise<boolean> {
    const groupBuyId = this.store.meta()!.groupBuyId;
    const db = getDb(this.env);
    let batches = CHAT_SIGNAL_BATCHES_PER_ALARM;
    for (let batch = this.chat.unsentSignals(40); batch.length > 0; batch = this.chat.unsentSignals(40)) {
      if (batches-- <= 0) return true;
      const { statements, dropped } = await chatSignalStatements(db, groupBuyId, batch);
      if (dropped > 0) console.error(JSON.stringify({ level: "warn", where: "room.chatSignals", groupBuyId, dropped }));
      if (statements.length > 0) await runBatch(db, statements);
      this.chat.markSignalsSent(batch.map((s) => s.userId));
    }
    return false;
  }

  private ensureAlarmBy(at: number): void {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }

  // ---- Internals -------------------------------------------------------------------------------------------------

  private async ensureMeta(groupBuyId: string): Promise<RoomMeta | null> {
    const existing = this.store.meta();
    if (existing) return existing.groupBuyId === groupBuyId ? existing : null;
    const row = await getDb(this.env).select().from(groupBuys).where(eq(groupBuys.id, groupBuyId)).get();
    if (!row) return null;
    this.store.init({
      groupBuyId: row.id,
      regionId: row.regionId,
      sellerId: row.sellerId,
      hostId: row.hostId,
      title: row.title,
      totalShares: row.totalShares,
      minShares: row.minShares,
      maxPerPerson: row.maxPerPerson,
      pricePerShare: row.pricePerShare,
      deadline: row.deadline,
      status: row.status,
      statusReason: row.statusReason,
      openedAt: row.createdAt,
      plusEarlyAccess: row.plusEarlyAccess,
    });
    const meta = this.store.meta()!;
    if (meta.status === "OPEN") this.ensureAlarmBy(meta.deadline);
    return meta;
  }

  /** Voids the hold of a `voiding` row, then moves it on; a failure is retried by the alarm. */
  private async finishVoid(id: string): Promise<void> {
    const meta = this.store.meta()!;
    const row = this.store.get(id);
    if (row?.state !== "voiding") return;
    const now = Date.now();
    try {
      const outcome = await releaseJoinHold(this.env, meta.regionId, id, now);
      if (outcome === "posted") {
        console.error(JSON.stringify({ level: "error", where: "room.void", holdId: id, error: "hold already posted" }));
      }
      const then = row.thenState ?? "released";
      this.store.move(id, "voiding", then, { checkAt: then === "released" ? now + RELEASE_RECHECK_MS : null });
      this.store.touch();
      this.requestFlush();
      await this.stepSucceeded(`void:${id}`);
    } catch (e) {
      const retryAt = await this.stepFailed(`void:${id}`, e);
      if (this.store.get(id)?.state === "voiding") {
        this.store.setCheckAt(id, retryAt);
        this.ensureAlarmBy(retryAt);
      } else this.store.clearStepFailure(`void:${id}`); // voided meanwhile by another call: nothing to retry
    }
  }

  private joinOutcome(row: Reservation, replay: boolean): RoomResult<JoinOk> {
    if (row.error && (row.state === "released" || row.thenState === "released")) {
      return JSON.parse(row.error) as RoomError;
    }
    const meta = this.store.meta()!;
    return {
      ok: true,
      holdId: row.id,
      shares: row.shares,
      amount: row.amount,
      paid: row.paid ?? row.amount,
      discount: row.amount - (row.paid ?? row.amount),
      replay,
      status: meta.status,
      fill: this.fill(),
    };
  }

  /** The refusals that hold for everyone: the buy is not OPEN, or its deadline passed. */
  private unavailable(meta: RoomMeta, now: number): RoomError | null {
    if (meta.status === "FILLED") return this.soldOut(meta);
    if (meta.status !== "OPEN") {
      return roomError("PRECONDITION_FAILED", `This group buy is ${meta.status}; joining is closed.`, {
        reason: "closed",
      });
    }
    if (now >= meta.deadline) {
      return roomError("PRECONDITION_FAILED", "The deadline of this group buy has passed.", { reason: "closed" });
    }
    return null;
  }

  private soldOut(meta: RoomMeta): RoomError {
    return roomError("CONFLICT", `Sold out: all ${meta.totalShares} shares are taken.`, { reason: "sold_out" });
  }

  private fill(): Fill {
    const meta = this.store.meta()!;
    const c = this.store.counts();
    return {
      totalShares: meta.totalShares,
      takenShares: c.taken,
      confirmedShares: c.confirmed,
      remainingShares: meta.totalShares - c.taken,
      minShares: meta.minShares,
      participantCount: c.participants,
    };
  }

  private snapshotOf(meta: RoomMeta, userId: string | null): RoomSnapshot {
    return {
      status: meta.status,
      statusReason: meta.statusReason,
      deadline: meta.deadline,
      pricePerShare: meta.pricePerShare,
      maxPerPerson: meta.maxPerPerson,
      fill: this.fill(),
      you: { shares: userId ? this.store.userShares(userId, ["confirmed"]) : 0 },
    };
  }

  /** Something changed the fill: tell sockets (coalesced) and push the mirror to D1 (not awaited by joins). */
  private afterFillChange(): void {
    this.flushSoon();
    if (this.fillTimer || this.ctx.getWebSockets().length === 0) return;
    this.fillTimer = setTimeout(() => {
      this.fillTimer = null;
      const meta = this.store.meta();
      if (meta) this.broadcast({ type: "fill", groupBuyId: meta.groupBuyId, fill: this.fill(), at: Date.now() });
    }, FILL_BROADCAST_MS);
  }

  private broadcastState(): void {
    const meta = this.store.meta()!;
    this.chat.flush(); // chat sent before the change reaches everyone before the state frame
    this.broadcast({
      type: "state",
      groupBuyId: meta.groupBuyId,
      status: meta.status,
      reason: meta.statusReason,
      at: Date.now(),
    });
    const code = SYSTEM_LINE[meta.status];
    if (code) this.chat.system(code, meta.statusReason ? { reason: meta.statusReason } : null, Date.now());
    if (meta.status !== "OPEN") this.closeReadersOnly();
  }

  private broadcast(frame: ServerFrame): void {
    this.broadcastText(JSON.stringify(frame));
  }

  private broadcastText(text: string): number {
    const sockets = this.ctx.getWebSockets();
    for (const ws of sockets) {
      try {
        ws.send(text);
      } catch {
        // a socket closing under us; its close handler cleans up
      }
    }
    return sockets.length;
  }

  /**
   * The mirror after a join or a released share: at once, unless the last flush started less than MIRROR_GAP_MS ago
   * while the buy is OPEN — then once that gap has passed, for every change made meanwhile. A storm's joins thus share
   * a flush instead of queueing one after another on D1 in front of the next joins' ledger holds. Nothing is lost if
   * this instance dies before the timer: every confirmation or release came after its reservation armed the alarm,
   * and the alarm flushes whatever is unmirrored (roomMirror.ts works from the room's storage, not from memory).
   */
  private flushSoon(): void {
    const wait = this.lastFlushAt + MIRROR_GAP_MS - Date.now();
    if (wait > 0 && this.store.meta()?.status === "OPEN") {
      this.flushTimer ??= setTimeout(() => {
        this.flushTimer = null;
        void this.requestFlush();
      }, wait);
      return;
    }
    void this.requestFlush(); // a status change (FILLED) goes at once, timer or not
  }

  /**
   * One flush at a time; requests during a flush make it run once more. A failure is retried by the alarm, backing
   * off (roomRetries.ts); meanwhile the joins' own flushes wait for it (a batch that failed fails again in front of
   * theirs: it carries the same unmirrored rows first), unless `now` (the alarm, a status change) asks for one.
   */
  private requestFlush(now = false): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    const backingOff = this.store.stepFailure("flush");
    if (!now && backingOff && backingOff.retryAt > Date.now()) return Promise.resolve();
    // rooms from before step_failures kept their retry here; it is step_failures' now (nextWakeUp reads both)
    if (this.store.meta()?.flushDue != null) this.store.setFlushDue(null);
    this.flushing = (async () => {
      try {
        do {
          this.flushAgain = false;
          this.lastFlushAt = Date.now();
          await flushRoom(this.store, this.env, this.lastFlushAt);
        } while (this.flushAgain);
        await this.stepSucceeded("flush");
      } catch (e) {
        this.ensureAlarmBy(await this.stepFailed("flush", e));
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }

  // ---- WebSocket (hibernation API) -------------------------------------------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    return openRoomSocket(
      this.ctx,
      this.groups,
      request,
      async (identity) => {
        const meta = await this.ensureMeta(identity.groupBuyId);
        return meta ? { groupBuyId: meta.groupBuyId, snapshot: this.snapshotOf(meta, identity.userId) } : null;
      },
      (ws, identity) => {
        // the socket ends when its session does: the alarm then (a socket that sends something is checked sooner)
        if (identity.sessionExpiresAt !== undefined) this.ensureAlarmBy(identity.sessionExpiresAt);
        this.chat.flush(); // a newcomer's history must not miss what is still waiting to go out
        const { messages, hasMore } = this.chat.latest();
        const frame: ServerFrame = {
          type: "chat.history",
          messages,
          hasMore,
          readUpTo: this.chat.readUpTo(identity.userId),
          canPost: this.canPost(identity),
        };
        ws.send(JSON.stringify(frame));
      },
      this.socketCap,
    );
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await handleClientFrame(ws, message, {
      sessionExpired: (ws) => void this.endForSession([ws], SESSION_EXPIRED),
      sync: (identity) => {
        const meta = this.store.meta();
        return meta ? { groupBuyId: meta.groupBuyId, snapshot: this.snapshotOf(meta, identity.userId) } : null;
      },
      chatSend: (identity, text, nonce) => {
        if (!this.canPost(identity)) {
          return {
            type: "error",
            code: "FORBIDDEN",
            message: "Only participants, the host and the seller can post here.",
          };
        }
        const posted = this.chat.post(identity, text, Date.now());
        if ("ok" in posted) {
          const { code, message, retryAfterMs, details } = posted;
          return { type: "error", code, message, retryAfterMs, details };
        }
        this.typing.stopped(identity.userId);
        // a newcomer's first message becomes a recommender signal at the next alarm (not a D1 write per message)
        if (posted.firstHere) this.ensureAlarmBy(Date.now() + CHAT_SIGNAL_DELAY_MS);
        return { type: "chat.ack", nonce: nonce ?? null, id: posted.id };
      },
      chatRead: (identity, upTo) => {
        this.chat.markRead(identity.userId, upTo, Date.now());
      },
      chatTyping: (identity) => {
        if (this.canPost(identity)) this.typing.typing(identity, Date.now());
      },
    });
  }

  /** Whether one more socket would be taken now (rooms.knock: the socket cap's answer for clients that can't read a 503). */
  async hasPlace(): Promise<boolean> {
    return !roomIsFull(this.ctx, this.socketCap);
  }

  // ---- Chat RPC (rooms.history, reports, admin deletion, suspensions) -------------------------------------------

  /** A page of history, oldest first: messages before `before` (exclusive), at most `limit`. */
  async chatHistory(before: number | null, limit: number): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
    this.chat.flush();
    return this.chat.history(before, Math.min(limit, CHAT_HISTORY_PAGE_MAX));
  }

  /** How many messages `userId` has not read here (see RoomChat.unread). */
  async chatUnread(userId: string): Promise<number> {
    return this.chat.unread(userId);
  }

  async chatMessage(id: number): Promise<ChatMessage | null> {
    return this.chat.get(id);
  }

  /** Admin deletion: everyone connected sees "deleted by admin"; returns the message as it was, or null. */
  async deleteChatMessage(id: number, adminId: string): Promise<ChatMessage | null> {
    const before = this.chat.get(id);
    return this.chat.delete(id, adminId, Date.now()) ? before : null;
  }

  /** Closes every socket of `userId` here (a suspension until `until`, epoch ms); returns how many were closed. */
  async kickUser(userId: string, reason: string, until = 0): Promise<number> {
    const frame: ServerFrame = {
      type: "error",
      code: "FORBIDDEN",
      message: reason,
      details: { reason: "suspended", until },
    };
    return this.endSockets(this.ctx.getWebSockets(`user:${userId}`), CLOSE_CODES.suspended, frame, "suspended");
  }

  /** Closes the sockets of `userId` opened with session `sessionHash` (its logout); returns how many were closed. */
  async endSession(userId: string, sessionHash: string, reason: string): Promise<number> {
    const opened = this.ctx.getWebSockets(`user:${userId}`).filter((ws) => identityOf(ws)?.session === sessionHash);
    return this.endForSession(opened, reason);
  }

  /**
   * Ends the sockets whose session expired by `now` (the alarm's sweep; not the fan-out's work: its send loops stay
   * as they are) and returns the next expiry of an open socket's session, for the alarm after this one (null: none).
   */
  private endExpiredSessions(now: number): number | null {
    const expired: WebSocket[] = [];
    let next: number | null = null;
    for (const ws of this.ctx.getWebSockets()) {
      const identity = identityOf(ws);
      if (!identity || identity.sessionExpiresAt === undefined) continue;
      if (sessionExpired(identity, now)) expired.push(ws);
      else if (next === null || identity.sessionExpiresAt < next) next = identity.sessionExpiresAt;
    }
    this.endForSession(expired, SESSION_EXPIRED);
    return next;
  }

  /** A session ended (its logout or expiry): its sockets are told why, then closed with the final 4001. */
  private endForSession(sockets: WebSocket[], reason: string): number {
    const frame: ServerFrame = { type: "error", code: "UNAUTHORIZED", message: reason };
    return this.endSockets(sockets, CLOSE_CODES.sessionEnded, frame, "session ended");
  }

  private endSockets(sockets: WebSocket[], code: number, frame: ServerFrame, closeReason: string) {
    for (const ws of sockets) {
      try {
        ws.send(JSON.stringify(frame));
        ws.close(code, closeReason);
      } catch {
        // already closed
      }
    }
    return sockets.length;
  }

  /** Members (live: host or holding shares) and staff post; residents only read. */
  private canPost(identity: RoomIdentity): boolean {
    if (identity.access === "staff") return true;
    const meta = this.store.meta();
    if (!meta) return false;
    return identity.userId === meta.hostId || this.store.userShares(identity.userId) > 0;
  }

  /** Once the buy is no longer OPEN its room is for members: read-only neighbours are let go. */
  private closeReadersOnly(): void {
    const message = "The buy is no longer open; its room is for members now.";
    const frame: ServerFrame = { type: "error", code: "FORBIDDEN", message, details: { reason: "room_closed" } };
    for (const ws of this.ctx.getWebSockets()) {
      const identity = ws.deserializeAttachment() as RoomIdentity | null;
      if (identity?.access !== "resident" || this.canPost(identity)) continue;
      try {
        ws.send(JSON.stringify(frame)); // why, for clients that word it (the close reason is English)
        ws.close(CLOSE_CODES.readersLetGo, message);
      } catch {
        // already closed
      }
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.groups.removed(ws);
    try {
      ws.close(code === 1005 ? 1000 : code, "closing");
    } catch {
      // already closed
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.groups.removed(ws);
  }
}
