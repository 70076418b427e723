import { and, eq, lt } from "drizzle-orm";
import type { JobMessage } from "../../shared/schemas/jobs";
import { memberNoticeStatement } from "../community/groupBuyNotices";
import { type BatchItem, changedRows, getDb, runBatch } from "../db/client";
import { groupBuyEvents, groupBuyHolds, groupBuyMembers, groupBuys } from "../db/schema";
import { SETTLE_CHUNK } from "../groupbuy/config";
import { ESCROW_STATUSES } from "../groupbuy/stateMachine";
import { trustEventStatement } from "../groupbuy/trust";
import { recordInteraction, retractInteraction } from "../recommend/interactions";
import type { RoomStore } from "./roomStore";

/** Rows mirrored per D1 batch: each statement binds < 20 parameters, and a batch stays well under 1,000 queries. */
const MIRROR_CHUNK = 40;

/**
 * Pushes what changed in the room to D1 (status, fill numbers, members, holds, events) and then sends the settlement
 * messages the status calls for. Everything it writes is keyed and conditional, so running it twice (a retry, a
 * duplicate alarm) writes nothing new; the D1 row only moves forward (`mirror_seq`). Order matters: the queue
 * consumer reads the mirrored hold rows and status, so messages go out only after the mirror succeeded.
 */
export async function flushRoom(store: RoomStore, env: Env, now: number): Promise<void> {
  const announced = await mirrorToD1(store, env, now);
  await noticeMembers(store, env, now, announced);
  await sendSettlements(store, env);
}

/**
 * Members hear about FILLED, TIPPED, READY, FAILED and CANCELLED (with their refund). One idempotent statement per
 * flush for the current status, after the members are mirrored: a retried flush writes nothing twice, and a status
 * the buy only passed through between two flushes is still announced by the events batch in mirrorToD1.
 */
async function noticeMembers(store: RoomStore, env: Env, now: number, announced: boolean): Promise<void> {
  const meta = store.meta();
  if (!meta) return;
  const db = getDb(env);
  const buy = { groupBuyId: meta.groupBuyId, title: meta.title, status: meta.status, statusReason: meta.statusReason };
  const statement = memberNoticeStatement(db, buy, now);
  if (!statement) return;
  const [result] = await runBatch(db, [statement]);
  // The live push of what this flush wrote (here or in the mirror's batch) is the queue's: it wakes every member's
  // channel, which is no work for the room's thread. Best effort: the inbox rows above are the notice.
  if (!announced && changedRows(result) === 0) return;
  await env.JOBS.send(
    { type: "groupbuy.pushNotices", groupBuyId: meta.groupBuyId, status: meta.status, at: now } satisfies JobMessage,
    { contentType: "json" },
  );
}

/** Returns whether the batches it ran wrote members' status notices (for a status the buy passed through). */
async function mirrorToD1(store: RoomStore, env: Env, now: number): Promise<boolean> {
  const db = getDb(env);
  let announced = false;
  for (;;) {
    const meta = store.meta();
    if (!meta) return announced;
    const rows = store.unmirroredReservations(MIRROR_CHUNK);
    const events = store.unmirroredEvents();
    if (rows.length === 0 && events.length === 0 && meta.mirroredSeq >= meta.seq) return announced;
    const counts = store.counts();
    const statements: BatchItem[] = [];
    const closing = events.find((e) => e.fromStatus === "OPEN");
    const ready = events.find((e) => e.toStatus === "READY");
    const done = events.find((e) => e.toStatus === "COMPLETED");
    const cancel = events.find((e) => e.toStatus === "CANCELLED");
    statements.push(
      db
        .update(groupBuys)
        .set({
          status: meta.status,
          statusReason: meta.statusReason,
          takenShares: counts.confirmed,
          participantCount: counts.participants,
          mirrorSeq: meta.seq,
          updatedAt: now,
          ...(closing ? { closedAt: closing.at } : {}),
          ...(ready ? { readyAt: ready.at } : {}),
          ...(done ? { completedAt: done.at } : {}),
          ...(cancel ? { cancelledBy: cancel.actorId } : {}),
        })
        .where(and(eq(groupBuys.id, meta.groupBuyId), lt(groupBuys.mirrorSeq, meta.seq))),
    );
    for (const e of events) {
      statements.push(
        db
          .insert(groupBuyEvents)
          .values({
            id: `${meta.groupBuyId}:${e.seq}`,
            groupBuyId: meta.groupBuyId,
            fromStatus: e.fromStatus,
            toStatus: e.toStatus,
            actorId: e.actorId,
            reason: e.reason,
            at: e.at,
          })
          .onConflictDoNothing(),
      );
      // A host calling off their own buy counts against them (a seller's own buy: the seller is the host).
      if (e.toStatus === "CANCELLED" && e.actorId !== null && e.actorId === meta.hostId) {
        statements.push(
          trustEventStatement(db, {
            id: `host_cancel:${meta.groupBuyId}`,
            userId: meta.hostId,
            kind: "host_cancel",
            reference: meta.groupBuyId,
            at: e.at,
          }),
        );
      }
    }
    for (const r of rows) {
      statements.push(
        db
          .insert(groupBuyHolds)
          .values({
            holdId: r.id,
            groupBuyId: meta.groupBuyId,
            userId: r.userId,
            shares: r.shares,
            amount: r.amount,
            paid: r.paid ?? r.amount,
            state: r.state === "confirmed" ? "active" : "left",
            createdAt: r.createdAt,
            updatedAt: now,
          })
          .onConflictDoUpdate({
            target: groupBuyHolds.holdId,
            set: { state: r.state === "confirmed" ? "active" : "left", paid: r.paid ?? r.amount, updatedAt: now },
          }),
      );
    }
    const totals = store.memberTotals([...new Set(rows.map((r) => r.userId))]);
    for (const [userId, t] of totals) {
      const status = t.shares > 0 ? ("joined" as const) : ("left" as const);
      statements.push(
        db
          .insert(groupBuyMembers)
          .values({
            groupBuyId: meta.groupBuyId,
            userId,
            shares: t.shares,
            amount: t.amount,
            paid: t.paid,
            status,
            joinedAt: t.joinedAt,
            updatedAt: now,
          })
          .onConflictDoUpdate({
            target: [groupBuyMembers.groupBuyId, groupBuyMembers.userId],
            set: { shares: t.shares, amount: t.amount, paid: t.paid, status, updatedAt: now },
          }),
        // The recommender's join signal follows membership (idempotent; a buyer who left no longer counts).
        status === "joined"
          ? recordInteraction(db, { userId, itemId: meta.groupBuyId, kind: "join", at: t.joinedAt })
          : retractInteraction(db, { userId, itemId: meta.groupBuyId, kind: "join" }),
      );
    }
    // Status notices go last, after the member rows they read (also for a status passed through before this flush).
    for (const e of events) {
      const notice = memberNoticeStatement(
        db,
        { groupBuyId: meta.groupBuyId, title: meta.title, status: e.toStatus, statusReason: e.reason },
        now,
      );
      if (notice) {
        statements.push(notice);
        announced = true; // once the batch below has run (it throws otherwise)
      }
    }
    await runBatch(db, statements);
    store.markMirrored(
      rows.map((r) => ({ id: r.id, rev: r.rev })),
      events.map((e) => e.seq),
      meta.seq,
    );
    if (rows.length < MIRROR_CHUNK) return announced;
  }
}

async function sendSettlements(store: RoomStore, env: Env): Promise<void> {
  const meta = store.meta();
  if (!meta) return;
  const moneyMoves = ESCROW_STATUSES.includes(meta.status) || meta.status === "FAILED" || meta.status === "CANCELLED";
  if (moneyMoves && meta.settleGen > 0) {
    for (;;) {
      const due = store.unsettled(meta.settleGen, SETTLE_CHUNK);
      if (due.length === 0) break;
      await env.JOBS.sendBatch(
        due.map((r) => ({
          body: { type: "groupbuy.settleHold", groupBuyId: meta.groupBuyId, holdId: r.id } satisfies JobMessage,
          contentType: "json" as const,
        })),
      );
      store.markSettleSent(
        due.map((r) => r.id),
        meta.settleGen,
      );
    }
  }
  if (meta.status === "COMPLETED" && meta.completeSent === 0) {
    await env.JOBS.send({ type: "groupbuy.complete", groupBuyId: meta.groupBuyId } satisfies JobMessage, {
      contentType: "json",
    });
    store.markCompleteSent();
  }
}

/** For tests and diagnostics: how far the D1 mirror lags (0 = in sync). */
export function mirrorLag(store: RoomStore): number {
  const meta = store.meta();
  return meta ? meta.seq - meta.mirroredSeq : 0;
}
