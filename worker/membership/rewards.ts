/**
 * What a completed purchase does for membership, in ONE batch:
 *   1. a spend row (counts toward tiers for TIER_WINDOW_MONTHS),
 *   2. the tier upgrade if the spend now reaches a higher tier (never a downgrade),
 *   3. reward points: promotion_expense → the user's reward account, as a lot expiring REWARD.lifetimeMonths later,
 *      at the tier rate in effect BEFORE this purchase, plus the Plus extra (capped per Korean month).
 * Keyed by the purchase (the join hold id): recording it again changes nothing.
 */
import { eq, sql } from "drizzle-orm";
import { applyBps } from "../../shared/money";
import { type BatchItem, type Db, runBatch } from "../db/client";
import { membershipSpend, plusBonusMonths, rewardLots } from "../db/schema";
import { platformAccount, userRewardAccount } from "../wallet/accounts";
import { classifyLedgerError, messageChain } from "../wallet/errors";
import type { Hold } from "../wallet/holds";
import { transferStatements } from "../wallet/ledger";
import { addMonthsKst, kstMonth } from "./calendar";
import { PLUS, REWARD } from "./config";
import { joinAmounts } from "./discount";
import { getPlus, isPlusActive } from "./plus";
import { currentTier, getStatus, upgradeTierStatement } from "./tiers";

export interface Purchase {
  /** The join hold id. */
  purchaseId: string;
  userId: string;
  /** The ledger book (region) it is recorded in: the buy's, or the buyer's home if they moved since (hooks.ts). */
  book: string;
  groupBuyId: string;
  gross: number;
  discount: number;
  paid: number;
}

export function purchaseFromHold(hold: Hold, groupBuyId: string): Purchase {
  return { purchaseId: hold.id, userId: hold.userId, book: hold.regionId, groupBuyId, ...joinAmounts(hold) };
}

export const lotIdFor = (purchaseId: string) => `reward:${purchaseId}`;

export interface RewardPlan {
  base: number;
  bonus: number;
  amount: number;
  lotId: string | null;
  expiresAt: number | null;
  tierLevel: number;
}

async function planReward(db: Db, p: Purchase, now: number): Promise<RewardPlan> {
  const [{ level, tier }, plus, month] = await Promise.all([
    currentTier(db, p.userId),
    getPlus(db, p.userId),
    db
      .select()
      .from(plusBonusMonths)
      .where(sql`${plusBonusMonths.userId} = ${p.userId} AND ${plusBonusMonths.month} = ${kstMonth(now)}`)
      .get(),
  ]);
  const base = applyBps(p.paid, tier.rewardBps);
  const room = PLUS.monthlyExtraCapWon - (month?.earned ?? 0);
  const bonus = isPlusActive(plus, now) ? Math.max(0, Math.min(applyBps(p.paid, PLUS.extraRewardBps), room)) : 0;
  const amount = base + bonus;
  return {
    base,
    bonus,
    amount,
    lotId: amount > 0 ? lotIdFor(p.purchaseId) : null,
    expiresAt: amount > 0 ? addMonthsKst(now, REWARD.lifetimeMonths) : null,
    tierLevel: level,
  };
}

/**
 * The statements for one completed purchase, to run in one batch (alone or with yours). Running them for a purchase
 * already recorded fails the batch (duplicate purchase / transfer id) and changes nothing; recordCompletion() handles
 * that for you.
 */
export async function rewardStatementsOnCompletion(
  db: Db,
  p: Purchase,
  now: number,
): Promise<{ statements: BatchItem[]; plan: RewardPlan }> {
  const plan = await planReward(db, p, now);
  const statements: BatchItem[] = [
    db.insert(membershipSpend).values({ ...p, completedAt: now, reversedAt: null }),
    upgradeTierStatement(db, p.userId, now),
  ];
  if (plan.lotId && plan.expiresAt !== null) {
    statements.push(
      ...transferStatements(db, {
        id: plan.lotId,
        book: p.book,
        debit: platformAccount("promotion_expense", p.book),
        credit: userRewardAccount(p.userId, p.book),
        amount: plan.amount,
        kind: "reward",
        reference: `groupbuy:${p.groupBuyId}`,
        description: "Membership reward points",
        meta: {
          groupBuyId: p.groupBuyId,
          purchaseId: p.purchaseId,
          base: plan.base,
          bonus: plan.bonus,
          expiresAt: plan.expiresAt,
        },
        now,
      }),
      db.insert(rewardLots).values({
        id: plan.lotId,
        userId: p.userId,
        book: p.book,
        purchaseId: p.purchaseId,
        groupBuyId: p.groupBuyId,
        base: plan.base,
        bonus: plan.bonus,
        amount: plan.amount,
        earnedAt: now,
        expiresAt: plan.expiresAt,
      }),
    );
  }
  if (plan.bonus > 0) {
    statements.push(
      db
        .insert(plusBonusMonths)
        .values({ userId: p.userId, month: kstMonth(now), earned: plan.bonus, cap: PLUS.monthlyExtraCapWon })
        .onConflictDoUpdate({
          target: [plusBonusMonths.userId, plusBonusMonths.month],
          set: { earned: sql`${plusBonusMonths.earned} + excluded.earned` },
        }),
    );
  }
  return { statements, plan };
}

export interface CompletionOutcome {
  purchaseId: string;
  userId: string;
  /** 0 when the purchase earned nothing (e.g. a 0-won rounding). */
  reward: number;
  bonus: number;
  lotId: string | null;
  expiresAt: number | null;
  tierBefore: number;
  tierAfter: number;
  /** True when the purchase had been recorded before (a retry). */
  replayed: boolean;
}

async function recorded(db: Db, p: Purchase): Promise<CompletionOutcome | null> {
  const spend = await db.select().from(membershipSpend).where(eq(membershipSpend.purchaseId, p.purchaseId)).get();
  if (!spend) return null;
  const [lot, status] = await Promise.all([
    db.select().from(rewardLots).where(eq(rewardLots.purchaseId, p.purchaseId)).get(),
    getStatus(db, p.userId),
  ]);
  const level = status?.tierLevel ?? 0;
  return {
    purchaseId: p.purchaseId,
    userId: p.userId,
    reward: lot?.amount ?? 0,
    bonus: lot?.bonus ?? 0,
    lotId: lot?.id ?? null,
    expiresAt: lot?.expiresAt ?? null,
    tierBefore: level,
    tierAfter: level,
    replayed: true,
  };
}

const ATTEMPTS = 3;

/** Records a completed purchase (idempotent). A lost race for the monthly Plus cap re-plans with fresh numbers. */
export async function recordCompletion(db: Db, p: Purchase, now: number): Promise<CompletionOutcome> {
  for (let attempt = 0; ; attempt++) {
    const before = await recorded(db, p);
    if (before) return before;
    const { statements, plan } = await rewardStatementsOnCompletion(db, p, now);
    try {
      await runBatch(db, statements);
    } catch (e) {
      const text = messageChain(e);
      const duplicate = classifyLedgerError(e) === "duplicate_id" || text.includes("membership_spend.purchase_id");
      const capRace = text.includes("plus_bonus_months_cap");
      if ((duplicate || capRace) && attempt < ATTEMPTS) continue;
      throw e;
    }
    const status = await getStatus(db, p.userId);
    return {
      purchaseId: p.purchaseId,
      userId: p.userId,
      reward: plan.amount,
      bonus: plan.bonus,
      lotId: plan.lotId,
      expiresAt: plan.expiresAt,
      tierBefore: plan.tierLevel,
      tierAfter: status?.tierLevel ?? plan.tierLevel,
      replayed: false,
    };
  }
}
