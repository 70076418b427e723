import {
  type GatewayBillingKey,
  type GatewayOutcome,
  type GatewayPayment,
  type GatewayPaymentStatus,
  type GatewayPayout,
  type GatewayPayoutRequest,
  type GatewayPayoutStatus,
  type GatewayPublicKey,
  type GatewaySeller,
  type GatewaySellerRequest,
  IN_PROGRESS_CODES,
  type PaymentGateway,
} from "./gateway";
import { JweError, jweDecrypt, jweEncrypt, securityKey } from "./jwe";

export interface TossConfig {
  baseUrl: string;
  /** The merchant secret key (Worker secret TOSS_SECRET_KEY); sent as HTTP Basic "<key>:". */
  secretKey: string;
  /** How we reach the base URL: global fetch for Toss, the sandbox Durable Object's fetch in sandbox mode. */
  fetch: (request: Request) => Promise<Response>;
  timeoutMs: number;
  /** The 지급대행 security key (Worker secret TOSS_SECURITY_KEY, 64 hex chars): seller and payout bodies are JWE under it. */
  securityKey?: string;
  /** The browser-encrypted card extension ("/v1/payments/encrypted-key-in") exists on the sandbox only. */
  encryptedCard: boolean;
}

/** Toss Payments' JSON error body (v1 at the top level, v2 under `error`). */
interface TossError {
  code?: string;
  message?: string;
  error?: { code?: string; message?: string } | null;
}

/** Toss answers 4xx for a bad key or configuration: our problem, so retry/alert instead of blaming the card. */
const MERCHANT_SIDE_CODES = new Set(["UNAUTHORIZED_KEY", "INVALID_API_KEY", "FORBIDDEN_REQUEST", "INVALID_SECRET_KEY"]);

/** A payout refused as a repeat (its ref, or its key with another body) may have been paid the first time: unknown. */
const PAYOUT_REPEAT_CODES = new Set(["DUPLICATED_REF_PAYOUT_ID", "INVALID_IDEMPOTENCY_KEY"]);

class Timeout extends Error {}

/**
 * A Toss Payments v1 client (card confirm, billing key issue/charge, lookup by orderId, partial cancel). It only
 * classifies answers; what to do with an unknown outcome is the caller's decision.
 */
export class TossGateway implements PaymentGateway {
  readonly name: string;
  readonly acceptsEncryptedCards: boolean;
  constructor(
    private readonly config: TossConfig,
    name = "toss",
  ) {
    this.name = name;
    this.acceptsEncryptedCards = config.encryptedCard;
  }

  confirmCard(req: { paymentKey: string; orderId: string; amount: number }) {
    return this.call("POST", "/v1/payments/confirm", req, req.orderId).then((o) => mapOk(o, toPayment));
  }

  issueBillingKey(req: { authKey: string; customerKey: string }) {
    return this.call("POST", "/v1/billing/authorizations/issue", req).then((o) => mapOk(o, toBillingKey));
  }

  chargeBillingKey(req: {
    billingKey: string;
    customerKey: string;
    amount: number;
    orderId: string;
    orderName: string;
  }) {
    const { billingKey, ...body } = req;
    return this.call("POST", `/v1/billing/${encodeURIComponent(billingKey)}`, body, req.orderId).then((o) =>
      mapOk(o, toPayment),
    );
  }

  async chargeEncryptedCard(req: {
    encryptedCard: string;
    customerKey: string;
    amount: number;
    orderId: string;
    orderName: string;
  }): Promise<GatewayOutcome<GatewayPayment>> {
    if (!this.config.encryptedCard) {
      return { kind: "declined", code: "UNSUPPORTED", message: "This gateway does not take browser-encrypted cards." };
    }
    return this.call("POST", "/v1/payments/encrypted-key-in", req, req.orderId).then((o) => mapOk(o, toPayment));
  }

  async getPaymentByOrderId(orderId: string): Promise<GatewayOutcome<GatewayPayment | null>> {
    const outcome = await this.call("GET", `/v1/payments/orders/${encodeURIComponent(orderId)}`);
    if (outcome.kind === "declined" && outcome.code === "NOT_FOUND_PAYMENT") return { kind: "ok", value: null };
    return mapOk(outcome, toPayment);
  }

  cancel(req: { paymentKey: string; cancelAmount: number; cancelReason: string; idempotencyKey: string }) {
    return this.call(
      "POST",
      `/v1/payments/${encodeURIComponent(req.paymentKey)}/cancel`,
      { cancelReason: req.cancelReason, cancelAmount: req.cancelAmount },
      req.idempotencyKey,
    ).then((o) => mapOk(o, toPayment));
  }

  /**
   * Toss 지급대행 v2: POST /v2/payouts takes a list of payouts (we send one) to sellers registered with Toss
   * (`destination` = their seller id), amounts as { currency: "KRW", value }. EXPRESS pays now; the status may still
   * be REQUESTED/IN_PROGRESS and is then looked up by id later. The body goes JWE-encrypted (ENCRYPTION mode).
   */
  payout(req: GatewayPayoutRequest) {
    const body = [
      {
        refPayoutId: req.refPayoutId,
        destination: req.destination,
        scheduleType: "EXPRESS",
        amount: { currency: "KRW", value: req.amount },
        transactionDescription: req.description,
      },
    ];
    return this.call("POST", "/v2/payouts", body, req.idempotencyKey, true).then((o) =>
      o.kind === "declined" && PAYOUT_REPEAT_CODES.has(o.code)
        ? { kind: "unknown" as const, code: o.code, message: o.message }
        : mapOk(o, (b) => toPayout((b as { entityBody: { items: unknown[] } }).entityBody.items[0])),
    );
  }

  async getPayout(id: string): Promise<GatewayOutcome<GatewayPayout | null>> {
    const outcome = await this.call("GET", `/v2/payouts/${encodeURIComponent(id)}`);
    if (outcome.kind === "declined" && outcome.code === "NOT_FOUND_PAYOUT") return { kind: "ok", value: null };
    return mapOk(outcome, (b) => toPayout((b as { entityBody: unknown }).entityBody));
  }

  registerSeller(req: GatewaySellerRequest, idempotencyKey: string) {
    return this.call("POST", "/v2/sellers", req, idempotencyKey, true).then((o) => mapOk(o, toSeller));
  }

  updateSeller(id: string, req: Omit<GatewaySellerRequest, "refSellerId">, idempotencyKey: string) {
    return this.call("POST", `/v2/sellers/${encodeURIComponent(id)}`, req, idempotencyKey, true).then((o) =>
      mapOk(o, toSeller),
    );
  }

  async getSeller(id: string): Promise<GatewayOutcome<GatewaySeller | null>> {
    const outcome = await this.call("GET", `/v2/sellers/${encodeURIComponent(id)}`);
    if (outcome.kind === "declined" && outcome.code === "NOT_FOUND_SELLER") return { kind: "ok", value: null };
    return mapOk(outcome, toSeller);
  }

  async publicKey(): Promise<GatewayOutcome<GatewayPublicKey | null>> {
    if (!this.config.encryptedCard) return { kind: "ok", value: null };
    return this.call("GET", "/v1/encryption-key").then((o) =>
      mapOk(o, (body) => {
        const b = body as { kid: string; jwk: JsonWebKey };
        return { kid: b.kid, alg: "RSA-OAEP-256" as const, jwk: b.jwk };
      }),
    );
  }

  private async call(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    idempotencyKey?: string,
    encrypted = false,
  ): Promise<GatewayOutcome<unknown>> {
    const headers = new Headers({ Authorization: `Basic ${btoa(`${this.config.secretKey}:`)}` });
    if (body !== undefined) headers.set("Content-Type", "application/json");
    // Toss replays the first response for a repeated Idempotency-Key instead of processing twice.
    if (idempotencyKey) headers.set("Idempotency-Key", idempotencyKey);
    let key: CryptoKey | null = null;
    let payload = body === undefined ? undefined : JSON.stringify(body);
    if (encrypted) {
      try {
        key = await securityKey(this.config.securityKey);
      } catch (e) {
        // Our configuration, and nothing was sent: retry once the secret is set.
        return { kind: "unavailable", code: "SECURITY_KEY_MISSING", message: String(e), retryAfterMs: 60_000 };
      }
      // ENCRYPTION mode: the body is a compact JWE (fresh iat, nonce and IV per send; retries re-encrypt the same JSON).
      payload = await jweEncrypt(payload ?? "", key);
      headers.set("Content-Type", "text/plain");
      headers.set("TossPayments-api-security-mode", "ENCRYPTION");
    }
    const request = new Request(this.config.baseUrl + path, { method, headers, body: payload });
    let response: Response;
    let text: string;
    try {
      [response, text] = await withTimeout(this.config.timeoutMs, async () => {
        const res = await this.config.fetch(request);
        return [res, await res.text()] as const;
      });
    } catch (e) {
      const timedOut = e instanceof Timeout;
      return {
        kind: "unknown",
        code: timedOut ? "TIMEOUT" : "NETWORK_ERROR",
        message: timedOut ? `No answer within ${this.config.timeoutMs} ms` : "The gateway connection failed",
      };
    }
    const json = parseJson(text) ?? (key ? await decryptJson(text, key) : undefined);
    if (response.ok) {
      return json === undefined
        ? { kind: "unknown", code: "BAD_RESPONSE", message: "The gateway answered with unreadable data" }
        : { kind: "ok", value: json };
    }
    const errorBody = (json ?? {}) as TossError;
    const err = errorBody.error ?? errorBody;
    const code = err.code ?? `HTTP_${response.status}`;
    const message = err.message ?? response.statusText;
    if (response.status === 503 || response.status === 429) {
      const retryAfterS = Number(response.headers.get("Retry-After"));
      return {
        kind: "unavailable",
        code,
        message,
        retryAfterMs: Number.isFinite(retryAfterS) && retryAfterS > 0 ? retryAfterS * 1000 : 1000,
        rateLimited: response.status === 429,
      };
    }
    if (response.status >= 500 || IN_PROGRESS_CODES.has(code)) return { kind: "unknown", code, message };
    if (response.status === 401 || MERCHANT_SIDE_CODES.has(code)) {
      return { kind: "unavailable", code, message, retryAfterMs: 60_000 };
    }
    return { kind: "declined", code, message };
  }
}

async function withTimeout<T>(ms: number, run: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), ms);
  });
  try {
    return await Promise.race([run(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An ENCRYPTION-mode answer: a JWE under the same key around the JSON; unreadable → undefined (outcome unknown). */
async function decryptJson(text: string, key: CryptoKey): Promise<unknown> {
  try {
    return parseJson((await jweDecrypt(text, key)).plaintext);
  } catch (e) {
    if (e instanceof JweError) return undefined;
    throw e;
  }
}

function mapOk<A, B>(outcome: GatewayOutcome<A>, f: (a: A) => B): GatewayOutcome<B> {
  return outcome.kind === "ok" ? { kind: "ok", value: f(outcome.value) } : outcome;
}

interface TossPaymentJson {
  paymentKey: string;
  orderId: string;
  status: GatewayPaymentStatus;
  totalAmount: number;
  balanceAmount: number;
  approvedAt?: string | null;
  card?: { number?: string } | null;
  failure?: { code: string; message: string } | null;
}

function toPayment(body: unknown): GatewayPayment {
  const p = body as TossPaymentJson;
  return {
    paymentKey: p.paymentKey,
    orderId: p.orderId,
    status: p.status,
    totalAmount: p.totalAmount,
    balanceAmount: p.balanceAmount,
    approvedAt: p.approvedAt ?? null,
    cardNumberMasked: p.card?.number ?? null,
    failure: p.failure ?? null,
  };
}

interface TossBillingJson {
  billingKey: string;
  customerKey: string;
  cardCompany?: string | null;
  card?: { number?: string; issuerCode?: string } | null;
}

function toBillingKey(body: unknown): GatewayBillingKey {
  const b = body as TossBillingJson;
  return {
    billingKey: b.billingKey,
    customerKey: b.customerKey,
    cardCompany: b.cardCompany ?? b.card?.issuerCode ?? null,
    cardNumberMasked: b.card?.number ?? null,
  };
}

/** v2 answers wrap the entity in `entityBody`; accept a bare one too. */
function toSeller(body: unknown): GatewaySeller {
  const b = body as { entityBody?: unknown };
  const s = (b.entityBody ?? body) as GatewaySeller;
  return { id: s.id, refSellerId: s.refSellerId, businessType: s.businessType, status: s.status };
}

interface TossPayoutJson {
  id: string;
  refPayoutId: string;
  destination: string;
  amount: { currency: string; value: number };
  status: GatewayPayoutStatus;
  error?: { code: string; message: string } | null;
}

function toPayout(body: unknown): GatewayPayout {
  const p = body as TossPayoutJson;
  return {
    id: p.id,
    refPayoutId: p.refPayoutId,
    destination: p.destination,
    amount: p.amount.value,
    status: p.status,
    failure: p.error ?? null,
  };
}
