/**
 * Reward lots. The ledger's user_reward account is the one truth for how many reward points a user has; lots only
 * say WHEN they expire. Spending needs no bookkeeping here: the wallet spends reward points first (holds.ts,
 * spend.ts), and what is still available is attributed to the open lots latest-expiry first — equivalently, every
 * spend consumed the soonest-expiring lots first (oldest-first, since every lot lives the same 12 months).
 *
 *   remaining(lot) = what of `available` is left after the lots expiring later took theirs, capped at the lot's net
 *   net(lot)       = amount − clawed (open lots only; an expired or clawed-back lot is closed)
 *
 * Reward points that are not in any open lot (an admin grant) never expire. A region move carries the lots with the
 * points (wallet/moveCarry.ts carryLots), so moved points expire on the day they would have in the old book.
 * A lot changes only in the same batch as the ledger transfer that changes the account (expiry, clawback), guarded
 * by accountsUnchanged(), so the attribution a step decided on is the one it writes.
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { rewardLots } from "../db/schema";
import { balanceOf, userRewardAccount } from "../wallet/accounts";
import { type AccountSnapshot, getAccounts, snapshotOf } from "../wallet/ledger";

export type LotRow = typeof rewardLots.$inferSelect;
export type OpenLot = LotRow & { remaining: number };

/** Soonest expiry first (ties: the lot earned first). */
function byExpiry(a: LotRow, b: LotRow) {
  return a.expiresAt - b.expiresAt || a.earnedAt - b.earnedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Pure: splits `available` over open lots, latest expiry first. Returns lots soonest-expiry first. */
export function attribute(open: readonly LotRow[], available: number): { lots: OpenLot[]; withoutExpiry: number } {
  const sorted = [...open].sort(byExpiry);
  let left = Math.max(0, available);
  const remaining = new Map<string, number>();
  for (let i = sorted.length - 1; i >= 0; i--) {
    const take = Math.min(left, sorted[i].amount - sorted[i].clawed);
    remaining.set(sorted[i].id, take);
    left -= take;
  }
  return { lots: sorted.map((l) => ({ ...l, remaining: remaining.get(l.id) ?? 0 })), withoutExpiry: left };
}

export interface RewardState {
  account: AccountSnapshot;
  /** Posted reward balance, and what is spendable after holds. */
  balance: number;
  available: number;
  lots: OpenLot[];
  withoutExpiry: number;
}

/** The reward account and the user's open lots in a book: two queries. */
export async function rewardState(db: Db, userId: string, book: string): Promise<RewardState> {
  const ref = userRewardAccount(userId, book);
  const [[row], open] = await Promise.all([
    getAccounts(db, [ref.id]),
    db
      .select()
      .from(rewardLots)
      .where(and(eq(rewardLots.userId, userId), eq(rewardLots.book, book), isNull(rewardLots.closedAt)))
      .orderBy(asc(rewardLots.expiresAt))
      .all(),
  ]);
  const { balance, available } = balanceOf(row);
  return { account: snapshotOf(ref.id, row), balance, available, ...attribute(open, available) };
}
