/**
 * What the group-buy flow calls (each takes env and the buy's region, and uses that region's book database):
 *
 *   joinQuotes(env, regionId, [{ userId, gross, tierLevel? }])  → JoinQuote[]: hold each quote.net, pass
 *                                                                 discountHoldMeta(quote); ≤ one tier read in all
 *   tierLevelQuery(db, userId)                                  the tier read, to batch with a join's guards
 *   assertCanJoinNow(env, { userId, regionId, openedAt, plusEarlyAccess, now })   Plus-only first hour, if chosen
 *   onJoinCaptured(env, hold, groupBuyId, now)                  after postHold: the platform pays the discount to escrow
 *   joinCapturedTransfer(hold, groupBuyId, now)                 the same as a transfer for a settlement chunk's batch
 *   onJoinRefunded(env, hold, groupBuyId, now)                  after refunding a captured join: discount back
 *   onPurchasesCompleted(env, groupBuyId, holds, now)           at completion: spend, tier upgrade, reward lots
 *   onPurchaseRefundedAfterCompletion(env, { ... })             claw the reward back
 *
 * All are idempotent (ids derive from the hold), so a retried queue job may call them again.
 */

import { eq } from "drizzle-orm";
import { type Db, getDb } from "../db/client";
import { membershipSpend, rewardLots, users } from "../db/schema";
import { failWith } from "../lib/errors";
import { bookBinding, bookDb, followHome } from "../wallet/books";
import type { Hold } from "../wallet/holds";
import { type ClawbackResult, clawbackReward } from "./clawback";
import { PLUS } from "./config";
import {
  discountsForJoins,
  fundId,
  fundJoinDiscount,
  fundJoinDiscountSpec,
  type JoinQuote,
  reversalId,
  reverseJoinDiscount,
  reverseJoinDiscountSpec,
} from "./discount";
import { deliver, tierChangeNotice } from "./notices";
import { plusActive } from "./plus";
import { type CompletionOutcome, type Purchase, purchaseFromHold, recordCompletion } from "./rewards";

export { tierLevelQuery } from "./tiers";

/**
 * The tier discount of joins in one region (one, or a group commit's): one read of the tiers of the buyers whose join
 * did not bring its tier level (none when all did).
 */
export function joinQuotes(
  env: Env,
  regionId: string,
  joins: { userId: string; gross: number; tierLevel?: number }[],
): Promise<JoinQuote[]> {
  return discountsForJoins(bookDb(env, regionId), joins);
}

/** When a buy opens to everyone: at once, or an hour later when its seller chose Plus early access. */
export function openToAllAt(a: { openedAt: number; plusEarlyAccess: boolean }): number {
  return a.plusEarlyAccess ? a.openedAt + PLUS.earlyAccessMs : a.openedAt;
}

/** Pure rule: during the first hour of a buy whose seller chose early access, only Plus members may join. */
export function canJoinEarly(a: { openedAt: number; plusEarlyAccess: boolean; isPlus: boolean; now: number }): boolean {
  return a.isPlus || a.now >= openToAllAt(a);
}

export async function assertCanJoinNow(
  env: Env,
  a: { userId: string; regionId: string; openedAt: number; plusEarlyAccess: boolean; now: number },
): Promise<void> {
  const opensAt = openToAllAt(a);
  if (a.now >= opensAt) return;
  const isPlus = await plusActive(bookDb(env, a.regionId), a.userId, a.now);
  if (canJoinEarly({ ...a, isPlus })) return;
  failWith(
    "PRECONDITION_FAILED",
    `Gonggu Plus members get the first hour of this group buy; everyone can join from ${new Date(opensAt).toISOString()}.`,
    { reason: "plus_early_access", opensAt },
  );
}

export function onJoinCaptured(env: Env, hold: Hold, groupBuyId: string, now: number) {
  return fundJoinDiscount(bookDb(env, hold.regionId), hold, groupBuyId, now);
}

/**
 * onJoinCaptured for a chunk of holds settled in one batch: the transfer to add to the batch (null: no discount), and
 * its id, to check first whether it already ran (`hold` as it is once captured). Same transfer, same id.
 */
export function joinCapturedTransfer(hold: Hold, groupBuyId: string, now: number) {
  return fundJoinDiscountSpec(hold, groupBuyId, now);
}
export const joinCapturedTransferId = fundId;
/** onJoinRefunded's transfer id (it runs only when joinCapturedTransferId's did). */
export const joinRefundedTransferId = reversalId;

/** onJoinRefunded's transfer, for a batch (`funded`: the amount of the hold's joinCapturedTransferId transfer). */
export const joinRefundedTransfer = reverseJoinDiscountSpec;

export function onJoinRefunded(env: Env, hold: Hold, groupBuyId: string, now: number) {
  return reverseJoinDiscount(bookDb(env, hold.regionId), hold, groupBuyId, now);
}

/**
 * Records every captured hold of a completed buy in the buyer's home book; tier upgrades are notified. Only posted
 * holds count.
 */
export async function onPurchasesCompleted(
  env: Env,
  groupBuyId: string,
  holds: Hold[],
  now: number,
): Promise<CompletionOutcome[]> {
  const outcomes: CompletionOutcome[] = [];
  for (const hold of holds) {
    if (hold.status !== "posted") continue;
    outcomes.push(await completeAtHome(env, purchaseFromHold(hold, groupBuyId), now));
  }
  await deliver(
    env,
    outcomes
      .filter((o) => o.tierAfter > o.tierBefore)
      .map((o) => tierChangeNotice({ userId: o.userId, from: o.tierBefore, to: o.tierAfter }, now, o.purchaseId)),
  );
  return outcomes;
}

/**
 * A completion lands in the buyer's home book, where their points, tier and Plus plan are (a region move may have
 * taken them away from the buy's region since they joined; before, the reward stayed in the old book until the daily
 * sweep, and in a database of its own so did the spend and the tier upgrade, with the reward planned from a stale tier
 * and no Plus row). Where it was recorded must not change between deliveries of the job, or a move in between would
 * record it twice: the buy's book database holds the answer, the purchase's spend row (`book`), which recordCompletion
 * writes there itself when the home is in the same database, and which is written first, alone, when it is not.
 * Each write stays in one book's database; a move racing the record is followed by a queued move.
 */
async function completeAtHome(env: Env, p: Purchase, now: number): Promise<CompletionOutcome> {
  const paidIn = bookDb(env, p.book);
  const main = getDb(env);
  const recordedIn = () =>
    paidIn
      .select({ book: membershipSpend.book })
      .from(membershipSpend)
      .where(eq(membershipSpend.purchaseId, p.purchaseId))
      .get();
  let book = (await recordedIn())?.book;
  if (!book) {
    const user = await main.select({ home: users.homeRegionId }).from(users).where(eq(users.id, p.userId)).get();
    book = user?.home ?? p.book;
    if (bookBinding(env, book) !== bookBinding(env, p.book)) {
      await paidIn
        .insert(membershipSpend)
        .values({ ...p, book, completedAt: now, reversedAt: null })
        .onConflictDoNothing();
      book = (await recordedIn())?.book ?? book;
    }
  }
  const outcome = await recordCompletion(bookDb(env, book), { ...p, book }, now);
  await followHome(env, main, { userId: p.userId, book, now });
  return outcome;
}

/**
 * The database holding a purchase's reward lot now: a region move carries lots to the new book (wallet/moveCarry.ts)
 * and leaves in the old book's database a closed row naming it. A few hops cover moves made one after another.
 */
async function lotDb(env: Env, regionId: string, purchaseId: string): Promise<Db> {
  let book = regionId;
  for (let hop = 0; ; hop++) {
    const db = bookDb(env, book);
    const lot = await db
      .select({ book: rewardLots.book })
      .from(rewardLots)
      .where(eq(rewardLots.purchaseId, purchaseId))
      .get();
    if (!lot || lot.book === book || hop === 5) return db;
    book = lot.book;
  }
}

export async function onPurchaseRefundedAfterCompletion(
  env: Env,
  a: { holdId: string; regionId: string; reason: string; actorId?: string | null; now: number },
): Promise<ClawbackResult> {
  const result = await clawbackReward(await lotDb(env, a.regionId, a.holdId), {
    purchaseId: a.holdId,
    now: a.now,
    reason: a.reason,
    actorId: a.actorId,
    auditDb: getDb(env),
  });
  if (!result.replayed && result.userId && result.groupBuyId && result.target > 0) {
    await deliver(env, [
      {
        userId: result.userId,
        now: a.now,
        kind: "membership.reward_clawed_back",
        params: { groupBuyId: result.groupBuyId, amountWon: result.target, fromChargedWon: result.fromCharged },
        dedupeKey: `clawback:${a.holdId}`,
      },
    ]);
  }
  return result;
}
