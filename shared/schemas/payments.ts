import { z } from "zod";
import { SELLER_STATUSES } from "../payouts";
import { cursorSchema, idempotencyKeySchema, idSchema, limitSchema, reasonSchema } from "./common";

/**
 * Every payments limit in one place (the client shows them; the worker enforces them). Amounts are integer won.
 * Day and month boundaries are Korean time (UTC+9), the user's calendar.
 */
export const PAYMENT_LIMITS = {
  chargeMin: 1_000,
  chargeMax: 2_000_000,
  chargeStep: 1_000,
  chargeDailyPerUser: 2_000_000,
  chargeMonthlyPerUser: 5_000_000,
  /** Points granted on credit while the gateway is down and not yet paid, per user. */
  deferredOutstandingPerUser: 100_000,
  refundMax: 10_000_000,
  /** An encrypted card blob is forwarded once and deleted; it never outlives this. */
  cardBlobTtlMs: 24 * 3_600_000,
  /** RSA-OAEP-2048 ciphertext is 256 bytes → 342 base64url chars; the envelope adds a version and key id. */
  cardBlobMaxChars: 600,
} as const;

const won = (n: number) => n.toLocaleString("en-US");

export const chargeAmountSchema = z
  .number({ error: "Amount must be a number of won" })
  .int("Amount must be a whole number of won")
  .min(PAYMENT_LIMITS.chargeMin, `Charge at least ${won(PAYMENT_LIMITS.chargeMin)} won`)
  .max(PAYMENT_LIMITS.chargeMax, `Charge at most ${won(PAYMENT_LIMITS.chargeMax)} won at a time`)
  .multipleOf(PAYMENT_LIMITS.chargeStep, `Charge in steps of ${won(PAYMENT_LIMITS.chargeStep)} won`);

export const refundAmountSchema = z
  .number({ error: "Amount must be a number of won" })
  .int("Amount must be a whole number of won")
  .min(1, "Refund at least 1 won")
  .max(PAYMENT_LIMITS.refundMax, `Refund at most ${won(PAYMENT_LIMITS.refundMax)} won at a time`);

/** Toss orderId rule: 6–64 characters of letters, digits, '-' and '_'. */
export const orderIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{6,64}$/, "Order ids are 6–64 letters, digits, '-' or '_'");

/** Versioned consent texts: we store the version the user saw, so the wording can change without losing proof. */
export const CONSENT_TEXTS = {
  "billing-v1": {
    ko: "등록한 카드로 공구 포인트 충전 금액을 결제하는 데 동의합니다. 결제 대행사가 일시적으로 응답하지 않으면 포인트를 먼저 지급하고 결제는 복구 후 진행되며, 결제가 거절되면 지급된 포인트가 회수됩니다.",
    en: "I agree that Gonggu charges my registered card for point top-ups. If the card gateway is temporarily unavailable, points are granted first and the card is charged after it recovers; if the charge is declined, the points are taken back.",
  },
  "deferred-v1": {
    ko: "결제 대행사가 복구되면 암호화된 카드 정보로 이 금액을 한 번 결제하는 데 동의합니다. 암호화된 정보는 결제 시도 직후 또는 24시간 후 삭제됩니다. 결제가 거절되면 지급된 포인트가 회수됩니다.",
    en: "I agree that this amount is charged once to my encrypted card when the gateway recovers. The encrypted data is deleted right after that attempt, or after 24 hours. If the charge is declined, the points are taken back.",
  },
} as const;
export type ConsentTextVersion = keyof typeof CONSENT_TEXTS;
const billingConsentSchema = z.literal("billing-v1", { error: "Accept the current card-registration terms" });
const deferredConsentSchema = z.literal("deferred-v1", { error: "Accept the current deferred-charge terms" });

/** Opaque browser-encrypted card: "v1.<key id>.<base64url RSA-OAEP ciphertext>". We can check its shape, not read it. */
export const encryptedCardSchema = z
  .string()
  .max(PAYMENT_LIMITS.cardBlobMaxChars, "Encrypted card data is too long")
  .regex(/^v1\.[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{16,}$/, "Encrypted card data is malformed; encrypt it again");

export const paymentMethodSchema = z.discriminatedUnion(
  "type",
  [
    // The gateway's payment window returned a paymentKey for the orderId the client opened it with.
    z.object({
      type: z.literal("card"),
      paymentKey: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, "Not a valid payment key"),
      orderId: orderIdSchema,
    }),
    // The user's registered billing key (consent recorded at registration).
    z.object({ type: z.literal("billingKey") }),
    // Consent at charge time: only when the gateway is down and the user has no billing key.
    z.object({ type: z.literal("encryptedCard"), encryptedCard: encryptedCardSchema, consent: deferredConsentSchema }),
  ],
  { error: "Choose a payment method: card, billingKey or encryptedCard" },
);
export type PaymentMethodInput = z.infer<typeof paymentMethodSchema>;

export const chargeInput = z.object({
  amount: chargeAmountSchema,
  idempotencyKey: idempotencyKeySchema,
  paymentMethod: paymentMethodSchema,
});
export type ChargeInput = z.infer<typeof chargeInput>;

export const refundInput = z.object({ amount: refundAmountSchema, idempotencyKey: idempotencyKeySchema });
export type RefundInput = z.infer<typeof refundInput>;

export const registerBillingKeyInput = z.object({
  authKey: z.string().regex(/^[A-Za-z0-9_-]{1,300}$/, "Not a valid card authorization key"),
  consent: billingConsentSchema,
});

export const CHARGE_STATUSES = [
  "processing", // the gateway call is in flight
  "unknown", // the call timed out: resolved by asking the gateway, never guessed
  "succeeded", // paid; points granted
  "failed", // declined or never reached the gateway; nothing granted
  "deferred", // gateway down: points granted on credit, the Queue charges later
  "clawed_back", // the deferred charge was declined: points taken back (any shortfall is a debt)
  "canceled", // an admin canceled an unpaid deferred/unknown charge
] as const;
export type ChargeStatus = (typeof CHARGE_STATUSES)[number];

export const GATEWAY_MODES = ["up", "down", "slow", "decline", "timeout_after_success"] as const;
export type GatewayMode = (typeof GATEWAY_MODES)[number];

export const gatewaySwitchesSchema = z.object({
  mode: z.enum(GATEWAY_MODES),
  /** Added before the gateway answers in "slow" mode. */
  delayMs: z.number().int().min(0).max(30_000),
  /** Charges (confirm, billing, encrypted card) accepted per second; more get 429. */
  rateLimitPerSec: z.number().int().min(1).max(10_000),
  /** The status a newly registered payout seller gets (rehearse APPROVAL_REQUIRED, KYC_REQUIRED…). */
  sellerStatus: z.enum(SELLER_STATUSES),
});
export type GatewaySwitches = z.infer<typeof gatewaySwitchesSchema>;
export const gatewaySetInput = gatewaySwitchesSchema.partial();

export const adminChargesListInput = z.object({
  status: z.enum(CHARGE_STATUSES).optional(),
  userId: idSchema.optional(),
  cursor: cursorSchema,
  limit: limitSchema,
});
export const adminChargeActionInput = z.object({ chargeId: idSchema, reason: reasonSchema });
export const adminDlqListInput = z.object({
  includeReplayed: z.boolean().default(false),
  cursor: cursorSchema,
  limit: limitSchema,
});
export const adminDlqReplayInput = z.object({ id: idSchema });
