import { PARTIAL_PAYOUT_LIMIT_WON } from "../../../shared/payouts";
import { TIER_IDS } from "../../../shared/schemas/membership";
import type { NotificationItem } from "../../../shared/schemas/notifications";
import type { MessageKey } from "../i18n/ko";
import { formatDate, formatWon } from "./format";
import type { Locale } from "./i18n";

export type Rendered = { key: MessageKey; params: Record<string, string> };
export type Translate = (key: MessageKey, params?: Record<string, string>) => string;

/** A notification as the lines of text a person reads, in the locale of `t` (the app passes its i18n `t`). */
export function notificationLines(n: NotificationItem, t: Translate, locale: Locale = "ko"): string[] {
  return notificationText(n, t, locale).map((r) => t(r.key, r.params));
}

/**
 * Which i18n template renders a notification, with its params ready to fill in (money as "4,900원" / "₩4,900").
 * Pure, so it is unit-tested against both dictionaries; the exhaustive switch makes a new kind a compile error until
 * it has text.
 */
export function notificationText(n: NotificationItem, t: Translate, locale: Locale = "ko"): Rendered[] {
  // Dates by the Korean calendar (membership periods, suspensions), written the reader's way.
  const kstDate = (epochMs: number) => formatDate(epochMs, locale);
  switch (n.kind) {
    case "groupbuy.filled":
    case "groupbuy.tipped":
    case "groupbuy.ready":
      return [{ key: `notification.${n.kind}`, params: { title: n.params.title } }];
    case "groupbuy.failed":
      return [
        {
          key: "notification.groupbuy.failed",
          params: { title: n.params.title, refund: formatWon(n.params.refundWon, locale) },
        },
      ];
    case "groupbuy.cancelled":
      return [
        {
          key: "notification.groupbuy.cancelled",
          params: {
            title: n.params.title,
            refund: formatWon(n.params.refundWon, locale),
            reason: n.params.reason ?? "",
          },
        },
      ];
    case "groupbuy.purchase_refunded":
      return [
        {
          key: "notification.groupbuy.purchase_refunded",
          params: { title: n.params.title, refund: formatWon(n.params.refundWon, locale), reason: n.params.reason },
        },
      ];
    case "charge.succeeded":
    case "charge.failed":
      return [
        {
          key: `notification.${n.kind}`,
          params: { title: n.params.title, amount: formatWon(n.params.amountWon, locale) },
        },
      ];
    case "wallet.charge_paid":
      return [{ key: "notification.wallet.charge_paid", params: { amount: formatWon(n.params.amountWon, locale) } }];
    case "wallet.charge_declined": {
      const lines: Rendered[] = [
        {
          key: "notification.wallet.charge_declined",
          params: {
            amount: formatWon(n.params.amountWon, locale),
            reason: n.params.reason,
            clawedBack: formatWon(n.params.clawedBackWon, locale),
          },
        },
      ];
      if (n.params.debtWon > 0) {
        lines.push({ key: "notification.wallet.charge_debt", params: { debt: formatWon(n.params.debtWon, locale) } });
      }
      return lines;
    }
    case "wallet.refund_failed":
      return [
        {
          key: "notification.wallet.refund_failed",
          params: { amount: formatWon(n.params.amountWon, locale), reason: n.params.reason },
        },
      ];
    case "board.comment":
    case "board.reply":
      return [{ key: `notification.${n.kind}`, params: { name: n.params.commenterName, title: n.params.postTitle } }];
    case "board.supply_offer":
      return [
        { key: "notification.board.supply_offer", params: { seller: n.params.sellerName, title: n.params.postTitle } },
      ];
    case "board.proposal_linked":
      return [{ key: "notification.board.proposal_linked", params: { title: n.params.postTitle } }];
    case "seller.approved":
      return [{ key: "notification.seller.approved", params: { business: n.params.businessName } }];
    case "seller.rejected":
      return [
        { key: "notification.seller.rejected", params: { business: n.params.businessName, reason: n.params.reason } },
      ];
    case "payout.account_needed":
      return [
        {
          key: `notification.payout.account_needed.${n.params.reason}`,
          params: {
            amount: formatWon(n.params.availableWon, locale),
            limit: formatWon(PARTIAL_PAYOUT_LIMIT_WON, locale),
          },
        },
      ];
    case "moderation.outcome": {
      const target = t(`notification.target.${n.params.targetType}`);
      const lines: Rendered[] = [
        { key: `notification.moderation.${n.params.outcome}`, params: { target, reason: n.params.reason } },
      ];
      if (n.params.suspendedUntil) {
        lines.push({
          key: "notification.moderation.suspended",
          params: { date: kstDate(n.params.suspendedUntil) },
        });
      }
      return lines;
    }
    case "membership.tier_changed": {
      const up = TIER_IDS.indexOf(n.params.tier) > TIER_IDS.indexOf(n.params.previousTier);
      const tier = t(`membership.tier.${n.params.tier}`);
      return [{ key: up ? "notification.membership.tier_up" : "notification.membership.tier_down", params: { tier } }];
    }
    case "membership.plus_renewal_soon": {
      const lines: Rendered[] = [
        {
          key: "notification.membership.plus_renewal_soon",
          params: { date: kstDate(n.params.renewsAt), price: formatWon(n.params.priceWon, locale) },
        },
      ];
      if (!n.params.enoughPoints) lines.push({ key: "notification.membership.plus_renewal_short", params: {} });
      return lines;
    }
    case "membership.plus_renewed":
      return [
        {
          key: "notification.membership.plus_renewed",
          params: { date: kstDate(n.params.periodEnd), price: formatWon(n.params.priceWon, locale) },
        },
      ];
    case "membership.plus_lapsed":
      return [
        { key: "notification.membership.plus_lapsed", params: { shortfall: formatWon(n.params.shortfallWon, locale) } },
      ];
    case "membership.plus_ended":
      return [{ key: "notification.membership.plus_ended", params: {} }];
    case "membership.reward_expiring":
      return [
        {
          key: "notification.membership.reward_expiring",
          params: { amount: formatWon(n.params.amountWon, locale), date: kstDate(n.params.expiresAt) },
        },
      ];
    case "membership.reward_clawed_back": {
      const lines: Rendered[] = [
        {
          key: "notification.membership.reward_clawed_back",
          params: { amount: formatWon(n.params.amountWon, locale) },
        },
      ];
      if (n.params.fromChargedWon > 0) {
        lines.push({
          key: "notification.membership.reward_clawed_back_charged",
          params: { charged: formatWon(n.params.fromChargedWon, locale) },
        });
      }
      return lines;
    }
    default: {
      const unknown: never = n;
      throw new Error(`No text for notification ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * Where a notification leads when tapped: the group buy, post or screen it is about; null when there is nothing to
 * open (a removed comment, whose post the notice does not name).
 */
export function notificationHref(n: NotificationItem): string | null {
  switch (n.kind) {
    case "groupbuy.filled":
    case "groupbuy.tipped":
    case "groupbuy.failed":
    case "groupbuy.cancelled":
    case "groupbuy.ready":
    case "groupbuy.purchase_refunded":
    case "charge.succeeded":
    case "charge.failed":
    case "membership.reward_clawed_back":
      return `/g/${n.params.groupBuyId}`;
    case "wallet.charge_paid":
    case "wallet.charge_declined":
    case "wallet.refund_failed":
      return "/wallet";
    case "board.comment":
    case "board.reply":
    case "board.supply_offer":
    case "board.proposal_linked":
      return `/board/${n.params.postId}`;
    case "seller.approved":
    case "seller.rejected":
      return "/seller";
    case "payout.account_needed":
      return "/seller/payouts";
    case "moderation.outcome":
      // a kept post can be read again; removed content and comments have no page of their own
      return n.params.targetType === "post" && n.params.outcome === "approved" ? `/board/${n.params.targetId}` : null;
    case "membership.tier_changed":
    case "membership.plus_renewal_soon":
    case "membership.plus_renewed":
    case "membership.plus_lapsed":
    case "membership.plus_ended":
    case "membership.reward_expiring":
      return "/membership";
    default: {
      const unknown: never = n;
      throw new Error(`No link for notification ${JSON.stringify(unknown)}`);
    }
  }
}
