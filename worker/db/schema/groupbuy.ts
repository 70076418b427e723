import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { BUSINESS_TYPES, SELLER_STATUSES } from "../../../shared/payouts";
import { GROUP_BUY_STATUSES, PRODUCT_CATEGORIES } from "../../../shared/schemas/groupbuy";
import { regions, users } from "./accounts";

// Group buys. The GroupBuyRoom Durable Object is the authority for a buy's fill and status; the rows below mirror
// it for the region feed and for the lifecycle after the fill (settlement, pickup, payouts), which D1 owns.

export const products = sqliteTable(
  "products",
  {
    id: text("id").primaryKey(),
    sellerId: text("seller_id")
      .notNull()
      .references(() => users.id),
    title: text("title").notNull(),
    description: text("description").notNull(),
    category: text("category", { enum: PRODUCT_CATEGORIES }).notNull(),
    imageUrls: text("image_urls", { mode: "json" }).$type<string[]>().notNull(),
    totalQuantity: integer("total_quantity").notNull(),
    unit: text("unit").notNull(),
    totalPrice: integer("total_price").notNull(),
    allowHosts: integer("allow_hosts", { mode: "boolean" }).notNull(),
    archived: integer("archived", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("products_seller_idx").on(t.sellerId, t.createdAt),
    index("products_catalog_idx").on(t.allowHosts, t.archived, t.category, t.createdAt),
  ],
);

export const groupBuys = sqliteTable(
  "group_buys",
  {
    id: text("id").primaryKey(),
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    sellerId: text("seller_id")
      .notNull()
      .references(() => users.id),
    /** The seller for seller-created buys, else the buyer who hosts it. */
    hostId: text("host_id")
      .notNull()
      .references(() => users.id),
    regionId: text("region_id")
      .notNull()
      .references(() => regions.id),
    // Snapshot of the product at creation: later product edits never change a running buy.
    title: text("title").notNull(),
    category: text("category", { enum: PRODUCT_CATEGORIES }).notNull(),
    unit: text("unit").notNull(),
    totalQuantity: integer("total_quantity").notNull(),
    totalPrice: integer("total_price").notNull(),
    totalShares: integer("total_shares").notNull(),
    minShares: integer("min_shares").notNull(),
    maxPerPerson: integer("max_per_person").notNull(),
    pricePerShare: integer("price_per_share").notNull(),
    deadline: integer("deadline").notNull(),
    pickupPlace: text("pickup_place").notNull(),
    pickupStart: integer("pickup_start").notNull(),
    pickupEnd: integer("pickup_end").notNull(),
    /** The seller's choice: Gonggu Plus members get the first hour (membership). */
    plusEarlyAccess: integer("plus_early_access", { mode: "boolean" }).notNull().default(false),
    // Mirrored from the Durable Object (eventually consistent; `mirrorSeq` only moves forward).
    status: text("status", { enum: GROUP_BUY_STATUSES }).notNull(),
    statusReason: text("status_reason"),
    takenShares: integer("taken_shares").notNull().default(0),
    participantCount: integer("participant_count").notNull().default(0),
    mirrorSeq: integer("mirror_seq").notNull().default(0),
    // Lifecycle timestamps (set when the status is mirrored).
    closedAt: integer("closed_at"),
    readyAt: integer("ready_at"),
    completedAt: integer("completed_at"),
    cancelledBy: text("cancelled_by"),
    /** When escrow was moved to the seller's payable (the completion job ran). */
    settledAt: integer("settled_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("group_buys_feed_idx").on(t.regionId, t.status, t.createdAt),
    index("group_buys_seller_idx").on(t.sellerId, t.createdAt),
    index("group_buys_host_idx").on(t.hostId, t.status),
    index("group_buys_ready_idx").on(t.status, t.readyAt),
  ],
);

/** One row per buyer per group buy: totals and pickup. Written by the DO mirror, pickup fields by procedures. */
export const groupBuyMembers = sqliteTable(
  "group_buy_members",
  {
    groupBuyId: text("group_buy_id")
      .notNull()
      .references(() => groupBuys.id),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    shares: integer("shares").notNull(),
    /** Price × shares: what the seller is owed for this buyer. */
    amount: integer("amount").notNull(),
    /** What the buyer's points paid (amount minus their membership discount, which Gonggu pays). */
    paid: integer("paid").notNull().default(0),
    /** joined: holds shares; left: left while OPEN (holds voided). */
    status: text("status", { enum: ["joined", "left"] }).notNull(),
    pickedUpAt: integer("picked_up_at"),
    /** "buyer", "auto" (auto-confirmed after the window) */
    pickupBy: text("pickup_by", { enum: ["buyer", "auto"] }),
    noShowAt: integer("no_show_at"),
    /** The seller refunded this purchase after completion (purchase_refunds). */
    refundedAt: integer("refunded_at"),
    joinedAt: integer("joined_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupBuyId, t.userId] }), index("group_buy_members_user_idx").on(t.userId)],
);

/** One row per ledger hold (one per successful join). `settlement` follows the queue settlement jobs. */
export const groupBuyHolds = sqliteTable(
  "group_buy_holds",
  {
    holdId: text("hold_id").primaryKey(),
    groupBuyId: text("group_buy_id")
      .notNull()
      .references(() => groupBuys.id),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    shares: integer("shares").notNull(),
    /** Price × shares (gross); the hold itself is `paid`, the membership discount is funded at capture. */
    amount: integer("amount").notNull(),
    paid: integer("paid").notNull().default(0),
    /** active: counts; left: the buyer left (hold voided by the DO). */
    state: text("state", { enum: ["active", "left"] }).notNull(),
    settlement: text("settlement", { enum: ["held", "posted", "voided", "refunded"] })
      .notNull()
      .default("held"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("group_buy_holds_buy_idx").on(t.groupBuyId, t.settlement),
    index("group_buy_holds_user_idx").on(t.userId),
  ],
);

/** Every status change, with who and why (the cancellation reason shown to buyers lives here and on the row). */
export const groupBuyEvents = sqliteTable(
  "group_buy_events",
  {
    /** `${groupBuyId}:${seq}` so a re-mirrored event is written once. */
    id: text("id").primaryKey(),
    groupBuyId: text("group_buy_id")
      .notNull()
      .references(() => groupBuys.id),
    fromStatus: text("from_status", { enum: GROUP_BUY_STATUSES }).notNull(),
    toStatus: text("to_status", { enum: GROUP_BUY_STATUSES }).notNull(),
    actorId: text("actor_id"),
    reason: text("reason"),
    at: integer("at").notNull(),
  },
  (t) => [index("group_buy_events_buy_idx").on(t.groupBuyId, t.at)],
);

/**
 * Trust record as immutable events with deterministic ids (`completed:<buy>:<user>`…), so a retried job counts once.
 * Kinds: completed, no_show, host_cancel, report (the community feature adds reports).
 */
export const trustEvents = sqliteTable(
  "trust_events",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    kind: text("kind", { enum: ["completed", "no_show", "host_cancel", "report"] }).notNull(),
    reference: text("reference"),
    at: integer("at").notNull(),
  },
  (t) => [index("trust_events_user_idx").on(t.userId, t.kind)],
);

/** What a completed group buy owes its seller; pending until the confirmation window passes, then available. */
export const sellerPayables = sqliteTable(
  "seller_payables",
  {
    id: text("id").primaryKey(),
    sellerId: text("seller_id")
      .notNull()
      .references(() => users.id),
    groupBuyId: text("group_buy_id")
      .notNull()
      .references(() => groupBuys.id),
    regionId: text("region_id").notNull(),
    gross: integer("gross").notNull(),
    fee: integer("fee").notNull(),
    /** What is still owed (or was paid): gross − fee − (refunded − feeReturned) − deducted while unclaimed. */
    net: integer("net").notNull(),
    /** Gross of this buy's purchases the seller refunded after completion (purchase_refunds). */
    refunded: integer("refunded").notNull().default(0),
    /** The platform fee on `refunded`, given back to the seller with those refunds. */
    feeReturned: integer("fee_returned").notNull().default(0),
    /** Taken from this (unclaimed, available) payable to fund refunds of other buys that were already paid out. */
    deducted: integer("deducted").notNull().default(0),
    status: text("status", { enum: ["pending", "available", "paid"] }).notNull(),
    availableAt: integer("available_at").notNull(),
    payoutId: text("payout_id"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("seller_payables_buy_unique").on(t.groupBuyId),
    index("seller_payables_seller_idx").on(t.sellerId, t.createdAt),
    index("seller_payables_due_idx").on(t.status, t.availableAt),
  ],
);

/**
 * A completed purchase refunded in full by its seller (or an admin for them), seller-funded: one per hold, written in the
 * same batch as the ledger legs and the payable changes (worker/groupbuy/purchaseRefund.ts).
 * `source`: the buy's payable was still `pending` / `available` and unclaimed, or (`balance`) it was claimed by a payout
 * and the seller part came out of the seller's other available payables.
 */
export const purchaseRefunds = sqliteTable(
  "purchase_refunds",
  {
    id: text("id").primaryKey(),
    holdId: text("hold_id").notNull(),
    groupBuyId: text("group_buy_id")
      .notNull()
      .references(() => groupBuys.id),
    buyerId: text("buyer_id")
      .notNull()
      .references(() => users.id),
    sellerId: text("seller_id").notNull(),
    regionId: text("region_id").notNull(),
    /** Price × shares of the purchase: what the buyer paid plus the discount Gonggu paid. */
    gross: integer("gross").notNull(),
    /** The platform fee given back on it; the seller's payable gives up gross − fee. */
    fee: integer("fee").notNull(),
    source: text("source", { enum: ["pending", "available", "balance"] }).notNull(),
    reason: text("reason").notNull(),
    actorId: text("actor_id").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("purchase_refunds_hold_unique").on(t.holdId), index("purchase_refunds_buy_idx").on(t.groupBuyId)],
);

/** One payout per seller per region book per batch. */
export const sellerPayouts = sqliteTable(
  "seller_payouts",
  {
    id: text("id").primaryKey(),
    sellerId: text("seller_id")
      .notNull()
      .references(() => users.id),
    regionId: text("region_id").notNull(),
    amount: integer("amount").notNull(),
    status: text("status", { enum: ["requested", "paid", "failed"] }).notNull(),
    gatewayRef: text("gateway_ref"),
    /** The gateway seller id it was sent to (Toss's id from the payout account); null on payouts from before them. */
    destination: text("destination"),
    failureReason: text("failure_reason"),
    createdAt: integer("created_at").notNull(),
    paidAt: integer("paid_at"),
  },
  (t) => [
    index("seller_payouts_seller_idx").on(t.sellerId, t.createdAt),
    index("seller_payouts_status_idx").on(t.status).where(sql`status = 'requested'`),
    // admin.payouts.list pages newest first (created_at DESC, id DESC), all of them or of one status, and by requested
    // time: without these every page scanned and sorted the whole table (test/node/payout-plans.test.ts)
    index("seller_payouts_created_idx").on(t.createdAt, t.id),
    index("seller_payouts_status_created_idx").on(t.status, t.createdAt, t.id),
  ],
);

/**
 * A seller's payout account as registered with the gateway's 지급대행 (Toss /v2/sellers). Toss keeps the account
 * number; we keep its seller id (the payout destination), its status (what it may be paid) and what the seller needs to
 * recognise the account: bank, holder, the last 4 digits. Every update re-sends the whole account, so no number is kept.
 */
export const sellerPayoutAccounts = sqliteTable(
  "seller_payout_accounts",
  {
    sellerId: text("seller_id")
      .primaryKey()
      .references(() => users.id),
    gatewaySellerId: text("gateway_seller_id").notNull(),
    businessType: text("business_type", { enum: BUSINESS_TYPES }).notNull(),
    status: text("status", { enum: SELLER_STATUSES }).notNull(),
    bankCode: text("bank_code").notNull(),
    holderName: text("holder_name").notNull(),
    accountLast4: text("account_last4").notNull(),
    /** When the status last changed: a new episode of "action needed" gets its own notification. */
    statusChangedAt: integer("status_changed_at").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("seller_payout_accounts_gateway_unique").on(t.gatewaySellerId)],
);
