import type { membershipKo } from "./membership.ko";

export const membershipEn: Record<keyof typeof membershipKo, string> = {
  "membership.tier.sprout": "Sprout",
  "membership.tier.neighbor": "Neighbour",
  "membership.tier.regular": "Regular",
  "membership.tier.vip": "VIP",

  "notification.membership.tier_up": "Congratulations! Your membership tier is now {tier}.",
  "notification.membership.tier_down": "Based on your last 3 months of purchases, your tier this month is {tier}.",
  "notification.membership.plus_renewal_soon": "Gonggu Plus renews automatically on {date} ({price}).",
  "notification.membership.plus_renewal_short": "You don't have enough points yet. Top up before the renewal date.",
  "notification.membership.plus_renewed": "Gonggu Plus renewed ({price}). Next renewal: {date}.",
  "notification.membership.plus_lapsed":
    "Gonggu Plus ended: you were {shortfall} short in points. Top up to join again.",
  "notification.membership.plus_ended": "Your Gonggu Plus period has ended.",
  "notification.membership.reward_expiring": "{amount} of reward points expire on {date}. Use them before then.",
  "notification.membership.reward_clawed_back": "{amount} of reward points from a refunded order were taken back.",
  "notification.membership.reward_clawed_back_charged": "{charged} already spent was taken from your charged points.",
};
