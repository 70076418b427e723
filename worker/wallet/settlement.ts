/**
 * Money movements after holds are captured into a group buy's escrow (all in the group buy's region book):
 *
 *   refundCapturedHold(db, { holdId, amount?, now })      escrow → the buyer, charged points first, then reward;
 *                                                          once per hold (ids `${holdId}:refund:c|r`)
 *   settlementStatements(db, { settlementId, groupBuyId, sellerId, book, gross, feeBps, now })
 *                                                          escrow → seller payable (pending) gross − fee,
 *                                                          escrow → platform fee revenue, fee = gross × feeBps
 *                                                          rounded half-up (shared/money.ts)
 *   payoutReleaseStatements(db, { releaseId, sellerId, book, amount, now })
 *                                                          seller payable pending → available
 *   sellerRefundStatements(db, { ... })                    seller payable → escrow (gross − fee share), fee revenue →
 *                                                          escrow (fee share): escrow then refunds it as a cancellation
 *
 * The *Statements builders return batch items: put them in ONE runBatch with your own status update so the money and
 * the state change land together. Their transfer ids derive from your id, so re-running a batch after a success fails
 * with classifyLedgerError(e) === "duplicate_id" and changes nothing.
 */
import type { SQL } from "drizzle-orm";
import { applyBps, assertNonNegativeWon } from "../../shared/money";
import { type BatchItem, type Db, runBatch } from "../db/client";
import { fail } from "../lib/errors";
import {
  escrowAccount,
  parseAccountId,
  platformAccount,
  sellerPayableAvailableAccount,
  sellerPayablePendingAccount,
  userChargedAccount,
  userRewardAccount,
} from "./accounts";
import { classifyLedgerError, ledgerErrorToTrpc } from "./errors";
import { getHold, type Hold } from "./holds";
import { getTransfersWithSettlements, type TransferSpec, transferStatements, transferWhereStatements } from "./ledger";

/** A captured hold's refund transfers (charged and reward part): derived from the hold, so it runs once. */
export const holdRefundIds = (holdId: string) => ({ charged: `${holdId}:refund:c`, reward: `${holdId}:refund:r` });

export interface HoldRefund {
  holdId: string;
  refunded: number;
  toCharged: number;
  toReward: number;
}

/**
 * Gives a captured hold's points back from its escrow (group buy failed or the buyer's share was cancelled). Charged
 * points come back first (they are the refundable kind), then reward points, never more than was captured from
 * each. Exactly once per hold: a repeat with the same amount returns the refund, another amount → CONFLICT.
 */
export async function refundCapturedHold(
  db: Db,
  args: { holdId: string; amount?: number; description?: string; now: number },
): Promise<HoldRefund> {
  const hold = await getHold(db, args.holdId);
  if (!hold) fail("NOT_FOUND", `No hold ${args.holdId}.`);
  const amount = args.amount ?? hold.capturedAmount;
  const { statements, toCharged, toReward } = holdRefundStatements(db, hold, { ...args, amount });
  const ids = holdRefundIds(args.holdId);
  try {
    await runBatch(db, statements);
  } catch (e) {
    const failure = classifyLedgerError(e);
    if (failure === "overdraft") {
      fail("PRECONDITION_FAILED", "The group buy's escrow no longer holds these points (already settled?).");
    }
    if (failure !== "duplicate_id") ledgerErrorToTrpc(e, failure);
    const rows = await getTransfersWithSettlements(db, [ids.charged, ids.reward]);
    const done = rows.filter((r) => r.id === ids.charged || r.id === ids.reward).reduce((sum, r) => sum + r.amount, 0);
    if (done !== amount) fail("CONFLICT", `This hold was already refunded (${done} won).`);
    const charged = rows.find((r) => r.id === ids.charged)?.amount ?? 0;
    return { holdId: args.holdId, refunded: done, toCharged: charged, toReward: done - charged };
  }
  return { holdId: args.holdId, refunded: amount, toCharged, toReward };
}

/**
 * refundCapturedHold's transfers as batch items (the one rule: charged points back first, then reward, never more than
 * was captured from each). With `condition`, each transfer is inserted only if it holds (transferWhereStatements).
 */
export function holdRefundStatements(
  db: Db,
  hold: Hold,
  args: { amount?: number; description?: string; now: number; condition?: SQL },
): { statements: BatchItem[]; toCharged: number; toReward: number } {
  if (hold.status !== "posted")
    fail("PRECONDITION_FAILED", "Only a captured hold can be refunded; release it instead.");
  const amount = args.amount ?? hold.capturedAmount;
  if (!Number.isSafeInteger(amount) || amount < 1 || amount > hold.capturedAmount) {
    fail("BAD_REQUEST", `Refund between 1 and ${hold.capturedAmount} won.`);
  }
  const ids = holdRefundIds(hold.id);
  const toCharged = Math.min(amount, hold.capturedFromCharged);
  const toReward = amount - toCharged;
  const book = hold.regionId;
  const common = {
    book,
    debit: parseAccountId(hold.creditAccountId),
    kind: "escrow_refund" as const,
    reference: hold.reference,
    description: args.description ?? "Points returned",
    meta: { holdId: hold.id, userId: hold.userId },
    now: args.now,
  };
  const specs: TransferSpec[] = [];
  if (toCharged > 0) {
    specs.push({ ...common, id: ids.charged, credit: userChargedAccount(hold.userId, book), amount: toCharged });
  }
  if (toReward > 0) {
    specs.push({ ...common, id: ids.reward, credit: userRewardAccount(hold.userId, book), amount: toReward });
  }
  return { statements: specsStatements(db, specs, args.condition), toCharged, toReward };
}

/** Transfers as batch items, each inserted only if `condition` holds when given. */
export function specsStatements(db: Db, specs: TransferSpec[], condition?: SQL): BatchItem[] {
  return specs.flatMap((spec) =>
    condition ? transferWhereStatements(db, spec, condition) : transferStatements(db, spec),
  );
}

export interface Settlement {
  statements: BatchItem[];
  gross: number;
  fee: number;
  net: number;
}

/** Escrow → seller (pending payout) and platform fee, as batch items. */
export function settlementStatements(
  db: Db,
  args: {
    settlementId: string;
    groupBuyId: string;
    sellerId: string;
    book: string;
    gross: number;
    feeBps: number;
    now: number;
  },
): Settlement {
  assertNonNegativeWon(args.gross, "gross", 1);
  const fee = applyBps(args.gross, args.feeBps);
  const net = args.gross - fee;
  const escrow = escrowAccount(args.groupBuyId, args.book);
  const reference = `groupbuy:${args.groupBuyId}`;
  const statements: BatchItem[] = [];
  if (net > 0) {
    statements.push(
      ...transferStatements(db, {
        id: `${args.settlementId}:net`,
        book: args.book,
        debit: escrow,
        credit: sellerPayablePendingAccount(args.sellerId, args.book),
        amount: net,
        kind: "settlement",
        reference,
        description: "Group buy settled",
        meta: { groupBuyId: args.groupBuyId, gross: args.gross, feeBps: args.feeBps },
        now: args.now,
      }),
    );
  }
  if (fee > 0) {
    statements.push(
      ...transferStatements(db, {
        id: `${args.settlementId}:fee`,
        book: args.book,
        debit: escrow,
        credit: platformAccount("platform_fee_revenue", args.book),
        amount: fee,
        kind: "platform_fee",
        reference,
        description: "Platform fee",
        meta: { groupBuyId: args.groupBuyId, gross: args.gross, feeBps: args.feeBps },
        now: args.now,
      }),
    );
  }
  return { statements, gross: args.gross, fee, net };
}

/** Seller payable pending → available (after the payout delay), as batch items. */
export function payoutReleaseStatements(
  db: Db,
  args: { releaseId: string; sellerId: string; book: string; amount: number; now: number },
): BatchItem[] {
  return transferStatements(db, {
    id: args.releaseId,
    book: args.book,
    debit: sellerPayablePendingAccount(args.sellerId, args.book),
    credit: sellerPayableAvailableAccount(args.sellerId, args.book),
    amount: args.amount,
    kind: "payout_release",
    description: "Payout available",
    now: args.now,
  });
}

/**
 * A settled buy's purchase refunded by its seller, the funding half: the seller's payable (`from`: pending, or
 * available) → the buy's escrow for gross − fee, and platform fee revenue → escrow for the fee share, so escrow holds
 * the purchase's gross again and refunds it as a cancellation does (holdRefundStatements + the discount back).
 * Ids derive from the hold: once per purchase.
 */
export function sellerRefundStatements(
  db: Db,
  args: {
    holdId: string;
    groupBuyId: string;
    sellerId: string;
    book: string;
    gross: number;
    fee: number;
    from: "pending" | "available";
    now: number;
    condition?: SQL;
  },
): BatchItem[] {
  assertNonNegativeWon(args.gross, "gross", 1);
  const escrow = escrowAccount(args.groupBuyId, args.book);
  const common = {
    book: args.book,
    credit: escrow,
    reference: `groupbuy:${args.groupBuyId}`,
    meta: { groupBuyId: args.groupBuyId, holdId: args.holdId, gross: args.gross },
    now: args.now,
  };
  const seller = args.from === "pending" ? sellerPayablePendingAccount : sellerPayableAvailableAccount;
  const specs: TransferSpec[] = [];
  const sellerPart = assertNonNegativeWon(args.gross - args.fee, "seller part");
  if (sellerPart > 0) {
    specs.push({
      ...common,
      id: `${args.holdId}:sellerrefund`,
      debit: seller(args.sellerId, args.book),
      amount: sellerPart,
      kind: "seller_refund",
      description: "Purchase refunded by the seller",
    });
  }
  if (args.fee > 0) {
    specs.push({
      ...common,
      id: `${args.holdId}:sellerrefund:fee`,
      debit: platformAccount("platform_fee_revenue", args.book),
      amount: args.fee,
      kind: "platform_fee_refund",
      description: "Platform fee returned (purchase refunded)",
    });
  }
  return specsStatements(db, specs, args.condition);
}
