import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { PLUS_STATUSES } from "../../../shared/schemas/membership";

// Membership (worker/membership). These rows change in the same db.batch() as the ledger transfers they describe, so
// they live in the database of the user's ledger book (bookDb); no foreign keys to users for the same reason.

/** A user's tier. Upgrades happen at completion; the monthly recalculation may also lower it. */
export const membershipStatus = sqliteTable(
  "membership_status",
  {
    userId: text("user_id").primaryKey(),
    /** Index into TIERS (worker/membership/config.ts). */
    tierLevel: integer("tier_level").notNull().default(0),
    tierSince: integer("tier_since").notNull(),
    /** Korean month ("YYYY-MM") of the last monthly recalculation; the cron recalculates rows behind the current month. */
    recalcMonth: text("recalc_month").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("membership_status_recalc_idx").on(t.recalcMonth)],
);

/** One row per completed purchase (a captured join hold): what counts toward tiers. */
export const membershipSpend = sqliteTable(
  "membership_spend",
  {
    /** The join hold id. */
    purchaseId: text("purchase_id").primaryKey(),
    userId: text("user_id").notNull(),
    groupBuyId: text("group_buy_id").notNull(),
    book: text("book").notNull(),
    gross: integer("gross").notNull(),
    discount: integer("discount").notNull(),
    /** What the buyer paid (gross − discount): counts toward tiers and earns the reward. */
    paid: integer("paid").notNull(),
    completedAt: integer("completed_at").notNull(),
    /** Refunded after completion: no longer counts. */
    reversedAt: integer("reversed_at"),
  },
  (t) => [
    index("membership_spend_user_idx").on(t.userId, t.completedAt),
    check(
      "membership_spend_amounts",
      sql`${t.paid} >= 0 AND ${t.discount} >= 0 AND ${t.gross} = ${t.paid} + ${t.discount}`,
    ),
  ],
);

/**
 * Reward points earned by one purchase, expiring together. The ledger's reward account is the truth for the balance;
 * a lot records what was credited, clawed back and expired. What remains of each open lot is derived (lots.ts):
 * spending consumes the soonest-expiring lots first.
 */
export const rewardLots = sqliteTable(
  "reward_lots",
  {
    /** Also the id of the ledger transfer that credited it (in the book it was earned in; a region move carries lots). */
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    book: text("book").notNull(),
    purchaseId: text("purchase_id").notNull(),
    groupBuyId: text("group_buy_id").notNull(),
    /** Tier reward part and Plus extra part; amount = base + bonus. */
    base: integer("base").notNull(),
    bonus: integer("bonus").notNull(),
    amount: integer("amount").notNull(),
    clawed: integer("clawed").notNull().default(0),
    expired: integer("expired").notNull().default(0),
    earnedAt: integer("earned_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    /** When the 30-day expiry reminder covered this lot. */
    noticeAt: integer("notice_at"),
    /** Expired (what remained went to the expiry account) or fully clawed back: no longer holds points. */
    closedAt: integer("closed_at"),
    /** The clawback that took this lot back (at most one). */
    clawbackId: text("clawback_id"),
  },
  (t) => [
    uniqueIndex("reward_lots_purchase_unique").on(t.purchaseId),
    index("reward_lots_user_idx").on(t.userId, t.book, t.expiresAt),
    index("reward_lots_open_expiry_idx").on(t.expiresAt).where(sql`closed_at IS NULL`),
    check(
      "reward_lots_amounts",
      sql`${t.amount} > 0 AND ${t.base} >= 0 AND ${t.bonus} >= 0 AND ${t.amount} = ${t.base} + ${t.bonus}
        AND ${t.clawed} >= 0 AND ${t.expired} >= 0 AND ${t.clawed} + ${t.expired} <= ${t.amount}`,
    ),
  ],
);

/** Plus extra reward earned per Korean month: the CHECK makes the monthly cap hold even under concurrent completions. */
export const plusBonusMonths = sqliteTable(
  "plus_bonus_months",
  {
    userId: text("user_id").notNull(),
    month: text("month").notNull(),
    earned: integer("earned").notNull(),
    cap: integer("cap").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.month] }),
    check("plus_bonus_months_cap", sql`${t.earned} >= 0 AND ${t.earned} <= ${t.cap}`),
  ],
);

/** Gonggu Plus: one row per user who ever subscribed. */
export const plusSubscriptions = sqliteTable(
  "plus_subscriptions",
  {
    userId: text("user_id").primaryKey(),
    /** The book the fee is paid from (the user's home region when they subscribed). */
    book: text("book").notNull(),
    status: text("status", { enum: PLUS_STATUSES }).notNull(),
    autoRenew: integer("auto_renew", { mode: "boolean" }).notNull(),
    /** Periods are anchorAt + k months (k = periodIndex − 1 .. periodIndex), so they never drift. */
    anchorAt: integer("anchor_at").notNull(),
    periodIndex: integer("period_index").notNull(),
    /** Lifetime count of paid periods: the fee's ledger transfer id is `plus:<userId>:<periodNo>`. */
    periodNo: integer("period_no").notNull(),
    periodStart: integer("period_start").notNull(),
    periodEnd: integer("period_end").notNull(),
    /** periodNo whose renewal reminder was sent. */
    noticeForPeriod: integer("notice_for_period").notNull().default(0),
    cancelledAt: integer("cancelled_at"),
    endedAt: integer("ended_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    /**
     * The region move carrying this row between book databases (wallet/moveCarry.ts carryPlus), until it is done:
     * the renewal cron leaves the row alone meanwhile, and a retry of that move knows its own copy.
     */
    moveId: text("move_id"),
  },
  (t) => [index("plus_subscriptions_due_idx").on(t.status, t.periodEnd)],
);
