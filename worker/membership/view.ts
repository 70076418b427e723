import { and, eq } from "drizzle-orm";
import { applyBps } from "../../shared/money";
import type { Db } from "../db/client";
import { plusBonusMonths } from "../db/schema";
import { kstMonth, kstMonthStart } from "./calendar";
import { PLUS, REWARD, TIERS } from "./config";
import { type JoinQuote, quoteDiscount } from "./discount";
import { rewardState } from "./lots";
import { getPlus, isPlusActive } from "./plus";
import { countedSpend, currentTier, spendWindowStart } from "./tiers";

/** Lots listed by membership.get (a year of completions fits; the sums cover every lot). */
export const LOTS_SHOWN = 100;

/** membership.get: the caller's tier and what counts toward it, Plus, and reward points by expiry. */
export async function membershipSummary(db: Db, user: { id: string; homeRegionId: string | null }, now: number) {
  const month = kstMonth(now);
  const [tier, spend, plus, bonus, rewards] = await Promise.all([
    currentTier(db, user.id),
    countedSpend(db, user.id, now),
    getPlus(db, user.id),
    db
      .select({ earned: plusBonusMonths.earned })
      .from(plusBonusMonths)
      .where(and(eq(plusBonusMonths.userId, user.id), eq(plusBonusMonths.month, month)))
      .get(),
    user.homeRegionId ? rewardState(db, user.id, user.homeRegionId) : null,
  ]);
  const next = TIERS[tier.level + 1] ?? null;
  const lots = (rewards?.lots ?? []).filter((l) => l.remaining > 0);
  const soonBefore = now + REWARD.expiryNoticeMs;
  return {
    tier: {
      id: tier.tier.id,
      level: tier.level,
      discountBps: tier.tier.discountBps,
      rewardBps: tier.tier.rewardBps,
      since: tier.since,
    },
    spend: { counted: spend, windowStart: spendWindowStart(now), asOf: now },
    next: next ? { tier: next.id, minSpend: next.minSpend, needed: Math.max(0, next.minSpend - spend) } : null,
    /** Monthly recalculation (the only time a tier can go down). */
    recalculatesAt: kstMonthStart(now, 1),
    tiers: TIERS.map((t) => ({ id: t.id, minSpend: t.minSpend, discountBps: t.discountBps, rewardBps: t.rewardBps })),
    plus: {
      status: plus?.status ?? ("none" as const),
      active: isPlusActive(plus, now),
      autoRenew: plus?.autoRenew ?? false,
      periodStart: plus?.periodStart ?? null,
      periodEnd: plus?.periodEnd ?? null,
      priceWon: PLUS.priceWon,
      extraRewardBps: PLUS.extraRewardBps,
      monthlyExtraCapWon: PLUS.monthlyExtraCapWon,
      extraEarnedThisMonth: bonus?.earned ?? 0,
    },
    rewards: {
      balance: rewards?.balance ?? 0,
      available: rewards?.available ?? 0,
      /** Reward points outside any lot (e.g. an admin grant): they do not expire. */
      withoutExpiry: rewards?.withoutExpiry ?? 0,
      expiringWithin30Days: lots.filter((l) => l.expiresAt <= soonBefore).reduce((s, l) => s + l.remaining, 0),
      lots: lots.slice(0, LOTS_SHOWN).map((l) => ({
        id: l.id,
        groupBuyId: l.groupBuyId,
        earned: l.amount,
        remaining: l.remaining,
        earnedAt: l.earnedAt,
        expiresAt: l.expiresAt,
      })),
    },
  };
}

/** membership.quote: the discount a join of `amount` won gets now, and the reward it would earn at today's rates. */
export async function membershipQuote(
  db: Db,
  userId: string,
  amount: number,
  now: number,
): Promise<JoinQuote & { rewardEstimate: number }> {
  const [{ tier }, plus] = await Promise.all([currentTier(db, userId), getPlus(db, userId)]);
  const quote = quoteDiscount(amount, tier);
  const extra = isPlusActive(plus, now) ? applyBps(quote.net, PLUS.extraRewardBps) : 0;
  return { ...quote, rewardEstimate: applyBps(quote.net, tier.rewardBps) + extra };
}
