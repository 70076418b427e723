import { and, eq, inArray, isNull } from "drizzle-orm";
import type { GroupBuyStatus } from "../../shared/schemas/groupbuy";
import type { JobMessage } from "../../shared/schemas/jobs";
import { type BatchItem, type Db, getDb, runBatch } from "../db/client";
import { groupBuyHolds, groupBuyMembers, groupBuys, sellerPayables } from "../db/schema";
import { errorForLog } from "../lib/errors";
import { newId } from "../lib/ids";
import {
  joinCapturedTransfer,
  joinCapturedTransferId,
  onJoinCaptured,
  onPurchaseRefundedAfterCompletion,
  onPurchasesCompleted,
} from "../membership/hooks";
import { type JobBudget, OutOfQueries } from "../queue/budget";
import { RetryLater } from "../queue/retry";
import { enqueueMany } from "../queue/send";
import { bookDb } from "../wallet/books";
import { classifyLedgerError } from "../wallet/errors";
import { captureStatements, type Hold, readHolds, releaseStatements } from "../wallet/holds";
import { type TransferSpec, transfersStatements } from "../wallet/ledger";
import { PAYABLE_HOLD_MS } from "./config";
import {
  getJoinHold,
  postedHoldRefunded,
  postJoinHold,
  refundPostedHold,
  refundPostedHoldIds,
  releaseJoinHold,
  settleEscrowToSeller,
} from "./ledgerOps";
import { ESCROW_STATUSES } from "./stateMachine";
import { trustEventStatement } from "./trust";

type Settlement = (typeof groupBuyHolds.$inferSelect)["settlement"];

/** Where a hold must end up, given the buy's status (the D1 mirror, written before any message is sent). */
function targetFor(status: GroupBuyStatus, holdState: "active" | "left"): "posted" | "voided" | "refunded" | null {
  if (holdState === "left") return "voided";
  if (ESCROW_STATUSES.includes(status)) return "posted";
  if (status === "FAILED") return "voided";
  if (status === "CANCELLED") return "refunded";
  return null; // OPEN: nothing to do yet
}

/**
 * Queue job `groupbuy.settleHold`: converge one hold on what the buy's status calls for. It reads the ledger's
 * truth first and only does the missing step, so a duplicate delivery, a retry after a crash, or a message that
 * raced a cancellation all end in the same place. Throws (→ retry with backoff) when it cannot finish yet.
 */
export async function settleHold(env: Env, job: { groupBuyId: string; holdId: string }, now: number): Promise<void> {
  const db = getDb(env);
  const [gb, row] = await Promise.all([
    db
      .select({ status: groupBuys.status, regionId: groupBuys.regionId })
      .from(groupBuys)
      .where(eq(groupBuys.id, job.groupBuyId))
      .get(),
    db.select().from(groupBuyHolds).where(eq(groupBuyHolds.holdId, job.holdId)).get(),
  ]);
  if (!gb || !row || row.groupBuyId !== job.groupBuyId) {
    throw new Error(`settleHold: ${job.groupBuyId}/${job.holdId} is not mirrored yet`);
  }
  const target = targetFor(gb.status, row.state);
  if (!target) return;
  let hold = await getJoinHold(env, gb.regionId, job.holdId);
  if (!hold) throw new Error(`settleHold: hold ${job.holdId} does not exist in the ledger`);
  let settlement: Settlement = row.settlement;
  if (target === "posted") {
    if (hold.status === "pending") hold = await postJoinHold(env, gb.regionId, job.holdId, job.groupBuyId, now);
    else if (hold.status === "posted") await onJoinCaptured(env, hold, job.groupBuyId, now); // a crash between the two
    settlement = settledAs(hold);
    // A cancellation may have refunded this hold while we funded its discount: then run again, as a refund, so
    // the discount goes back to Gonggu and escrow ends at zero.
    if ((await buyStatus(db, job.groupBuyId)) === "CANCELLED") {
      throw new RetryLater(`settleHold: ${job.groupBuyId} was cancelled while ${job.holdId} was being captured`);
    }
  } else {
    if (hold.status === "pending") {
      const outcome = await releaseJoinHold(env, gb.regionId, job.holdId, now);
      // Lost a race with a post: it is captured now, so (for a cancellation) refund it below.
      if (outcome === "posted") hold = (await getJoinHold(env, gb.regionId, job.holdId))!;
      else settlement = "voided";
    }
    if (hold.status === "posted") {
      if (target !== "refunded")
        throw new Error(`settleHold: hold ${job.holdId} was captured but the buy is ${gb.status}`);
      await refundPostedHold(env, hold, job.groupBuyId, now);
      settlement = "refunded";
    } else if (hold.status !== "pending") {
      settlement = settlement === "refunded" ? "refunded" : "voided";
    }
  }
  if (settlement !== row.settlement) {
    await db.update(groupBuyHolds).set({ settlement, updatedAt: now }).where(eq(groupBuyHolds.holdId, job.holdId));
  }
}

/**
 * Queue job `groupbuy.settleHolds`: settleHold for up to SETTLE_HOLDS_MAX holds of ONE buy at once — the buy read
 * once, the hold rows in one query, the ledger's truth of every hold (legs, settlements, discount) in one query, the
 * missing captures/releases and discounts in a few ledger batches, the settlement column in one more. Same guarantees
 * as settleHold: it only adds what the ledger's truth lacks (a duplicate delivery, a retry after a crash between the
 * batch and the column, or a second job running beside it add nothing twice: every transfer id derives from its
 * hold, so a raced batch fails whole and changes nothing), and whatever the fast path does not cover — a captured
 * hold to refund, a hold in a state settleHold must explain, a batch that lost a race — goes through settleHold one
 * hold at a time (not one the ledger shows refunded in full already: a redelivered refund job reads that with its holds
 * and moves nothing). A hold that cannot settle yet (not mirrored, not in the ledger) makes the message retry once the
 * others are done; on the retry those find nothing to do.
 */
export async function settleHolds(
  env: Env,
  job: { groupBuyId: string; holdIds: string[] },
  now: number,
  /** The consumer's: reserved for settleHoldsQueries, and asked for SETTLE_HOLD_QUERIES per hold settled alone. */
  budget?: JobBudget,
): Promise<void> {
  const db = getDb(env);
  const holdIds = [...new Set(job.holdIds)];
  const [gb, rows] = await Promise.all([
    db
      .select({ status: groupBuys.status, regionId: groupBuys.regionId })
      .from(groupBuys)
      .where(eq(groupBuys.id, job.groupBuyId))
      .get(),
    db.select().from(groupBuyHolds).where(inArray(groupBuyHolds.holdId, holdIds)).all(),
  ]);
  if (!gb) throw new Error(`settleHolds: ${job.groupBuyId} is not mirrored yet`);
  const mine = new Map(rows.filter((r) => r.groupBuyId === job.groupBuyId).map((r) => [r.holdId, r]));
  const failures: unknown[] = [];
  const unmirrored = holdIds.filter((id) => !mine.has(id));
  if (unmirrored.length > 0) {
    failures.push(new Error(`settleHolds: ${unmirrored.length} hold(s) of ${job.groupBuyId} are not mirrored yet`));
  }
  const work = [...mine.values()].flatMap((row) => {
    const target = targetFor(gb.status, row.state);
    return target ? [{ row, target }] : [];
  });
  const ledger = bookDb(env, gb.regionId);
  // with each hold, what tells whether it is done beyond its legs: its discount (a capture) or its refund
  const { holds, extra } = await readHolds(
    ledger,
    work.map((w) => w.row.holdId),
    work.flatMap(({ row, target }) =>
      target === "posted"
        ? [joinCapturedTransferId(row.holdId)]
        : target === "refunded"
          ? refundPostedHoldIds(row.holdId)
          : [],
    ),
  );
  const moves: { holdId: string; statements: BatchItem[]; discount: TransferSpec | null }[] = [];
  const columns = new Map<string, Settlement>(); // hold id → its settlement once its ledger batch ran
  const alone: string[] = []; // settleHold's own handling, one hold at a time
  for (const { row, target } of work) {
    const read = holds.get(row.holdId);
    if (!read) {
      failures.push(new Error(`settleHolds: hold ${row.holdId} does not exist in the ledger`));
      continue;
    }
    const { hold } = read;
    if (target === "posted") {
      const capture =
        hold.status === "pending" ? captureStatements(ledger, read, { description: CAPTURED, now }) : null;
      const after = capture?.after ?? (hold.status === "posted" ? hold : null);
      if (!after) {
        alone.push(row.holdId); // cannot be captured as it is: settleHold says why
        continue;
      }
      const discount = extra.has(joinCapturedTransferId(hold.id))
        ? null
        : joinCapturedTransfer(after, job.groupBuyId, now);
      moves.push({ holdId: hold.id, statements: capture?.statements ?? [], discount });
      columns.set(row.holdId, "posted");
    } else if (hold.status === "pending") {
      const release = releaseStatements(ledger, read, { description: RELEASED, now });
      if (!release) {
        alone.push(row.holdId);
        continue;
      }
      moves.push({ holdId: hold.id, statements: release, discount: null });
      columns.set(row.holdId, "voided");
    } else if (hold.status === "posted") {
      // refunded in full already (a redelivery): nothing to move; else a refund (or, for a FAILED buy, an error) is
      // settleHold's, one hold at a time (~10 queries)
      if (target === "refunded" && postedHoldRefunded(hold, extra)) columns.set(row.holdId, "refunded");
      else alone.push(row.holdId);
    } else {
      columns.set(row.holdId, row.settlement === "refunded" ? "refunded" : "voided");
    }
  }
  // A few holds per ledger batch: each hold's capture and discount commit together, and no single batch holds the
  // database (and, locally, the runtime's one thread) long enough to stall the requests beside it.
  const due = moves.filter((m) => m.statements.length > 0 || m.discount);
  for (let i = 0; i < due.length; i += SETTLE_BATCH_HOLDS) {
    const part = due.slice(i, i + SETTLE_BATCH_HOLDS);
    const discounts = part.flatMap((m) => (m.discount ? [m.discount] : []));
    try {
      await runBatch(ledger, [...part.flatMap((m) => m.statements), ...transfersStatements(ledger, discounts)]);
    } catch (e) {
      // Something moved under us (another delivery of these holds, a cancellation): the batch changed nothing, so
      // converge each of its holds on its own from the ledger's truth. Losing to another delivery of the same holds is
      // at-least-once delivery at work (info); anything else is worth a look (warn) though settleHold handles it.
      const failure = classifyLedgerError(e);
      const raced = failure === "already_settled" || failure === "duplicate_id";
      const line = {
        where: "settleHolds",
        groupBuyId: job.groupBuyId,
        holds: part.length,
        failure,
        error: errorForLog(e),
      };
      if (raced) console.info(JSON.stringify({ level: "info", ...line }));
      else console.warn(JSON.stringify({ level: "warn", ...line }));
      for (const m of part) {
        alone.push(m.holdId);
        columns.delete(m.holdId);
      }
    }
  }
  const changed = new Map<Settlement, string[]>();
  for (const [id, settlement] of columns) {
    if (mine.get(id)?.settlement !== settlement) changed.set(settlement, [...(changed.get(settlement) ?? []), id]);
  }
  await runBatch(
    db,
    [...changed].map(([settlement, ids]) =>
      db.update(groupBuyHolds).set({ settlement, updatedAt: now }).where(inArray(groupBuyHolds.holdId, ids)),
    ),
  );
  const captured = [...columns].flatMap(([id, settlement]) => (settlement === "posted" ? [id] : []));
  for (const [i, holdId] of alone.entries()) {
    if (budget && !(await budget.take(SETTLE_HOLD_QUERIES))) {
      // Out of this invocation's queries (a batch of refunds after a cancellation: ~10 a hold): what is done stays
      // done; a job of the holds left runs in another invocation — with the ones captured here, for the check below.
      if (failures.length > 0) break; // the whole job retries anyway (below)
      const holdIds = [...new Set([...alone.slice(i), ...captured])];
      throw new OutOfQueries({ type: "groupbuy.settleHolds", groupBuyId: job.groupBuyId, holdIds });
    }
    try {
      await settleHold(env, { groupBuyId: job.groupBuyId, holdId }, now);
    } catch (e) {
      failures.push(e);
    }
  }
  // As settleHold: a cancellation may have refunded holds while we captured them; then run again, as refunds.
  if (failures.length === 0 && captured.length > 0 && (await buyStatus(db, job.groupBuyId)) === "CANCELLED") {
    failures.push(new RetryLater(`settleHolds: ${job.groupBuyId} was cancelled while its holds were being captured`));
  }
  if (failures.length > 0) throw failures.find((f) => !(f instanceof RetryLater)) ?? failures[0];
}

/** Holds per ledger batch of a settleHolds job (≤ ~4 statements each). */
const SETTLE_BATCH_HOLDS = 10;

/**
 * D1 queries (statements) a settleHolds job of `holds` holds sends besides the holds it settles alone: its reads, ≤ 3
 * statements a hold in the ledger batches (two legs and a discount), the accounts each batch ensures, the column
 * updates and the cancellation check.
 */
export const settleHoldsQueries = (holds: number) => 12 + 3 * holds + Math.ceil(holds / SETTLE_BATCH_HOLDS);

/**
 * D1 queries settleHold sends for one hold (measured: 12 to refund a captured hold with its discount, 10 to capture one
 * with it). A release that loses a race with a capture and then refunds costs a few more: BATCH_QUERY_BUDGET's margin
 * under D1's 1,000 covers that.
 */
export const SETTLE_HOLD_QUERIES = 14;
const CAPTURED = "Group buy confirmed: points moved to escrow";
const RELEASED = "Group buy share released";

async function buyStatus(db: Db, id: string) {
  return (await db.select({ status: groupBuys.status }).from(groupBuys).where(eq(groupBuys.id, id)).get())?.status;
}

function settledAs(hold: Hold): Settlement {
  if (hold.status === "posted") return "posted";
  throw new Error(`settleHold: hold ${hold.id} is ${hold.status}, cannot capture it into escrow`);
}

/**
 * Queue job `groupbuy.complete`: escrow → the seller's pending payable minus the platform fee, and a payable row that
 * becomes available after the confirmation window; then one `groupbuy.purchaseCompleted` job per hold for what is
 * per buyer (trust record, membership spend and rewards), so a 1,000-buyer buy never needs 1,000 queries in one
 * invocation. Ledger ids derive from the buy and the D1 rows are insert-or-ignore: re-running changes nothing.
 */
export async function completeSettlement(env: Env, groupBuyId: string, now: number): Promise<void> {
  const db = getDb(env);
  const gb = await db.select().from(groupBuys).where(eq(groupBuys.id, groupBuyId)).get();
  if (gb?.status !== "COMPLETED" || gb.settledAt !== null) return;
  const holds = await db
    .select()
    .from(groupBuyHolds)
    .where(and(eq(groupBuyHolds.groupBuyId, groupBuyId), eq(groupBuyHolds.state, "active")))
    .all();
  const waiting = holds.filter((h) => h.settlement !== "posted").length;
  if (waiting > 0) throw new RetryLater(`complete: ${waiting} hold(s) of ${groupBuyId} are not in escrow yet`, 60_000);
  const split = await settleEscrowToSeller(env, {
    groupBuyId,
    regionId: gb.regionId,
    sellerId: gb.sellerId,
    gross: holds.reduce((sum, h) => sum + h.amount, 0),
    now,
  });
  await db
    .insert(sellerPayables)
    .values({
      id: newId(now),
      sellerId: gb.sellerId,
      groupBuyId,
      regionId: gb.regionId,
      gross: split.gross,
      fee: split.fee,
      net: split.net,
      status: "pending",
      availableAt: now + PAYABLE_HOLD_MS,
      payoutId: null,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: sellerPayables.groupBuyId });
  await enqueueMany(
    env,
    holds.map((h): JobMessage => ({ type: "groupbuy.purchaseCompleted", groupBuyId, holdId: h.holdId })),
  );
  await db
    .update(groupBuys)
    .set({ settledAt: now, updatedAt: now })
    .where(and(eq(groupBuys.id, groupBuyId), isNull(groupBuys.settledAt)));
}

/**
 * Queue job `groupbuy.purchaseCompleted`: one buyer's hold of a completed buy counts — a completed buy on their
 * trust record and the membership spend/rewards. A no-show gets neither (the seller is paid for their share all
 * the same). Idempotent: trust events and membership records are keyed by buy/hold.
 */
export async function purchaseCompleted(env: Env, job: { groupBuyId: string; holdId: string }, now: number) {
  const db = getDb(env);
  const row = await db.select().from(groupBuyHolds).where(eq(groupBuyHolds.holdId, job.holdId)).get();
  if (row?.groupBuyId !== job.groupBuyId || row.state !== "active") return;
  const [gb, member] = await Promise.all([
    db.select().from(groupBuys).where(eq(groupBuys.id, job.groupBuyId)).get(),
    db
      .select()
      .from(groupBuyMembers)
      .where(and(eq(groupBuyMembers.groupBuyId, job.groupBuyId), eq(groupBuyMembers.userId, row.userId)))
      .get(),
  ]);
  // a purchase the seller refunded before this job ran earns nothing (purchaseRefund.ts)
  if (gb?.status !== "COMPLETED" || !member || member.noShowAt !== null || member.refundedAt !== null) return;
  const hold = await getJoinHold(env, gb.regionId, job.holdId);
  if (hold?.status !== "posted") throw new Error(`purchaseCompleted: hold ${job.holdId} is not captured`);
  await onPurchasesCompleted(env, job.groupBuyId, [hold], now);
  // Refunded while we recorded it: the refund's clawback may have run before the reward existed, so take it back
  // here (idempotent: whichever runs second finds it done).
  const after = await db
    .select({ refundedAt: groupBuyMembers.refundedAt })
    .from(groupBuyMembers)
    .where(and(eq(groupBuyMembers.groupBuyId, job.groupBuyId), eq(groupBuyMembers.userId, row.userId)))
    .get();
  if (after?.refundedAt != null) {
    await onPurchaseRefundedAfterCompletion(env, {
      holdId: job.holdId,
      regionId: gb.regionId,
      reason: "Purchase refunded by the seller",
      now,
    });
  }
  await trustEventStatement(db, {
    id: `completed:${job.groupBuyId}:${row.userId}`,
    userId: row.userId,
    kind: "completed",
    reference: job.groupBuyId,
    at: now,
  });
}

/** Holds of a buy still waiting for their settlement (diagnostics and tests). */
export function unsettledHolds(env: Env, groupBuyId: string) {
  return getDb(env)
    .select()
    .from(groupBuyHolds)
    .where(and(eq(groupBuyHolds.groupBuyId, groupBuyId), inArray(groupBuyHolds.settlement, ["held"])))
    .all();
}
