import { and, eq, lt, sql } from "drizzle-orm";
import { type JobMessage, SETTLE_HOLDS_MAX } from "../../shared/schemas/jobs";
import { memberNoticeStatement } from "../community/groupBuyNotices";
import { type BatchItem, changedRows, chunks, type Db, getDb, runBatch, valuesPerRow } from "../db/client";
import { prepared, preparedRows } from "../db/prepared";
import { groupBuyEvents, groupBuyHolds, groupBuyMembers, groupBuys, recInteractions } from "../db/schema";
import { SETTLE_CHUNK } from "../groupbuy/config";
import { ESCROW_STATUSES } from "../groupbuy/stateMachine";
import { trustEventStatement } from "../groupbuy/trust";
import { enqueue, enqueueMany } from "../queue/send";
import { recordInteractions, retractInteraction } from "../recommend/interactions";
import type { Reservation, RoomStore } from "./roomStore";

/** Rows mirrored per D1 batch: a handful of multi-row statements, well under 1,000 queries. */
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
  await enqueue(env, { type: "groupbuy.pushNotices", groupBuyId: meta.groupBuyId, status: meta.status, at: now });
}

/** Returns whether the batches it ran wrote members' status notices (for a status the buy passed through). */
async function mirrorToD1(store: RoomStore, env: Env, now: number): Promise<boolean> {
  const db = getDb(env);
  let announced = false;
  for (;;) {
    let meta = store.meta();
    if (!meta) return announced;
    const rows = store.unmirroredReservations(MIRROR_CHUNK);
    const events = store.unmirroredEvents();
    if (rows.length === 0 && events.length === 0 && meta.mirroredSeq >= meta.seq) return announced;
    // A confirmation moves its row, not the sequence (one room write per join fewer): a batch that carries rows takes
    // a sequence of its own, so the buy row's update below (conditional on an older mirror_seq) applies.
    if (rows.length > 0) {
      store.touch();
      meta = store.meta()!;
    }
    const counts = store.counts();
    const statements: BatchItem[] = [];
    const closing = events.find((e) => e.fromStatus === "OPEN");
    const ready = events.find((e) => e.toStatus === "READY");
    const done = events.find((e) => e.toStatus === "COMPLETED");
    const cancel = events.find((e) => e.toStatus === "CANCELLED");
    statements.push(
      buyStatement(db, meta.groupBuyId, meta.seq, {
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
      }),
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
    statements.push(...holdStatements(db, meta.groupBuyId, rows, now));
    statements.push(
      ...memberStatements(db, meta.groupBuyId, store.memberTotals([...new Set(rows.map((r) => r.userId))]), now),
    );
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

type BuyMirror = Pick<
  typeof groupBuys.$inferInsert,
  "status" | "statusReason" | "takenShares" | "participantCount" | "mirrorSeq" | "updatedAt"
> &
  Partial<Pick<typeof groupBuys.$inferInsert, "closedAt" | "readyAt" | "completedAt" | "cancelledBy">>;

/**
 * The buy row's update, if the mirror is behind `seq` (a flush that lost a race writes nothing). Built once per set of
 * columns (prepared.ts): the mirror runs it on every flush, several times in a hot buy's fill.
 */
function buyStatement(db: Db, groupBuyId: string, seq: number, set: BuyMirror): BatchItem {
  const keys = Object.keys(set) as (keyof BuyMirror)[];
  return prepared(
    db,
    `mirror.buy.${keys.join(",")}`,
    (p) =>
      db
        .update(groupBuys)
        .set(Object.fromEntries(keys.map((k) => [k, p(k)])))
        .where(and(eq(groupBuys.id, p("groupBuyId")), lt(groupBuys.mirrorSeq, p("seq")))),
    { ...set, groupBuyId, seq },
  );
}

/**
 * The hold rows of one mirror batch as multi-row upserts (≤ 100 bound values each): a group commit's joins cost a
 * statement or two, not one each. A row seen before (a leave, a retried flush) takes its new state and paid.
 */
function holdStatements(db: Db, groupBuyId: string, rows: Reservation[], now: number): BatchItem[] {
  const values = rows.map((r) => ({
    holdId: r.id,
    groupBuyId,
    userId: r.userId,
    shares: r.shares,
    amount: r.amount,
    paid: r.paid ?? r.amount,
    state: r.state === "confirmed" ? ("active" as const) : ("left" as const),
    createdAt: r.createdAt,
    updatedAt: now,
  }));
  return chunks(values, valuesPerRow(groupBuyHolds)).map((chunk) =>
    preparedRows(db, "mirror.holds", chunk, (marks) =>
      db
        .insert(groupBuyHolds)
        .values(marks)
        .onConflictDoUpdate({
          target: groupBuyHolds.holdId,
          set: { state: sql`excluded.state`, paid: sql`excluded.paid`, updatedAt: sql`excluded.updated_at` },
        }),
    ),
  );
}

/**
 * The member rows (per-user totals) and the recommender's join signal, which follows membership (idempotent; a buyer
 * who left no longer counts), again as multi-row upserts.
 */
function memberStatements(db: Db, groupBuyId: string, totals: ReturnType<RoomStore["memberTotals"]>, now: number) {
  const members = [...totals].map(([userId, t]) => ({
    groupBuyId,
    userId,
    shares: t.shares,
    amount: t.amount,
    paid: t.paid,
    status: t.shares > 0 ? ("joined" as const) : ("left" as const),
    joinedAt: t.joinedAt,
    updatedAt: now,
  }));
  const statements: BatchItem[] = chunks(members, valuesPerRow(groupBuyMembers)).map((chunk) =>
    preparedRows(db, "mirror.members", chunk, (marks) =>
      db
        .insert(groupBuyMembers)
        .values(marks)
        .onConflictDoUpdate({
          target: [groupBuyMembers.groupBuyId, groupBuyMembers.userId],
          set: {
            shares: sql`excluded.shares`,
            amount: sql`excluded.amount`,
            paid: sql`excluded.paid`,
            status: sql`excluded.status`,
            updatedAt: sql`excluded.updated_at`,
          },
        }),
    ),
  );
  const joined = members.filter((m) => m.status === "joined");
  for (const chunk of chunks(joined, valuesPerRow(recInteractions))) {
    statements.push(
      recordInteractions(
        db,
        chunk.map((m) => ({ userId: m.userId, itemId: groupBuyId, kind: "join" as const, at: m.joinedAt })),
      ),
    );
  }
  for (const m of members) {
    if (m.status === "left")
      statements.push(retractInteraction(db, { userId: m.userId, itemId: groupBuyId, kind: "join" }));
  }
  return statements;
}

async function sendSettlements(store: RoomStore, env: Env): Promise<void> {
  const meta = store.meta();
  if (!meta) return;
  const moneyMoves = ESCROW_STATUSES.includes(meta.status) || meta.status === "FAILED" || meta.status === "CANCELLED";
  if (moneyMoves && meta.settleGen > 0) {
    for (;;) {
      const due = store.unsettled(meta.settleGen, SETTLE_CHUNK * SETTLE_HOLDS_MAX);
      if (due.length === 0) break;
      // One job per SETTLE_HOLDS_MAX holds (settleHolds converges them in a few batches), not one per hold.
      const jobs: JobMessage[] = [];
      for (let i = 0; i < due.length; i += SETTLE_HOLDS_MAX) {
        const holdIds = due.slice(i, i + SETTLE_HOLDS_MAX).map((r) => r.id);
        jobs.push({ type: "groupbuy.settleHolds", groupBuyId: meta.groupBuyId, holdIds });
      }
      await enqueueMany(env, jobs);
      store.markSettleSent(
        due.map((r) => r.id),
        meta.settleGen,
      );
    }
  }
  if (meta.status === "COMPLETED" && meta.completeSent === 0) {
    await enqueue(env, { type: "groupbuy.complete", groupBuyId: meta.groupBuyId });
    store.markCompleteSent();
  }
}

/** For tests and diagnostics: how far the D1 mirror lags (0 = in sync; a confirmation moves a row, not the seq). */
export function mirrorLag(store: RoomStore): number {
  const meta = store.meta();
  return meta ? meta.seq - meta.mirroredSeq + store.unmirroredReservations(1).length : 0;
}
