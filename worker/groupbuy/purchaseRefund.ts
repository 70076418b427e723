/**
 * groupBuys.refundPurchase: the seller (or an admin for them) refunds one buyer's purchase of a COMPLETED buy in full,
 * funded by the seller. One atomic batch in the buy's book (the main database) moves all of it:
 *
 *   seller payable → escrow        gross − fee share   (sellerRefundStatements; from the buy's own payable while no
 *   fee revenue → escrow           fee share             payout claimed it, else from the seller's available balance)
 *   escrow → the buyer             what they paid, charged points first, then reward (as a cancellation)
 *   escrow → promotion expense     the membership discount Gonggu paid (as a cancellation)
 *
 * with the purchase_refunds row(s), the payable rows' amounts, the hold's settlement and the member's refundedAt. The
 * first statement inserts the refund rows only if every row it read is unchanged (the payable not claimed by a payout
 * since, the balance rows it takes from still unclaimed and as read); every later statement runs only if those rows
 * were inserted. So a payout claiming the payable, a release, or another refund in between makes the batch write
 * nothing, and the refund reads again and decides again; a refund of the same purchase twice fails on the unique hold
 * id. Then, outside the batch and idempotent: the reward's clawback (the buyer's home book) and the buyer's
 * notification; a retry or a replay runs them again and they do nothing twice.
 */
import { and, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { refundFeeShare } from "../../shared/money";
import { sendNotifications } from "../community/notifications";
import { type BatchItem, type Db, runBatch } from "../db/client";
import {
  groupBuyHolds,
  groupBuyMembers,
  type groupBuys,
  purchaseRefunds,
  sellerPayables,
  type users,
} from "../db/schema";
import { fail, failWith } from "../lib/errors";
import { newId } from "../lib/ids";
import {
  joinCapturedTransferId,
  joinRefundedTransfer,
  joinRefundedTransferId,
  onPurchaseRefundedAfterCompletion,
} from "../membership/hooks";
import { bookDb, bookInMain } from "../wallet/books";
import { classifyLedgerError, messageChain } from "../wallet/errors";
import type { Hold } from "../wallet/holds";
import { getTransfer, transferWhereStatements } from "../wallet/ledger";
import { holdRefundStatements, sellerRefundStatements } from "../wallet/settlement";
import { PLATFORM_FEE_BPS, REFUND_WINDOW_MS } from "./config";
import { getJoinHold } from "./ledgerOps";
import { loadGroupBuy } from "./service";

type UserRow = typeof users.$inferSelect;
type BuyRow = typeof groupBuys.$inferSelect;
type Payable = typeof sellerPayables.$inferSelect;

export interface PurchaseRefundResult {
  groupBuyId: string;
  buyerId: string;
  /** Price × shares of the purchase (what the seller had been owed for it before the fee). */
  grossWon: number;
  /** Back to the buyer's points: what they paid. */
  refundedWon: number;
  /** Back to Gonggu: the membership discount it paid for them. */
  discountWon: number;
  /** The platform fee on the purchase, given back to the seller. */
  feeReturnedWon: number;
  /** What the seller gave up: grossWon − feeReturnedWon. */
  sellerPaidWon: number;
  /** pending / available: from the buy's own payable; balance: from the seller's other available payables. */
  source: "pending" | "available" | "balance";
  refundedAt: number;
}

/** Tries of the guarded batch before giving up (each lost only to a concurrent change of the rows it read). */
const ATTEMPTS = 3;
/** Other payables the balance path may take from (≤ 100 bound values per statement). */
const BALANCE_ROWS = 40;

export async function refundPurchase(
  db: Db,
  env: Env,
  user: UserRow,
  input: { groupBuyId: string; buyerId: string; reason: string },
  now: number,
): Promise<PurchaseRefundResult> {
  const gb = await loadGroupBuy(db, input.groupBuyId);
  if (user.id !== gb.sellerId && user.role !== "admin") {
    fail("FORBIDDEN", "Only the seller of this group buy (or an admin) can refund its purchases.");
  }
  const member = await db
    .select()
    .from(groupBuyMembers)
    .where(and(eq(groupBuyMembers.groupBuyId, gb.id), eq(groupBuyMembers.userId, input.buyerId)))
    .get();
  if (member?.status !== "joined") fail("NOT_FOUND", "That user is not a buyer in this group buy.");
  if (member.refundedAt === null) assertRefundable(env, gb, now);
  for (let attempt = 0; ; attempt++) {
    const done = await refundRows(db, gb.id, input.buyerId);
    if (done.length > 0) return finish(db, env, gb, done, user.id, now);
    const outcome = await tryRefund(db, env, gb, input, user.id, now);
    if (outcome === "done") continue; // read back what was written (or written by a concurrent refund) above
    if (attempt + 1 >= ATTEMPTS) {
      failWith("CONFLICT", "The seller's payables changed while this refund was being made; try again.", {
        reason: "refund_raced",
      });
    }
  }
}

/** True while a buy's purchases can be refunded: COMPLETED, settled, within REFUND_WINDOW_MS (the console's button). */
export function refundOpen(
  gb: { status: string; completedAt: number | null; settledAt: number | null },
  now: number,
): boolean {
  return (
    gb.status === "COMPLETED" &&
    gb.settledAt !== null &&
    gb.completedAt !== null &&
    now - gb.completedAt <= REFUND_WINDOW_MS
  );
}

function assertRefundable(env: Env, gb: BuyRow, now: number) {
  if (gb.status !== "COMPLETED") {
    failWith("PRECONDITION_FAILED", `Only a completed group buy's purchases can be refunded (it is ${gb.status}).`, {
      reason: "not_completed",
    });
  }
  if (gb.completedAt === null || now - gb.completedAt > REFUND_WINDOW_MS) {
    failWith(
      "PRECONDITION_FAILED",
      `A purchase can be refunded up to ${REFUND_WINDOW_MS / 86_400_000} days after the group buy completed.`,
      { reason: "refund_window_closed" },
    );
  }
  if (gb.settledAt === null) {
    failWith("PRECONDITION_FAILED", "The group buy's settlement is still being recorded; try again in a minute.", {
      reason: "not_settled",
    });
  }
  if (!bookInMain(env, gb.regionId)) {
    // The batch below needs the payable rows and the ledger in one database (README: Refunds after completion).
    failWith("PRECONDITION_FAILED", "Refunds are not available yet for this region's group buys.", {
      reason: "book_elsewhere",
    });
  }
}

function refundRows(db: Db, groupBuyId: string, buyerId: string) {
  return db
    .select()
    .from(purchaseRefunds)
    .where(and(eq(purchaseRefunds.groupBuyId, groupBuyId), eq(purchaseRefunds.buyerId, buyerId)))
    .all();
}

interface HoldPart {
  hold: Hold;
  gross: number;
  fee: number;
  discount: number;
}

/** One guarded attempt: "done" when its batch wrote the refund, "raced" when a row it read changed first. */
async function tryRefund(
  db: Db,
  env: Env,
  gb: BuyRow,
  input: { buyerId: string; reason: string },
  actorId: string,
  now: number,
): Promise<"done" | "raced"> {
  const ledger = bookDb(env, gb.regionId);
  const [payable, rows] = await Promise.all([
    db.select().from(sellerPayables).where(eq(sellerPayables.groupBuyId, gb.id)).get(),
    db
      .select()
      .from(groupBuyHolds)
      .where(
        and(
          eq(groupBuyHolds.groupBuyId, gb.id),
          eq(groupBuyHolds.userId, input.buyerId),
          eq(groupBuyHolds.state, "active"),
        ),
      )
      .all(),
  ]);
  if (!payable) fail("PRECONDITION_FAILED", "The group buy's settlement is still being recorded; try again shortly.");
  if (rows.length === 0 || rows.some((r) => r.settlement !== "posted")) {
    fail("PRECONDITION_FAILED", "This buyer has no captured purchase in the group buy to refund.");
  }
  const parts: HoldPart[] = [];
  let refundedBefore = payable.refunded;
  for (const row of rows) {
    const [hold, funded] = await Promise.all([
      getJoinHold(env, gb.regionId, row.holdId),
      getTransfer(ledger, joinCapturedTransferId(row.holdId)),
    ]);
    if (hold?.status !== "posted") fail("PRECONDITION_FAILED", "This buyer's purchase is not captured in escrow.");
    const discount = funded?.amount ?? 0;
    // escrow took the buyer's points and Gonggu's discount: exactly the gross the payable counted
    if (hold.capturedAmount + discount !== row.amount) {
      throw new Error(
        `refundPurchase: hold ${row.holdId} captured ${hold.capturedAmount} + ${discount} ≠ ${row.amount}`,
      );
    }
    const fee = refundFeeShare({ gross: payable.gross, refundedBefore, refund: row.amount, feeBps: PLATFORM_FEE_BPS });
    refundedBefore += row.amount;
    parts.push({ hold, gross: row.amount, fee, discount });
  }
  const gross = parts.reduce((s, p) => s + p.gross, 0);
  const fee = parts.reduce((s, p) => s + p.fee, 0);
  const sellerPart = gross - fee;
  const own = payable.payoutId === null && payable.status !== "paid";
  const source: PurchaseRefundResult["source"] = own ? (payable.status as "pending" | "available") : "balance";
  const others = own ? [] : await balanceTakes(db, gb, payable.id, sellerPart);

  // Fresh ids: "the refund rows went in" must mean "in THIS batch" (a concurrent refund's rows carry other ids).
  const ids = parts.map(() => newId(now));
  const claimed = sql`EXISTS (SELECT 1 FROM ${purchaseRefunds} WHERE ${purchaseRefunds.id} = ${ids[0]})`;
  const unchanged: SQL[] = [
    payableAsRead(payable),
    ...others.map((o) => payableAsRead(o.row)),
    sql`NOT EXISTS (SELECT 1 FROM ${groupBuyHolds} WHERE ${inArray(
      groupBuyHolds.holdId,
      parts.map((p) => p.hold.id),
    )} AND ${groupBuyHolds.settlement} <> 'posted')`,
  ];
  const statements: BatchItem[] = [
    ...parts.map((p, i) =>
      refundRowStatement(db, gb, ids[i], p, { ...input, source, actorId, now }, sql.join(unchanged, sql` AND `)),
    ),
    db
      .update(sellerPayables)
      .set({
        refunded: sql`${sellerPayables.refunded} + ${gross}`,
        feeReturned: sql`${sellerPayables.feeReturned} + ${fee}`,
        // a payable a payout claimed keeps what it paid; its seller part comes from the others below
        ...(own ? { net: sql`${sellerPayables.net} - ${sellerPart}` } : {}),
        updatedAt: now,
      })
      .where(and(eq(sellerPayables.id, payable.id), claimed)),
    ...others.map((o) =>
      db
        .update(sellerPayables)
        .set({
          net: sql`${sellerPayables.net} - ${o.take}`,
          deducted: sql`${sellerPayables.deducted} + ${o.take}`,
          updatedAt: now,
        })
        .where(and(eq(sellerPayables.id, o.row.id), claimed)),
    ),
    db
      .update(groupBuyHolds)
      .set({ settlement: "refunded", updatedAt: now })
      .where(
        and(
          inArray(
            groupBuyHolds.holdId,
            parts.map((p) => p.hold.id),
          ),
          claimed,
        ),
      ),
    db
      .update(groupBuyMembers)
      .set({ refundedAt: now, updatedAt: now })
      .where(and(eq(groupBuyMembers.groupBuyId, gb.id), eq(groupBuyMembers.userId, input.buyerId), claimed)),
    ...parts.flatMap((p) => [
      ...sellerRefundStatements(ledger, {
        holdId: p.hold.id,
        groupBuyId: gb.id,
        sellerId: gb.sellerId,
        book: gb.regionId,
        gross: p.gross,
        fee: p.fee,
        from: source === "pending" ? "pending" : "available",
        now,
        condition: claimed,
      }),
      ...holdRefundStatements(ledger, p.hold, {
        description: "Purchase refunded by the seller: points returned",
        now,
        condition: claimed,
      }).statements,
      ...(p.discount > 0
        ? transferWhereStatements(ledger, joinRefundedTransfer(p.hold, gb.id, p.discount, now), claimed)
        : []),
    ]),
  ];
  try {
    await runBatch(db, statements);
  } catch (e) {
    // a concurrent refund of the same purchase won (unique hold), or the seller's account moved under us (a release
    // or payout in between overdrew it): nothing was written; read again
    const failure = classifyLedgerError(e);
    if (messageChain(e).includes("purchase_refunds") || failure === "overdraft" || failure === "duplicate_id") {
      return "raced";
    }
    throw e;
  }
  return (await refundRows(db, gb.id, input.buyerId)).length > 0 ? "done" : "raced";
}

/** SQL: the payable is still as read (not claimed, released, paid or refunded from since). */
function payableAsRead(p: Payable): SQL {
  return sql`EXISTS (SELECT 1 FROM ${sellerPayables} WHERE ${sellerPayables.id} = ${p.id}
    AND ${sellerPayables.status} = ${p.status} AND ${sellerPayables.net} = ${p.net}
    AND ${sellerPayables.refunded} = ${p.refunded}
    AND ${p.payoutId === null ? sql`${sellerPayables.payoutId} IS NULL` : sql`${sellerPayables.payoutId} = ${p.payoutId}`})`;
}

/**
 * The buy's payable was claimed by a payout: the seller part comes out of the seller's available, unclaimed payables
 * of the same book, oldest first (the balance the next payout would pay). Short → PRECONDITION_FAILED with the
 * shortfall; no seller debt is created.
 */
async function balanceTakes(db: Db, gb: BuyRow, payableId: string, amount: number) {
  const rows = await db
    .select()
    .from(sellerPayables)
    .where(
      and(
        eq(sellerPayables.sellerId, gb.sellerId),
        eq(sellerPayables.regionId, gb.regionId),
        eq(sellerPayables.status, "available"),
        isNull(sellerPayables.payoutId),
      ),
    )
    .orderBy(sellerPayables.createdAt, sellerPayables.id)
    .limit(BALANCE_ROWS)
    .all();
  const takes: { row: Payable; take: number }[] = [];
  let left = amount;
  for (const row of rows) {
    if (left === 0) break;
    if (row.id === payableId || row.net <= 0) continue;
    const take = Math.min(row.net, left);
    takes.push({ row, take });
    left -= take;
  }
  if (left > 0) {
    failWith(
      "PRECONDITION_FAILED",
      `This group buy was already paid out and your available balance is ${(amount - left).toLocaleString("en-US")} won short of the ${amount.toLocaleString("en-US")} won this refund needs; refund it once more sales are available.`,
      { reason: "seller_balance_short", shortfall: left },
    );
  }
  return takes;
}

function refundRowStatement(
  db: Db,
  gb: BuyRow,
  id: string,
  p: HoldPart,
  a: { buyerId: string; reason: string; source: PurchaseRefundResult["source"]; actorId: string; now: number },
  condition: SQL,
) {
  // keys in table column order (drizzle lists the insert columns in that order)
  return db.insert(purchaseRefunds).select(
    db
      .select({
        id: sql<string>`${id}`.as("id"),
        holdId: sql<string>`${p.hold.id}`.as("hold_id"),
        groupBuyId: sql<string>`${gb.id}`.as("group_buy_id"),
        buyerId: sql<string>`${a.buyerId}`.as("buyer_id"),
        sellerId: sql<string>`${gb.sellerId}`.as("seller_id"),
        regionId: sql<string>`${gb.regionId}`.as("region_id"),
        gross: sql<number>`${p.gross}`.as("gross"),
        fee: sql<number>`${p.fee}`.as("fee"),
        source: sql<string>`${a.source}`.as("source"),
        reason: sql<string>`${a.reason}`.as("reason"),
        actorId: sql<string>`${a.actorId}`.as("actor_id"),
        createdAt: sql<number>`${a.now}`.as("created_at"),
      })
      .from(sql`(SELECT 1)`)
      .where(condition),
  );
}

/** After the batch (and on every replay): the reward clawed back and the buyer told, each at most once. */
async function finish(
  db: Db,
  env: Env,
  gb: BuyRow,
  rows: (typeof purchaseRefunds.$inferSelect)[],
  actorId: string,
  now: number,
): Promise<PurchaseRefundResult> {
  const ledger = bookDb(env, gb.regionId);
  let refunded = 0;
  let discount = 0;
  for (const r of rows) {
    await onPurchaseRefundedAfterCompletion(env, {
      holdId: r.holdId,
      regionId: gb.regionId,
      reason: `Purchase refunded by the seller: ${r.reason}`.slice(0, 500),
      actorId,
      now,
    });
    const [hold, back] = await Promise.all([
      getJoinHold(env, gb.regionId, r.holdId),
      getTransfer(ledger, joinRefundedTransferId(r.holdId)),
    ]);
    refunded += hold?.capturedAmount ?? 0;
    discount += back?.amount ?? 0;
  }
  const first = rows[0];
  const gross = rows.reduce((s, r) => s + r.gross, 0);
  const fee = rows.reduce((s, r) => s + r.fee, 0);
  await sendNotifications(db, env, [
    {
      userId: first.buyerId,
      now,
      kind: "groupbuy.purchase_refunded",
      params: { groupBuyId: gb.id, title: gb.title, refundWon: refunded, reason: first.reason.slice(0, 500) },
      dedupeKey: `purchase_refunded:${gb.id}:${first.buyerId}`,
    },
  ]);
  return {
    groupBuyId: gb.id,
    buyerId: first.buyerId,
    grossWon: gross,
    refundedWon: refunded,
    discountWon: discount,
    feeReturnedWon: fee,
    sellerPaidWon: gross - fee,
    source: first.source,
    refundedAt: first.createdAt,
  };
}
