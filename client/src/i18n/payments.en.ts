import type { paymentsKo } from "./payments.ko";

/** English strings of card charging, refunds and their notifications (spread into en.ts). */
export const paymentsEn: Record<keyof typeof paymentsKo, string> = {
  "notification.wallet.charge_paid": "Your deferred card payment of {amount} went through.",
  "notification.wallet.charge_declined":
    "Your deferred card payment of {amount} was declined ({reason}). We took back {clawedBack} of the points.",
  "notification.wallet.charge_debt":
    "{debt} was already spent and is now owed. Your next card top-up settles it first.",
  "notification.wallet.refund_failed":
    "The card company refused a refund of {amount} ({reason}). The points are back in your wallet.",
};
