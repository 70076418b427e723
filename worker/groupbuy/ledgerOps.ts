import { TRPCError } from "@trpc/server";
import { type BatchItem, type Db, runBatch } from "../db/client";
import { errorForLog } from "../lib/errors";
import type { JoinQuote } from "../membership/discount";
import { discountHoldMeta } from "../membership/discount";
import {
  joinCapturedTransferId,
  joinQuotes,
  joinRefundedTransferId,
  onJoinCaptured,
  onJoinRefunded,
} from "../membership/hooks";
import { escrowAccount, platformAccount, sellerPayableAvailableAccount } from "../wallet/accounts";
import { bookDb } from "../wallet/books";
import { classifyLedgerError, ledgerErrorToTrpc } from "../wallet/errors";
import {
  getHold,
  type Hold,
  type PlaceHoldArgs,
  placeHold,
  placeHoldsTogether,
  postHold,
  readHolds,
  voidHold,
} from "../wallet/holds";
import { type TransferRow, transfer } from "../wallet/ledger";
import { holdRefundIds, payoutReleaseStatements, refundCapturedHold, settlementStatements } from "../wallet/settlement";
import { PLATFORM_FEE_BPS } from "./config";

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
  /** Price × shares; the hold is this minus the buyer's membership discount (Gonggu pays that at capture). */
  gross: number;
  shares: number;
  title: string;
  now: number;
  /** The buyer's tier level as the join's guard batch read it; absent → read here with the other holds'. */
  tierLevel?: number;
}

/**
 * Throws PRECONDITION_FAILED with details.shortfall when the user's points do not cover it. Idempotent by hold id:
 * a retry returns the hold already placed, even if the buyer's tier (so their discount) changed in between.
 */
export async function placeJoinHold(env: Env, a: JoinHoldArgs): Promise<Hold> {
  const db = bookDb(env, a.regionId);
  const [quote] = await joinQuotes(env, a.regionId, [{ userId: a.userId, gross: a.gross, tierLevel: a.tierLevel }]);
  try {
    return await placeHold(db, holdArgs(a, quote));
  } catch (e) {
    if (e instanceof TRPCError && e.code === "CONFLICT") {
      const existing = await getHold(db, a.holdId);
      if (existing?.userId === a.userId) return existing;
    }
    throw e;
  }
}

function holdArgs(a: JoinHoldArgs, quote: JoinQuote): PlaceHoldArgs {
  return {
    holdId: a.holdId,
    userId: a.userId,
    regionId: a.regionId,
    amount: quote.net,
    reference: groupBuyRef(a.groupBuyId),
    toAccount: escrowAccount(a.groupBuyId, a.regionId),
    description: `Joined group buy: ${a.title} × ${a.shares}`,
    meta: discountHoldMeta(quote),
    now: a.now,
  };
}

export type JoinHoldOutcome = { hold: Hold; error?: undefined } | { hold?: undefined; error: unknown };

/**
 * Group commit: the holds of several joins in one region (≤ HOLD_GROUP_MAX) with ONE ledger batch (plus one tier read
 * when some join did not bring its tier level from its guard batch), instead of two round trips each. Every join keeps its own outcome: a hold the batch did not place (points short, a
 * hold id used before, or the batch failing as a whole) is retried alone with placeJoinHold, which gives the exact
 * answer (the hold placed earlier, or the typed shortfall) — one buyer's problem never costs another their hold.
 */
export async function placeJoinHolds(env: Env, regionId: string, list: JoinHoldArgs[]): Promise<JoinHoldOutcome[]> {
  let placed: (Hold | null)[] = list.map(() => null);
  try {
    const quotes = await joinQuotes(
      env,
      regionId,
      list.map((a) => ({ userId: a.userId, gross: a.gross, tierLevel: a.tierLevel })),
    );
    placed = await placeHoldsTogether(
      bookDb(env, regionId),
      list.map((a, i) => holdArgs(a, quotes[i])),
    );
  } catch (e) {
    console.error(
      JSON.stringify({ level: "warn", where: "placeJoinHolds", holds: list.length, error: errorForLog(e) }),
    );
  }
  return Promise.all(
    list.map(async (a, i): Promise<JoinHoldOutcome> => {
      const hold = placed[i];
      if (hold) return { hold };
      try {
        return { hold: await placeJoinHold(env, a) };
      } catch (error) {
        return { error };
      }
    }),
  );
}

export function getJoinHold(env: Env, regionId: string, holdId: string): Promise<Hold | null> {
  return getHold(bookDb(env, regionId), holdId);
}

/** Many join holds in one query (the room's heal): absent holds are not in the map. */
export async function getJoinHolds(env: Env, regionId: string, holdIds: string[]): Promise<Map<string, Hold>> {
  if (holdIds.length === 0) return new Map();
  const { holds } = await readHolds(bookDb(env, regionId), holdIds);
  return new Map([...holds].map(([id, read]) => [id, read.hold]));
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

/**
 * Captures the whole hold into the group buy's escrow (the destination was fixed when the hold was placed), and has
 * Gonggu pay the buyer's membership discount into escrow too, so escrow holds the full price. Both idempotent.
 */
export async function postJoinHold(env: Env, regionId: string, holdId: string, groupBuyId: string, now: number) {
  const hold = await postHold(bookDb(env, regionId), {
    holdId,
    now,
    description: "Group buy confirmed: points moved to escrow",
  });
  await onJoinCaptured(env, hold, groupBuyId, now);
  return hold;
}

/**
 * Gives a captured hold back in full from escrow (charged points first, then reward: the ledger's rule) and the
 * membership discount back to Gonggu. Ids derive from the hold: idempotent.
 */
export async function refundPostedHold(env: Env, hold: Hold, groupBuyId: string, now: number): Promise<void> {
  await refundCapturedHold(bookDb(env, hold.regionId), {
    holdId: hold.id,
    description: "Group buy cancelled: points returned",
    now,
  });
  await onJoinRefunded(env, hold, groupBuyId, now);
}

/** The ledger rows that tell whether refundPostedHold has anything left to do for a hold (read with the hold). */
export function refundPostedHoldIds(holdId: string): string[] {
  const refund = holdRefundIds(holdId);
  return [refund.charged, refund.reward, joinCapturedTransferId(holdId), joinRefundedTransferId(holdId)];
}

/**
 * True when refundPostedHold would move nothing: the whole captured amount is back with the buyer and the discount,
 * if Gonggu funded one, is back with Gonggu (`rows`: refundPostedHoldIds' rows by id). Anything else — no refund yet,
 * a discount funded after the refund (a capture that raced the cancellation), a refund of another amount — is false:
 * refundPostedHold then does (or refuses) the rest.
 */
export function postedHoldRefunded(hold: Hold, rows: ReadonlyMap<string, TransferRow>): boolean {
  const [charged, reward, funded, back] = refundPostedHoldIds(hold.id).map((id) => rows.get(id));
  const refunded = (charged?.amount ?? 0) + (reward?.amount ?? 0);
  const discountBack = funded ? back?.amount === funded.amount : true;
  return hold.status === "posted" && refunded > 0 && refunded === hold.capturedAmount && discountBack;
}

/** Runs ledger statements whose ids derive from ours: a re-run after a success ("duplicate_id") is a no-op. */
async function runOnce(db: Db, statements: BatchItem[]): Promise<void> {
  try {
    await runBatch(db, statements);
  } catch (e) {
    const failure = classifyLedgerError(e);
    if (failure !== "duplicate_id") ledgerErrorToTrpc(e, failure);
  }
}

/** Escrow → the seller's pending payable (gross − fee) and platform fee revenue, once per buy (one batch). */
export async function settleEscrowToSeller(
  env: Env,
  a: { groupBuyId: string; regionId: string; sellerId: string; gross: number; now: number },
) {
  const db = bookDb(env, a.regionId);
  const settlement = settlementStatements(db, {
    settlementId: `settle:${a.groupBuyId}`,
    groupBuyId: a.groupBuyId,
    sellerId: a.sellerId,
    book: a.regionId,
    gross: a.gross,
    feeBps: PLATFORM_FEE_BPS,
    now: a.now,
  });
  await runOnce(db, settlement.statements);
  return { gross: settlement.gross, fee: settlement.fee, net: settlement.net };
}

/** Seller payable pending → available once the confirmation window passed. */
export function releasePayable(
  env: Env,
  a: { payableId: string; regionId: string; sellerId: string; amount: number; now: number },
) {
  const db = bookDb(env, a.regionId);
  return runOnce(
    db,
    payoutReleaseStatements(db, {
      releaseId: `release:${a.payableId}`,
      sellerId: a.sellerId,
      book: a.regionId,
      amount: a.amount,
      now: a.now,
    }),
  );
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
