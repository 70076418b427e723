/**
 * The tier discount at join. The buyer's hold is the net price; the platform pays the discount from promotion expense
 * into the group buy's escrow when the hold is captured, so escrow (and the seller) still get the full price:
 *
 *   join:     quote = discountForJoin(db, userId, gross, now)
 *             placeHold({ amount: quote.net, meta: discountHoldMeta(quote), toAccount: escrow, ... })
 *   capture:  postHold(...), then fundJoinDiscount(db, hold, groupBuyId, now)   promotion_expense → escrow
 *   refund:   refund the captured points, then reverseJoinDiscount(...)          escrow → promotion_expense
 *
 * The discount is stored on the hold's own ledger rows (meta), so it is fixed at join and commits with the hold.
 * Transfer ids derive from the hold id: every step is idempotent.
 */
import { allocate, applyBps } from "../../shared/money";
import type { TierId } from "../../shared/schemas/membership";
import type { Db } from "../db/client";
import { fail } from "../lib/errors";
import { escrowAccount, platformAccount } from "../wallet/accounts";
import type { Hold } from "../wallet/holds";
import { getTransfer, type TransferRow, type TransferSpec, transfer } from "../wallet/ledger";
import { tierAt } from "./config";
import { currentTier, currentTiers } from "./tiers";

export interface JoinQuote {
  tier: TierId;
  discountBps: number;
  gross: number;
  discount: number;
  /** What the buyer pays (the hold amount). */
  net: number;
}

export function quoteDiscount(gross: number, tier: { id: TierId; discountBps: number }): JoinQuote {
  const discount = applyBps(gross, tier.discountBps);
  return { tier: tier.id, discountBps: tier.discountBps, gross, discount, net: gross - discount };
}

/** The caller's tier discount on `grossAmount` won (price × shares). */
export async function discountForJoin(db: Db, userId: string, grossAmount: number, _now: number): Promise<JoinQuote> {
  if (!Number.isSafeInteger(grossAmount) || grossAmount < 1) fail("BAD_REQUEST", "The price must be at least 1 won.");
  const { tier } = await currentTier(db, userId);
  return quoteDiscount(grossAmount, tier);
}

/**
 * discountForJoin for many joins at once: one read of their buyers' tiers, skipped for the joins that bring the tier
 * level their guard batch read (tierLevelQuery) — no read at all when every join does.
 */
export async function discountsForJoins(
  db: Db,
  joins: { userId: string; gross: number; tierLevel?: number }[],
): Promise<JoinQuote[]> {
  for (const j of joins) {
    if (!Number.isSafeInteger(j.gross) || j.gross < 1) fail("BAD_REQUEST", "The price must be at least 1 won.");
  }
  const unknown = joins.filter((j) => j.tierLevel === undefined).map((j) => j.userId);
  const tiers = unknown.length > 0 ? await currentTiers(db, unknown) : new Map();
  return joins.map((j) =>
    quoteDiscount(j.gross, j.tierLevel !== undefined ? tierAt(j.tierLevel) : tiers.get(j.userId)!.tier),
  );
}

/** What placeHold stores with the hold (its `meta`). */
export function discountHoldMeta(q: JoinQuote): Record<string, string | number> {
  return { gross: q.gross, discount: q.discount, tier: q.tier };
}

/**
 * Gross, discount and paid of a hold as captured. A hold placed without a discount has none. If a hold is captured
 * only in part, the discount follows the captured share (allocate: exact, half-up remainder by weight).
 */
export function joinAmounts(hold: Hold): { gross: number; discount: number; paid: number } {
  const paid = hold.status === "posted" ? hold.capturedAmount : hold.amount;
  const stored = Number(hold.meta.discount ?? 0);
  const discount =
    !Number.isSafeInteger(stored) || stored <= 0
      ? 0
      : paid === hold.amount
        ? stored
        : allocate(stored, [paid, hold.amount - paid])[0];
  return { gross: paid + discount, discount, paid };
}

/** The id of a captured hold's discount transfer (derived: funding it twice is impossible). */
export const fundId = (holdId: string) => `${holdId}:discount`;
/** The id of that discount's reversal when the captured hold is refunded. */
export const reversalId = (holdId: string) => `${fundId(holdId)}:back`;

/** promotion_expense → escrow for a captured hold's discount. No-op (null) when there is none. */
export async function fundJoinDiscount(
  db: Db,
  hold: Hold,
  groupBuyId: string,
  now: number,
): Promise<TransferRow | null> {
  const spec = fundJoinDiscountSpec(hold, groupBuyId, now);
  return spec ? transfer(db, spec) : null;
}

/** fundJoinDiscount's transfer, to run in a batch with other holds' (null: no discount). */
export function fundJoinDiscountSpec(hold: Hold, groupBuyId: string, now: number): TransferSpec | null {
  if (hold.status !== "posted") fail("PRECONDITION_FAILED", "A discount is paid into escrow only for a captured hold.");
  const { discount } = joinAmounts(hold);
  if (discount === 0) return null;
  return {
    id: fundId(hold.id),
    book: hold.regionId,
    debit: platformAccount("promotion_expense", hold.regionId),
    credit: escrowAccount(groupBuyId, hold.regionId),
    amount: discount,
    kind: "discount",
    reference: `groupbuy:${groupBuyId}`,
    description: "Membership discount paid by Gonggu",
    meta: { groupBuyId, holdId: hold.id, userId: hold.userId, tier: hold.meta.tier ?? null },
    now,
  };
}

/** escrow → promotion_expense: the discount back when the captured join is refunded. No-op if it was never funded. */
export async function reverseJoinDiscount(
  db: Db,
  hold: Hold,
  groupBuyId: string,
  now: number,
): Promise<TransferRow | null> {
  const funded = await getTransfer(db, fundId(hold.id));
  if (!funded) return null;
  return transfer(db, reverseJoinDiscountSpec(hold, groupBuyId, funded.amount, now));
}

/** reverseJoinDiscount's transfer, for a batch (`funded`: the amount of the hold's fundId transfer, read first). */
export function reverseJoinDiscountSpec(hold: Hold, groupBuyId: string, funded: number, now: number): TransferSpec {
  return {
    id: reversalId(hold.id),
    book: hold.regionId,
    debit: escrowAccount(groupBuyId, hold.regionId),
    credit: platformAccount("promotion_expense", hold.regionId),
    amount: funded,
    kind: "discount_reversal",
    reference: `groupbuy:${groupBuyId}`,
    description: "Membership discount returned (join refunded)",
    meta: { groupBuyId, holdId: hold.id, userId: hold.userId },
    now,
  };
}
