import { z } from "zod";
import { idSchema } from "./common";
import { TIER_IDS } from "./membership";

const won = z.number().int().nonnegative();
const title = z.string().max(200);
const boardCommentParams = z.object({
  postId: idSchema,
  postTitle: title,
  commentId: idSchema,
  commenterName: z.string().max(40),
});

/**
 * Every notification kind and the params it carries. Params hold ids and numbers, not sentences: the client renders
 * them with its i18n templates (Korean default, English toggle), so a kind's text can change without a migration.
 * Domains add kinds here.
 */
export const notificationParams = {
  "groupbuy.filled": z.object({ groupBuyId: idSchema, title }),
  "groupbuy.tipped": z.object({ groupBuyId: idSchema, title }),
  "groupbuy.failed": z.object({ groupBuyId: idSchema, title, refundWon: won }),
  "groupbuy.cancelled": z.object({
    groupBuyId: idSchema,
    title,
    refundWon: won,
    reason: z.string().max(500).optional(),
  }),
  // A completed buy's purchase refunded by its seller (groupBuys.refundPurchase): refundWon is what the buyer paid.
  "groupbuy.purchase_refunded": z.object({ groupBuyId: idSchema, title, refundWon: won, reason: z.string().max(500) }),
  "groupbuy.ready": z.object({ groupBuyId: idSchema, title, pickupPlace: z.string().max(200).optional() }),
  "charge.succeeded": z.object({ groupBuyId: idSchema, title, amountWon: won }),
  "charge.failed": z.object({ groupBuyId: idSchema, title, amountWon: won, reason: z.string().max(500).optional() }),
  // Card top-ups of the wallet that finished after the request (deferred or unknown outcome).
  "wallet.charge_paid": z.object({ chargeId: idSchema, amountWon: won }),
  "wallet.charge_declined": z.object({
    chargeId: idSchema,
    amountWon: won,
    /** Points taken back; debtWon is what was already spent and is now owed. */
    clawedBackWon: won,
    debtWon: won,
    reason: z.string().max(500),
  }),
  "wallet.refund_failed": z.object({ refundId: idSchema, amountWon: won, reason: z.string().max(500) }),
  "board.comment": boardCommentParams,
  "board.reply": boardCommentParams,
  "board.supply_offer": z.object({ postId: idSchema, postTitle: title, sellerName: z.string().max(60) }),
  "board.proposal_linked": z.object({ postId: idSchema, postTitle: title, groupBuyId: idSchema }),
  "seller.approved": z.object({ applicationId: idSchema, businessName: z.string().max(60) }),
  "seller.rejected": z.object({
    applicationId: idSchema,
    businessName: z.string().max(60),
    reason: z.string().max(500),
  }),
  // The payout batch could not pay an available balance: no payout account, or Toss wants the seller to act first.
  "payout.account_needed": z.object({
    reason: z.enum(["missing", "approval_required", "kyc_required", "over_limit"]),
    availableWon: won,
  }),
  "moderation.outcome": z.object({
    targetType: z.enum(["post", "comment", "chat_message"]),
    targetId: idSchema,
    outcome: z.enum(["approved", "removed"]),
    reason: z.string().max(500),
    suspendedUntil: z.number().int().optional(),
  }),
  "membership.tier_changed": z.object({ tier: z.enum(TIER_IDS), previousTier: z.enum(TIER_IDS) }),
  "membership.plus_renewal_soon": z.object({ renewsAt: z.number().int(), priceWon: won, enoughPoints: z.boolean() }),
  "membership.plus_renewed": z.object({ periodEnd: z.number().int(), priceWon: won }),
  "membership.plus_lapsed": z.object({ priceWon: won, shortfallWon: won }),
  "membership.plus_ended": z.object({ endedAt: z.number().int() }),
  "membership.reward_expiring": z.object({ amountWon: won, expiresAt: z.number().int() }),
  "membership.reward_clawed_back": z.object({ groupBuyId: idSchema, amountWon: won, fromChargedWon: won }),
} as const;

export type NotificationKind = keyof typeof notificationParams;
export const NOTIFICATION_KINDS = Object.keys(notificationParams) as NotificationKind[];
export type NotificationParams<K extends NotificationKind> = z.infer<(typeof notificationParams)[K]>;

/** A kind with its params, as a discriminated union: `notify()` only accepts params that match the kind. */
export type NotificationPayload = {
  [K in NotificationKind]: { kind: K; params: NotificationParams<K> };
}[NotificationKind];

/** One inbox entry as the API and the live channel deliver it. */
export type NotificationItem = NotificationPayload & { id: string; readAt: number | null; createdAt: number };

export const NOTIFICATION_PAGE_MAX = 50;
/** D1 allows ≤ 100 bound parameters per statement; the update binds the ids plus a few more. */
export const MARK_READ_MAX_IDS = 50;

export const listNotificationsInput = z
  .object({
    cursor: idSchema.optional(),
    limit: z.number().int().min(1).max(NOTIFICATION_PAGE_MAX).default(20),
    unreadOnly: z.boolean().default(false),
  })
  .default({ limit: 20, unreadOnly: false });

export const markReadInput = z.union([
  z.object({ ids: z.array(idSchema).min(1).max(MARK_READ_MAX_IDS, `Mark at most ${MARK_READ_MAX_IDS} at a time`) }),
  z.object({ all: z.literal(true) }),
]);

/** Frames the server sends on /api/notifications/ws (the socket is server → client only, apart from "ping"). */
export type NotificationFrame =
  | { type: "hello"; unread: number }
  | { type: "notification"; notification: NotificationItem }
  | { type: "error"; code: string; message: string };
