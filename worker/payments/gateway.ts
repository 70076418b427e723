import type { BusinessType, SellerStatus } from "../../shared/payouts";

/**
 * The card gateway as the wallet sees it. Every call answers one of four outcomes, and the caller must treat them
 * differently:
 *  - ok: the gateway did it.
 *  - declined: the gateway definitively refused (card rejected, amount not cancelable…). Nothing happened.
 *  - unavailable: the gateway refused before doing anything (503 down, 429 rate limit). Retrying later with the
 *    same orderId / idempotency key is safe.
 *  - unknown: we don't know (timeout, connection reset, 5xx mid-processing). Never guess: ask the gateway for the
 *    order's status, or repeat the same idempotent request.
 */
export type GatewayOutcome<T> =
  | { kind: "ok"; value: T }
  | { kind: "declined"; code: string; message: string }
  | { kind: "unavailable"; code: string; message: string; retryAfterMs: number; rateLimited?: boolean }
  | { kind: "unknown"; code: string; message: string };

/** Toss "Payment" statuses we act on. */
export type GatewayPaymentStatus =
  | "READY"
  | "IN_PROGRESS"
  | "DONE"
  | "CANCELED"
  | "PARTIAL_CANCELED"
  | "ABORTED"
  | "EXPIRED";

export interface GatewayPayment {
  paymentKey: string;
  orderId: string;
  status: GatewayPaymentStatus;
  totalAmount: number;
  /** What can still be canceled. */
  balanceAmount: number;
  approvedAt: string | null;
  /** Masked as the gateway prints it ("43301234****123*"); never a full number. */
  cardNumberMasked: string | null;
  failure: { code: string; message: string } | null;
}

export interface GatewayBillingKey {
  billingKey: string;
  customerKey: string;
  cardCompany: string | null;
  cardNumberMasked: string | null;
}

/** Toss 지급대행 (payout) statuses: REQUESTED/IN_PROGRESS are still moving; the bank settles them later. */
export type GatewayPayoutStatus = "REQUESTED" | "IN_PROGRESS" | "COMPLETED" | "FAILED" | "CANCELED";

export interface GatewayPayout {
  /** The gateway's id for the payout (what we keep as the reference and look it up by). */
  id: string;
  /** Our payout id, echoed back. */
  refPayoutId: string;
  destination: string;
  amount: number;
  status: GatewayPayoutStatus;
  failure: { code: string; message: string } | null;
}

export interface GatewayPayoutRequest {
  /** Our payout id (Toss echoes it back). */
  refPayoutId: string;
  /** The seller as registered with the gateway's payout service. */
  destination: string;
  /** Won. */
  amount: number;
  description: string;
  idempotencyKey: string;
}

/** A seller as Toss 지급대행 v2 registered it (/v2/sellers); Toss keeps the account number, we keep its id. */
export interface GatewaySeller {
  /** Toss's seller id: the payout `destination`. */
  id: string;
  refSellerId: string;
  businessType: BusinessType;
  status: SellerStatus;
}

/** The registration/update body (Toss's field names), sent only encrypted. */
export interface GatewaySellerRequest {
  refSellerId: string;
  businessType: BusinessType;
  individual?: { name: string; email: string; phone: string };
  company?: {
    name: string;
    representativeName: string;
    businessRegistrationNumber: string;
    email: string;
    phone: string;
  };
  account: { bankCode: string; accountNumber: string; holderName: string };
  metadata?: Record<string, string>;
}

/** The gateway's public key for browser-side card encryption (RSA-OAEP-256). */
export interface GatewayPublicKey {
  kid: string;
  alg: "RSA-OAEP-256";
  jwk: JsonWebKey;
}

export interface PaymentGateway {
  readonly name: string;
  /** Whether chargeEncryptedCard/publicKey work (the consent-at-charge-time path needs them). */
  readonly acceptsEncryptedCards: boolean;
  /** Confirms a one-off card payment that the gateway's payment window authorized. */
  confirmCard(req: { paymentKey: string; orderId: string; amount: number }): Promise<GatewayOutcome<GatewayPayment>>;
  /** Exchanges the billing-auth window's authKey for a reusable billing key. */
  issueBillingKey(req: { authKey: string; customerKey: string }): Promise<GatewayOutcome<GatewayBillingKey>>;
  /** Charges a billing key. orderId is the gateway-side idempotency key: a repeat never charges twice. */
  chargeBillingKey(req: {
    billingKey: string;
    customerKey: string;
    amount: number;
    orderId: string;
    orderName: string;
  }): Promise<GatewayOutcome<GatewayPayment>>;
  /** Charges a card the browser encrypted for the gateway; we forward the blob without being able to read it. */
  chargeEncryptedCard(req: {
    encryptedCard: string;
    customerKey: string;
    amount: number;
    orderId: string;
    orderName: string;
  }): Promise<GatewayOutcome<GatewayPayment>>;
  /** The order's status; `null` when the gateway never saw that orderId. */
  getPaymentByOrderId(orderId: string): Promise<GatewayOutcome<GatewayPayment | null>>;
  /** Cancels part of a payment. idempotencyKey makes a repeat return the first result instead of canceling twice. */
  cancel(req: {
    paymentKey: string;
    cancelAmount: number;
    cancelReason: string;
    idempotencyKey: string;
  }): Promise<GatewayOutcome<GatewayPayment>>;
  /**
   * Sends won to a seller's registered payout destination (Toss 지급대행). idempotencyKey makes a repeat — after a
   * timeout, a crash, a duplicate run — answer with the first payout instead of paying twice.
   */
  payout(req: GatewayPayoutRequest): Promise<GatewayOutcome<GatewayPayout>>;
  /** A payout by the gateway's id (a pending one is asked again later); `null` when the gateway never saw it. */
  getPayout(id: string): Promise<GatewayOutcome<GatewayPayout | null>>;
  /** Registers a payout seller (Toss 지급대행 v2). idempotencyKey makes a retried registration answer the first. */
  registerSeller(req: GatewaySellerRequest, idempotencyKey: string): Promise<GatewayOutcome<GatewaySeller>>;
  /** Changes a registered seller (its account, contact); Toss may move its status back to a review. */
  updateSeller(
    id: string,
    req: Omit<GatewaySellerRequest, "refSellerId">,
    idempotencyKey: string,
  ): Promise<GatewayOutcome<GatewaySeller>>;
  /** The seller as the gateway knows it now; `null` when it never registered that id. */
  getSeller(id: string): Promise<GatewayOutcome<GatewaySeller | null>>;
  /** null when this gateway does not take browser-encrypted cards. */
  publicKey(): Promise<GatewayOutcome<GatewayPublicKey | null>>;
}

/** Codes that say "a request with this key/order is still being processed": the outcome is not known yet. */
export const IN_PROGRESS_CODES: ReadonlySet<string> = new Set([
  "ALREADY_PROCESSING_REQUEST",
  "IDEMPOTENT_REQUEST_PROCESSING",
  "DUPLICATED_ORDER_ID",
]);

/** registerSeller's refusal of a refSellerId the gateway already registered (another body than the first). */
export const SELLER_ALREADY_REGISTERED = "DUPLICATED_REF_SELLER_ID";

/**
 * For a charge we have not settled yet: the gateway holds the whole payment. Not CANCELED/PARTIAL_CANCELED: we cancel
 * only settled charges (refunds), so a cancel on an unsettled one was made at the gateway itself (e.g. support
 * refunding it in the console) and granting the points would give them for money that went back to the card.
 */
export function isPaid(status: GatewayPaymentStatus): boolean {
  return status === "DONE";
}

/** Payout statuses that mean the transfer definitively did not happen (nothing left our account). */
export function isPayoutFailed(status: GatewayPayoutStatus): boolean {
  return status === "FAILED" || status === "CANCELED";
}

/** Statuses that mean nothing is owed for the payment: it never happened, or it was canceled in full. */
export function isFailed(status: GatewayPaymentStatus): boolean {
  return status === "ABORTED" || status === "EXPIRED" || status === "CANCELED";
}
