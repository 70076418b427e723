import { TRPCError } from "@trpc/server";
import {
  escrowAccount,
  platformAccount,
  sellerPayableAvailableAccount,
  sellerPayablePendingAccount,
  userChargedAccount,
  userRewardAccount,
} from "../wallet/accounts";
import { bookDb } from "../wallet/books";
import { getHold, type Hold, placeHold, postHold, voidHold } from "../wallet/holds";
import { getAccounts, getTransfer, transfer } from "../wallet/ledger";
import { payableSplit } from "./pricing";

/**
 * How group buys use the ledger. Every id below is derived from our own ids, so each call is idempotent: a retry,
 * a duplicate queue delivery or a re-run alarm never moves a won twice. All of a group buy's money lives in its
 * region's book (bookDb); the hold is a pending transfer user → the buy's escrow, posted when the buy goes ahead.
 */

export const groupBuyRef = (groupBuyId: string) => `groupbuy:${groupBuyId}`;

export interface JoinHoldArgs {
  holdId: string;
  groupBuyId: string;
  regionId: string;
  userId: string;
  amount: number;
  shares: number;
  title: string;
  now: number;
}

/** Throws PRECONDITION_FAILED with details.shortfall when the user's points do not cover it. */
export function placeJoinHold(env: Env, a: JoinHoldArgs): Promise<Hold> {
  return placeHold(bookDb(env, a.regionId), {
    holdId: a.holdId,
    userId: a.userId,
    regionId: a.regionId,
    amount: a.amount,
    reference: groupBuyRef(a.groupBuyId),
    toAccount: escrowAccount(a.groupBuyId, a.regionId),
    description: `Joined group buy: ${a.title} × ${a.shares}`,
    now: a.now,
  });
}

export function getJoinHold(env: Env, regionId: string, holdId: string): Promise<Hold | null> {
  return getHold(bookDb(env, regionId), holdId);
}

/** Voids a hold if it exists and is pending. Returns what the hold is now ("absent" when it was never placed). */
export async function releaseJoinHold(
  env: Env,
  regionId: string,
  holdId: string,
  now: number,
): Promise<"voided" | "absent" | "posted"> {
  const db = bookDb(env, regionId);
  const hold = await getHold(db, holdId);
  if (!hold) return "absent";
  if (hold.status === "posted") return "posted";
  if (hold.status !== "pending") return "voided";
  try {
    const after = await voidHold(db, { holdId, now, description: "Group buy share released" });
    return after.status === "posted" ? "posted" : "voided";
  } catch (e) {
    if (e instanceof TRPCError && e.code === "PRECONDITION_FAILED") {
      const again = await getHold(db, holdId);
      if (again?.status === "posted") return "posted";
    }
    throw e;
  }
}

/** Captures the whole hold into the group buy's escrow (the destination was fixed when the hold was placed). */
export function postJoinHold(env: Env, regionId: string, holdId: string, now: number): Promise<Hold> {
  return postHold(bookDb(env, regionId), { holdId, now, description: "Group buy confirmed: points moved to escrow" });
}

/**
 * Gives a captured hold back in full from escrow, to the accounts it came from (reward points stay reward points,
 * which are never refundable as cash). Two transfers with ids derived from the hold: idempotent.
 */
export async function refundPostedHold(env: Env, hold: Hold, groupBuyId: string, now: number): Promise<void> {
  const db = bookDb(env, hold.regionId);
  const escrow = escrowAccount(groupBuyId, hold.regionId);
  const rewardBack = Math.min(hold.fromReward, hold.capturedAmount);
  const legs = [
    { id: `${hold.id}:refund:r`, amount: rewardBack, credit: userRewardAccount(hold.userId, hold.regionId) },
    {
      id: `${hold.id}:refund:c`,
      amount: hold.capturedAmount - rewardBack,
      credit: userChargedAccount(hold.userId, hold.regionId),
    },
  ];
  for (const leg of legs) {
    if (leg.amount <= 0) continue;
    await transfer(db, {
      id: leg.id,
      book: hold.regionId,
      debit: escrow,
      credit: leg.credit,
      amount: leg.amount,
      kind: "escrow_refund",
      reference: groupBuyRef(groupBuyId),
      description: "Group buy cancelled: points returned",
      meta: { groupBuyId, holdId: hold.id },
      now,
    });
  }
}

/** Posted balance of a group buy's escrow. */
export async function escrowBalance(env: Env, groupBuyId: string, regionId: string): Promise<number> {
  const ref = escrowAccount(groupBuyId, regionId);
  const [row] = await getAccounts(bookDb(env, regionId), [ref.id]);
  return row ? row.creditsPosted - row.debitsPosted : 0;
}

/**
 * Escrow → the seller's pending payable (net) and platform fee revenue (fee). The amounts are fixed by the first
 * run (transfer ids `settle:` / `fee:` + buy id), so a retry after a partial failure finishes the same split.
 */
export async function settleEscrowToSeller(
  env: Env,
  a: { groupBuyId: string; regionId: string; sellerId: string; gross: number; now: number },
) {
  const db = bookDb(env, a.regionId);
  const split = payableSplit(a.gross);
  const escrow = escrowAccount(a.groupBuyId, a.regionId);
  const common = { book: a.regionId, debit: escrow, reference: groupBuyRef(a.groupBuyId), now: a.now };
  if (split.net > 0) {
    await transfer(db, {
      ...common,
      id: `settle:${a.groupBuyId}`,
      credit: sellerPayablePendingAccount(a.sellerId, a.regionId),
      amount: split.net,
      kind: "settlement",
      description: "Group buy completed: payable to seller",
      meta: { groupBuyId: a.groupBuyId, gross: split.gross, fee: split.fee },
    });
  }
  if (split.fee > 0) {
    await transfer(db, {
      ...common,
      id: `fee:${a.groupBuyId}`,
      credit: platformAccount("platform_fee_revenue", a.regionId),
      amount: split.fee,
      kind: "platform_fee",
      description: "Platform fee",
      meta: { groupBuyId: a.groupBuyId },
    });
  }
  return split;
}

/** Seller payable pending → available once the confirmation window passed. */
export function releasePayable(
  env: Env,
  a: { payableId: string; regionId: string; sellerId: string; amount: number; now: number },
) {
  return transfer(bookDb(env, a.regionId), {
    id: `release:${a.payableId}`,
    book: a.regionId,
    debit: sellerPayablePendingAccount(a.sellerId, a.regionId),
    credit: sellerPayableAvailableAccount(a.sellerId, a.regionId),
    amount: a.amount,
    kind: "payout_release",
    reference: `payable:${a.payableId}`,
    description: "Payable released after the confirmation window",
    now: a.now,
  });
}

/** Seller payable available → paid out (money leaves through the gateway, so the gateway clearing account). */
export function payOutFromLedger(
  env: Env,
  a: { payoutId: string; regionId: string; sellerId: string; amount: number; now: number },
) {
  return transfer(bookDb(env, a.regionId), {
    id: `payout:${a.payoutId}`,
    book: a.regionId,
    debit: sellerPayableAvailableAccount(a.sellerId, a.regionId),
    credit: platformAccount("pg_clearing", a.regionId),
    amount: a.amount,
    kind: "payout",
    reference: `payout:${a.payoutId}`,
    description: "Payout to seller",
    now: a.now,
  });
}

export function hasTransfer(env: Env, regionId: string, id: string) {
  return getTransfer(bookDb(env, regionId), id).then((row) => row !== undefined);
}
