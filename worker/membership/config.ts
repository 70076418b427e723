import type { TierId } from "../../shared/schemas/membership";

/**
 * Every membership number in one place. Rates are basis points (1 bp = 0.01 %) and go through the money module
 * (applyBps, half-up to the won). Change a number here and tests/UI follow.
 */
export interface TierConfig {
  id: TierId;
  /** Completed spend over the tier window needed to hold the tier, in won. */
  minSpend: number;
  /** Discount on the share price at join. */
  discountBps: number;
  /** Reward points on completion, on what the buyer paid. */
  rewardBps: number;
}

/** Lowest first; index = tier level. */
export const TIERS: readonly TierConfig[] = [
  { id: "sprout", minSpend: 0, discountBps: 0, rewardBps: 50 },
  { id: "neighbor", minSpend: 100_000, discountBps: 100, rewardBps: 100 },
  { id: "regular", minSpend: 300_000, discountBps: 200, rewardBps: 150 },
  { id: "vip", minSpend: 1_000_000, discountBps: 300, rewardBps: 200 },
];

/** Completed spend counts for this many months back (rolling, Korea time). */
export const TIER_WINDOW_MONTHS = 3;

export const PLUS = {
  priceWon: 4_900,
  /** Extra reward rate on completion while Plus is active. */
  extraRewardBps: 200,
  /** Most extra (Plus) reward points per Korean calendar month. */
  monthlyExtraCapWon: 5_000,
  /** The renewal reminder goes out this long before the period ends. */
  renewalNoticeMs: 3 * 86_400_000,
  /** Sellers may open a group buy to Plus members only for this long. */
  earlyAccessMs: 3_600_000,
} as const;

export const REWARD = {
  /** A reward lot expires this many months after it was earned. */
  lifetimeMonths: 12,
  /** Expiry reminder this long before a lot expires. */
  expiryNoticeMs: 30 * 86_400_000,
} as const;

/** Per step and book database per cron run (each unit costs ≤ 4 queries). */
export const CRON_LIMITS = { renewals: 40, notices: 40, lotExpiries: 40, expiryNotices: 40, tierUsers: 200 } as const;
/**
 * Units (renewals, reminders, expiries, tier changes) of one cron invocation, across EVERY book database: each is a few
 * D1 queries plus a notice (its insert and a live push to the user's channel, a Durable Object call), and the whole
 * invocation may send 1,000 subrequests (https://developers.cloudflare.com/workers/platform/limits/). Per database
 * alone, two book databases (LEDGER_BOOKS) at the start of a month sent 848, three would send ~1,270. What is left is
 * due again on the next run (every step is idempotent and pages by what is still due).
 */
export const CRON_RUN_UNITS = 200;

export function tierLevelFor(spend: number): number {
  let level = 0;
  TIERS.forEach((t, i) => {
    if (spend >= t.minSpend) level = i;
  });
  return level;
}

export function tierAt(level: number): TierConfig {
  return TIERS[Math.max(0, Math.min(TIERS.length - 1, level))];
}
