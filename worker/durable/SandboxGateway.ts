import { DurableObject } from "cloudflare:workers";
import { BUSINESS_TYPES, PARTIAL_PAYOUT_LIMIT_WON, type SellerStatus } from "../../shared/payouts";
import type { GatewaySwitches } from "../../shared/schemas/payments";
import { randomToken, sha256Hex } from "../lib/ids";
import { JweError, jweDecrypt, jweEncrypt, securityKey } from "../payments/jwe";
import { blobKeyId, generateEncryptionKeyPair, maskCardNumber, readEncryptedCard } from "../payments/sandboxCards";

/**
 * A local card gateway that speaks the Toss Payments v1 shapes (and v2 지급대행 payouts), so the real Toss adapter is
 * what every test and `npm start` exercises. One instance (idFromName("default")) is the whole gateway. SQLite-backed: orders survive
 * restarts, orderId and Idempotency-Key are enforced, and an admin flips switches to rehearse outages:
 *   up · down (503) · slow (delayMs before answering) · decline (cards rejected) ·
 *   timeout_after_success (the charge is recorded, then the answer never comes in time).
 * Payouts obey the same switches: decline = the bank refuses the transfer; slow = the payout answers IN_PROGRESS at
 * once and completes delayMs later (seen on lookup), like a real bank transfer.
 * 지급대행 v2 like live Toss: sellers (/v2/sellers) start in the `sellerStatus` switch's status (setSellerStatus moves
 * one, as Toss's KYC review would), payouts go only to registered sellers whose status allows them, and every POST with
 * a body is ENCRYPTION mode: a JWE under TOSS_SECURITY_KEY in, a JWE out (a body it cannot decrypt is refused).
 * Check-then-write on its own storage happens without an await in between, so the input gate keeps it atomic.
 */

const DEFAULT_SWITCHES: GatewaySwitches = {
  mode: "up",
  delayMs: 1500,
  rateLimitPerSec: 50,
  sellerStatus: "PARTIALLY_APPROVED",
};
const MID = "gonggu_sandbox";
const CHARGE_PATH = /^\/v1\/(payments\/confirm|payments\/encrypted-key-in|billing\/(?!authorizations\/)[^/]+)$/;
const PAYOUTS_PATH = "/v2/payouts";
/** POSTs that must come JWE-encrypted (Toss: seller register, seller update, payout request). */
const ENCRYPTED_PATH = /^\/v2\/(payouts|sellers(\/[^/]+)?)$/;
/** How far a JWE's `iat` may be from the sandbox's clock. */
const IAT_SKEW_MS = 10 * 60_000;

type SellerRow = {
  id: string;
  ref_seller_id: string;
  business_type: string;
  status: string;
  bank_code: string;
  account_number: string;
  holder_name: string;
  created_at: number;
};

type Json = Record<string, unknown>;

type PayoutRow = {
  id: string;
  ref_payout_id: string;
  destination: string;
  amount: number;
  status: string;
  failure_code: string | null;
  failure_message: string | null;
  requested_at: number;
  completes_at: number;
};

type PaymentRow = {
  payment_key: string;
  order_id: string;
  kind: string;
  customer_key: string | null;
  order_name: string;
  total_amount: number;
  balance_amount: number;
  status: string;
  card_masked: string | null;
  failure_code: string | null;
  failure_message: string | null;
  requested_at: number;
  approved_at: number | null;
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class SandboxGateway extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** Token bucket for charges/s: memory is enough, a restart just refills it. */
  private bucket = { tokens: 0, at: 0 };
  /** Requests refused since this instance started (for benchmarks and the admin view). */
  private refused = { rateLimited: 0, down: 0 };
  /** Charges waiting out a slow switch's delayMs; answerSlowCharges() ends their wait now. */
  private readonly slowCharges = new Set<() => void>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS config (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS payments (
        payment_key TEXT PRIMARY KEY, order_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, customer_key TEXT,
        order_name TEXT NOT NULL, total_amount INTEGER NOT NULL, balance_amount INTEGER NOT NULL, status TEXT NOT NULL,
        card_masked TEXT, failure_code TEXT, failure_message TEXT, requested_at INTEGER NOT NULL, approved_at INTEGER);
      CREATE TABLE IF NOT EXISTS cancels (
        transaction_key TEXT PRIMARY KEY, payment_key TEXT NOT NULL, cancel_amount INTEGER NOT NULL,
        cancel_reason TEXT NOT NULL, canceled_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS billing_keys (
        billing_key TEXT PRIMARY KEY, auth_key TEXT NOT NULL UNIQUE, customer_key TEXT NOT NULL,
        card_masked TEXT NOT NULL, card_company TEXT NOT NULL, created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS idempotency (
        key TEXT PRIMARY KEY, request_hash TEXT NOT NULL, status INTEGER, body TEXT, created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS payouts (
        id TEXT PRIMARY KEY, ref_payout_id TEXT NOT NULL UNIQUE, destination TEXT NOT NULL, amount INTEGER NOT NULL,
        status TEXT NOT NULL, failure_code TEXT, failure_message TEXT, requested_at INTEGER NOT NULL,
        completes_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS sellers (
        id TEXT PRIMARY KEY, ref_seller_id TEXT NOT NULL UNIQUE, business_type TEXT NOT NULL, status TEXT NOT NULL,
        bank_code TEXT NOT NULL, account_number TEXT NOT NULL, holder_name TEXT NOT NULL, created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS jwe_nonces (nonce TEXT PRIMARY KEY, seen_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS encryption_keys (
        kid TEXT PRIMARY KEY, public_jwk TEXT NOT NULL, private_jwk TEXT NOT NULL, created_at INTEGER NOT NULL);
    `);
  }

  // ---- admin (RPC) ----

  getSwitches(): GatewaySwitches {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM config WHERE key = 'switches'").toArray()[0];
    return row ? { ...DEFAULT_SWITCHES, ...JSON.parse(row.value) } : { ...DEFAULT_SWITCHES };
  }

  setSwitches(patch: Partial<GatewaySwitches>): GatewaySwitches {
    const next = { ...this.getSwitches(), ...patch };
    this.sql.exec(
      "INSERT INTO config (key, value) VALUES ('switches', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      JSON.stringify(next),
    );
    if (patch.rateLimitPerSec !== undefined) this.bucket = { tokens: 0, at: 0 };
    return next;
  }

  /** Back to the defaults (tests sharing one runtime start each file with a gateway that is up). */
  resetSwitches(): GatewaySwitches {
    this.sql.exec("DELETE FROM config WHERE key = 'switches'");
    this.bucket = { tokens: 0, at: 0 };
    return this.getSwitches();
  }

  /**
   * Lets every charge still waiting out the slow switch finish now; returns how many were waiting. Tests hold a charge
   * IN_PROGRESS with a long delayMs and end it here, instead of racing a short delay with the machine's load.
   */
  answerSlowCharges(): number {
    const waiting = [...this.slowCharges];
    for (const answer of waiting) answer();
    return waiting.length;
  }

  /** Counts for tests, benchmarks and admins: how many orders ended how, how much was cancelled, what was refused. */
  stats(): {
    orders: number;
    done: number;
    aborted: number;
    charged: number;
    canceled: number;
    refusedRateLimited: number;
    refusedDown: number;
  } {
    const row = this.sql
      .exec<{ orders: number; done: number; aborted: number; charged: number; canceled: number }>(
        `SELECT count(*) AS orders,
          coalesce(sum(status IN ('DONE','PARTIAL_CANCELED','CANCELED')), 0) AS done,
          coalesce(sum(status = 'ABORTED'), 0) AS aborted,
          coalesce(sum(CASE WHEN status IN ('DONE','PARTIAL_CANCELED','CANCELED') THEN total_amount END), 0) AS charged,
          coalesce(sum(total_amount - balance_amount), 0) AS canceled
         FROM payments`,
      )
      .one();
    return { ...row, refusedRateLimited: this.refused.rateLimited, refusedDown: this.refused.down };
  }

  /** The gateway's record of an orderId (tests assert "charged exactly once"). */
  ordersFor(orderId: string): { orderId: string; status: string; totalAmount: number; balanceAmount: number }[] {
    return this.sql
      .exec<PaymentRow>("SELECT * FROM payments WHERE order_id = ?", orderId)
      .toArray()
      .map((p) => ({
        orderId: p.order_id,
        status: p.status,
        totalAmount: p.total_amount,
        balanceAmount: p.balance_amount,
      }));
  }

  /** The gateway's payouts for one of our payout ids (tests assert "paid out exactly once"). */
  payoutsFor(refPayoutId: string): { id: string; status: string; amount: number; destination: string }[] {
    return this.sql
      .exec<PayoutRow>("SELECT * FROM payouts WHERE ref_payout_id = ?", refPayoutId)
      .toArray()
      .map((p) => ({ id: p.id, status: p.status, amount: p.amount, destination: p.destination }));
  }

  /** What Toss's review would do to a seller (tests and admins rehearse KYC_REQUIRED, APPROVED…). */
  setSellerStatus(id: string, status: SellerStatus): { id: string; status: SellerStatus } {
    this.sellerRow(id);
    this.sql.exec("UPDATE sellers SET status = ? WHERE id = ?", status, id);
    return { id, status };
  }

  /** The sandbox's record of a seller by our refSellerId (tests assert what Toss was sent). */
  sellerFor(refSellerId: string): { id: string; status: string; bankCode: string; accountNumber: string } | null {
    const row = this.sql.exec<SellerRow>("SELECT * FROM sellers WHERE ref_seller_id = ?", refSellerId).toArray()[0];
    return row ? { id: row.id, status: row.status, bankCode: row.bank_code, accountNumber: row.account_number } : null;
  }

  // ---- Toss-shaped HTTP API ----

  override async fetch(request: Request): Promise<Response> {
    try {
      this.authenticate(request);
      const switches = this.getSwitches();
      if (switches.mode === "down") {
        this.refused.down += 1;
        throw new HttpError(503, "SERVICE_UNAVAILABLE", "The sandbox gateway is down (admin switch).");
      }
      const path = new URL(request.url).pathname;
      // Charges record themselves as IN_PROGRESS first and are slow after that; everything else is slow up front.
      // Payouts are slow by completing later instead.
      if (switches.mode === "slow" && !CHARGE_PATH.test(path) && path !== PAYOUTS_PATH) await sleep(switches.delayMs);
      if (request.method === "GET") {
        const order = path.match(/^\/v1\/payments\/orders\/([^/]+)$/);
        if (order) return json(200, this.lookup(decodeURIComponent(order[1])));
        if (path === "/v1/encryption-key") return json(200, await this.publicEncryptionKey());
        const payout = path.match(/^\/v2\/payouts\/([^/]+)$/);
        if (payout) return json(200, envelope(this.payoutJson(this.payoutRow(decodeURIComponent(payout[1])))));
        const seller = path.match(/^\/v2\/sellers\/([^/]+)$/);
        if (seller) return json(200, envelope(sellerJson(this.sellerRow(decodeURIComponent(seller[1]))), "seller"));
        throw new HttpError(404, "NOT_FOUND", "No such endpoint.");
      }
      if (request.method !== "POST") throw new HttpError(405, "METHOD_NOT_ALLOWED", "Use GET or POST.");
      const encrypted = ENCRYPTED_PATH.test(path);
      // Decrypted before anything else: the idempotency hash is over the JSON, since every send re-encrypts it.
      const bodyText = encrypted ? await this.decryptBody(request) : await request.text();
      const body = parseBody(bodyText, path === PAYOUTS_PATH);
      const idempotencyKey = request.headers.get("Idempotency-Key");
      const requestHash = await sha256Hex(`${path}\n${bodyText}`);
      const answer = await this.idempotent(idempotencyKey, requestHash, () => this.route(path, body, switches));
      // ENCRYPTION mode answers in kind (a replayed answer too: each is sealed afresh).
      const response = encrypted ? await this.encryptAnswer(answer) : answer;
      if (switches.mode === "timeout_after_success" && response.ok) {
        // Recorded and committed; the caller gives up before this answer arrives.
        await sleep(Number(this.env.PG_TIMEOUT_MS) + 1000);
      }
      return response;
    } catch (e) {
      if (e instanceof HttpError) return json(e.status, { code: e.code, message: e.message });
      throw e;
    }
  }

  private async route(path: string, body: Json, switches: GatewaySwitches): Promise<Response> {
    if (path === "/v1/payments/confirm") {
      return this.charge("NORMAL", body, switches, () => ({
        paymentKey: str(body.paymentKey, "paymentKey"),
        customerKey: null,
        masked: "43301234****123*",
      }));
    }
    if (path === "/v1/billing/authorizations/issue") return json(200, this.issueBillingKey(body));
    if (path === PAYOUTS_PATH) return this.payout(body, switches);
    if (path === "/v2/sellers") return json(200, envelope(sellerJson(this.registerSeller(body, switches)), "seller"));
    const seller = path.match(/^\/v2\/sellers\/([^/]+)$/);
    if (seller) {
      return json(200, envelope(sellerJson(this.updateSeller(decodeURIComponent(seller[1]), body)), "seller"));
    }
    if (path === "/v1/payments/encrypted-key-in") {
      return this.charge("KEYIN", body, switches, () => ({
        paymentKey: `tsb_${randomToken(18)}`,
        customerKey: str(body.customerKey, "customerKey"),
        masked: null,
      }));
    }
    const billing = path.match(/^\/v1\/billing\/([^/]+)$/);
    if (billing) {
      const billingKey = decodeURIComponent(billing[1]);
      return this.charge("BILLING", body, switches, () => {
        const customerKey = str(body.customerKey, "customerKey");
        const key = this.sql
          .exec<{ card_masked: string }>(
            "SELECT card_masked FROM billing_keys WHERE billing_key = ? AND customer_key = ?",
            billingKey,
            customerKey,
          )
          .toArray()[0];
        if (!key) throw new HttpError(404, "NOT_FOUND_BILLING_KEY", "No billing key for that customer.");
        return { paymentKey: `tsb_${randomToken(18)}`, customerKey, masked: key.card_masked };
      });
    }
    const cancel = path.match(/^\/v1\/payments\/([^/]+)\/cancel$/);
    if (cancel) return this.cancel(decodeURIComponent(cancel[1]), body);
    throw new HttpError(404, "NOT_FOUND", "No such endpoint.");
  }

  /** ENCRYPTION mode in: the mode header, a JWE under our security key, a fresh iat and a nonce never seen before. */
  private async decryptBody(request: Request): Promise<string> {
    if (request.headers.get("TossPayments-api-security-mode") !== "ENCRYPTION") {
      throw new HttpError(400, "INVALID_SECURITY_MODE", "This API takes ENCRYPTION mode only (a JWE body).");
    }
    let opened: Awaited<ReturnType<typeof jweDecrypt>>;
    try {
      opened = await jweDecrypt(await request.text(), await securityKey(this.env.TOSS_SECURITY_KEY));
    } catch (e) {
      if (!(e instanceof JweError)) throw e;
      throw new HttpError(
        400,
        "INVALID_ENCRYPTION",
        `The body could not be decrypted with the security key: ${e.message}`,
      );
    }
    const { iat, nonce } = opened.header;
    const issuedAt = typeof iat === "string" && /[+-]\d\d:\d\d$/.test(iat) ? Date.parse(iat) : Number.NaN;
    if (!Number.isFinite(issuedAt) || Math.abs(Date.now() - issuedAt) > IAT_SKEW_MS) {
      throw new HttpError(400, "INVALID_ENCRYPTION", "The JWE header needs iat: now, ISO 8601 with offset.");
    }
    if (typeof nonce !== "string" || nonce.length < 8) {
      throw new HttpError(400, "INVALID_ENCRYPTION", "The JWE header needs a nonce (UUID).");
    }
    if (this.sql.exec("SELECT 1 FROM jwe_nonces WHERE nonce = ?", nonce).toArray().length > 0) {
      throw new HttpError(400, "INVALID_ENCRYPTION", "This nonce was already used (a replayed request).");
    }
    // a nonce older than the iat window cannot come back (its iat would be refused), so it need not be kept
    this.sql.exec("DELETE FROM jwe_nonces WHERE seen_at < ?", Date.now() - 2 * IAT_SKEW_MS);
    this.sql.exec("INSERT INTO jwe_nonces (nonce, seen_at) VALUES (?, ?)", nonce, Date.now());
    return opened.plaintext;
  }

  private async encryptAnswer(answer: Response): Promise<Response> {
    const sealed = await jweEncrypt(await answer.text(), await securityKey(this.env.TOSS_SECURITY_KEY));
    return new Response(sealed, { status: answer.status, headers: { "Content-Type": "text/plain" } });
  }

  private registerSeller(body: Json, switches: GatewaySwitches): SellerRow {
    const refSellerId = str(body.refSellerId, "refSellerId");
    const businessType = str(body.businessType, "businessType");
    if (!(BUSINESS_TYPES as readonly string[]).includes(businessType)) {
      throw new HttpError(400, "INVALID_REQUEST", "businessType is INDIVIDUAL, INDIVIDUAL_BUSINESS or CORPORATE.");
    }
    const account = checkSellerBody(body);
    if (this.sql.exec("SELECT 1 FROM sellers WHERE ref_seller_id = ?", refSellerId).toArray().length > 0) {
      throw new HttpError(400, "DUPLICATED_REF_SELLER_ID", "This refSellerId was already registered.");
    }
    const id = `seller_${randomToken(18)}`;
    this.sql.exec(
      `INSERT INTO sellers (id, ref_seller_id, business_type, status, bank_code, account_number, holder_name, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      refSellerId,
      businessType,
      switches.sellerStatus,
      account.bankCode,
      account.accountNumber,
      account.holderName,
      Date.now(),
    );
    return this.sellerRow(id);
  }

  private updateSeller(id: string, body: Json): SellerRow {
    this.sellerRow(id);
    const account = checkSellerBody(body);
    this.sql.exec(
      "UPDATE sellers SET bank_code = ?, account_number = ?, holder_name = ? WHERE id = ?",
      account.bankCode,
      account.accountNumber,
      account.holderName,
      id,
    );
    return this.sellerRow(id);
  }

  private sellerRow(id: string): SellerRow {
    const row = this.sql.exec<SellerRow>("SELECT * FROM sellers WHERE id = ?", id).toArray()[0];
    if (!row) throw new HttpError(404, "NOT_FOUND_SELLER", "No seller with that id.");
    return row;
  }

  private authenticate(request: Request) {
    const expected = `Basic ${btoa(`${this.env.TOSS_SECRET_KEY}:`)}`;
    if (request.headers.get("Authorization") !== expected) {
      throw new HttpError(401, "UNAUTHORIZED_KEY", "The secret key is missing or wrong.");
    }
  }

  /**
   * Idempotency-Key: the first final answer is stored and replayed; a repeat while the first is still running
   * is told so; 503/429 are not stored (nothing happened, so a retry must really retry).
   */
  private async idempotent(key: string | null, hash: string, run: () => Promise<Response>): Promise<Response> {
    if (!key) return run();
    const seen = this.sql
      .exec<{ request_hash: string; status: number | null; body: string | null }>(
        "SELECT request_hash, status, body FROM idempotency WHERE key = ?",
        key,
      )
      .toArray()[0];
    if (seen) {
      if (seen.request_hash !== hash) {
        throw new HttpError(422, "INVALID_IDEMPOTENCY_KEY", "This Idempotency-Key was used for another request.");
      }
      if (seen.status === null) {
        throw new HttpError(409, "ALREADY_PROCESSING_REQUEST", "The first request with this key is still running.");
      }
      return new Response(seen.body, { status: seen.status, headers: { "Content-Type": "application/json" } });
    }
    this.sql.exec("INSERT INTO idempotency (key, request_hash, created_at) VALUES (?, ?, ?)", key, hash, Date.now());
    let response: Response;
    try {
      response = await run();
    } catch (e) {
      if (!(e instanceof HttpError)) {
        this.sql.exec("DELETE FROM idempotency WHERE key = ?", key);
        throw e;
      }
      response = json(e.status, { code: e.code, message: e.message });
    }
    if (response.status === 503 || response.status === 429) {
      this.sql.exec("DELETE FROM idempotency WHERE key = ?", key);
      return response;
    }
    const text = await response.clone().text();
    this.sql.exec("UPDATE idempotency SET status = ?, body = ? WHERE key = ?", response.status, text, key);
    return response;
  }

  private async charge(
    type: "NORMAL" | "BILLING" | "KEYIN",
    body: Json,
    switches: GatewaySwitches,
    identify: () => { paymentKey: string; customerKey: string | null; masked: string | null },
  ): Promise<Response> {
    const orderId = str(body.orderId, "orderId");
    const amount = body.amount;
    if (typeof amount !== "number" || !Number.isInteger(amount) || amount <= 0) {
      throw new HttpError(400, "INVALID_REQUEST", "amount must be a positive integer.");
    }
    const orderName = typeof body.orderName === "string" ? body.orderName : "포인트 충전";
    const { paymentKey, customerKey, masked } = identify();
    const existing = this.sql.exec("SELECT 1 FROM payments WHERE order_id = ? OR payment_key = ?", orderId, paymentKey);
    if (existing.toArray().length > 0) {
      throw new HttpError(400, "DUPLICATED_ORDER_ID", "This orderId (or paymentKey) was already used.");
    }
    if (!this.takeToken(switches.rateLimitPerSec)) {
      this.refused.rateLimited += 1;
      throw new HttpError(429, "TOO_MANY_REQUESTS", `The sandbox accepts ${switches.rateLimitPerSec} charges/s.`);
    }
    const now = Date.now();
    this.sql.exec(
      `INSERT INTO payments (payment_key, order_id, kind, customer_key, order_name, total_amount, balance_amount,
        status, card_masked, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'IN_PROGRESS', ?, ?)`,
      paymentKey,
      orderId,
      type,
      customerKey,
      orderName,
      amount,
      amount,
      masked,
      now,
    );
    if (switches.mode === "slow") await this.slowCharge(switches.delayMs);
    let failure: { code: string; message: string } | null = null;
    if (type === "KEYIN") {
      const card = await this.decryptCard(String(body.encryptedCard ?? ""), now);
      if (!card.ok) failure = card;
      else {
        this.sql.exec("UPDATE payments SET card_masked = ? WHERE payment_key = ?", card.masked, paymentKey);
        if (card.declineTestCard) failure = { code: "REJECT_CARD_PAYMENT", message: "The card issuer declined." };
      }
    }
    if (!failure && switches.mode === "decline") {
      failure = { code: "REJECT_CARD_PAYMENT", message: "The card issuer declined (sandbox decline switch)." };
    }
    if (failure) {
      this.sql.exec(
        "UPDATE payments SET status = 'ABORTED', failure_code = ?, failure_message = ? WHERE payment_key = ?",
        failure.code,
        failure.message,
        paymentKey,
      );
      return json(failure.code === "REJECT_CARD_PAYMENT" ? 403 : 400, failure);
    }
    this.sql.exec("UPDATE payments SET status = 'DONE', approved_at = ? WHERE payment_key = ?", Date.now(), paymentKey);
    return json(200, this.paymentJson(this.row(paymentKey)));
  }

  private slowCharge(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const answer = () => {
        clearTimeout(timer);
        this.slowCharges.delete(answer);
        resolve();
      };
      const timer = setTimeout(answer, delayMs);
      this.slowCharges.add(answer);
    });
  }

  private cancel(paymentKey: string, body: Json): Response {
    const payment = this.sql.exec<PaymentRow>("SELECT * FROM payments WHERE payment_key = ?", paymentKey).toArray()[0];
    if (!payment) throw new HttpError(404, "NOT_FOUND_PAYMENT", "No payment with that key.");
    if (payment.status !== "DONE" && payment.status !== "PARTIAL_CANCELED") {
      throw new HttpError(400, "NOT_CANCELABLE_PAYMENT", `A ${payment.status} payment cannot be canceled.`);
    }
    const reason = str(body.cancelReason, "cancelReason");
    const amount = body.cancelAmount === undefined ? payment.balance_amount : body.cancelAmount;
    if (typeof amount !== "number" || !Number.isInteger(amount) || amount <= 0) {
      throw new HttpError(400, "INVALID_REQUEST", "cancelAmount must be a positive integer.");
    }
    if (amount > payment.balance_amount) {
      throw new HttpError(400, "NOT_CANCELABLE_AMOUNT", `Only ${payment.balance_amount} can still be canceled.`);
    }
    const balance = payment.balance_amount - amount;
    this.sql.exec(
      "INSERT INTO cancels (transaction_key, payment_key, cancel_amount, cancel_reason, canceled_at) VALUES (?, ?, ?, ?, ?)",
      `tx_${randomToken(12)}`,
      paymentKey,
      amount,
      reason,
      Date.now(),
    );
    this.sql.exec(
      "UPDATE payments SET balance_amount = ?, status = ? WHERE payment_key = ?",
      balance,
      balance === 0 ? "CANCELED" : "PARTIAL_CANCELED",
      paymentKey,
    );
    return json(200, this.paymentJson(this.row(paymentKey)));
  }

  /** One payout per request (Toss takes up to 100; Gonggu sends one). ref_payout_id is unique like an orderId. */
  private payout(body: Json, switches: GatewaySwitches): Response {
    const items = body.items as unknown[];
    if (items.length !== 1 || !items[0] || typeof items[0] !== "object") {
      throw new HttpError(400, "INVALID_REQUEST", "Send exactly one payout.");
    }
    const item = items[0] as Json;
    const refPayoutId = str(item.refPayoutId, "refPayoutId");
    const destination = str(item.destination, "destination");
    const amount = (item.amount ?? {}) as Json;
    if (amount.currency !== "KRW" || typeof amount.value !== "number" || !Number.isInteger(amount.value)) {
      throw new HttpError(400, "INVALID_REQUEST", "amount must be { currency: 'KRW', value: <integer won> }.");
    }
    if (amount.value <= 0) throw new HttpError(400, "INVALID_REQUEST", "amount.value must be positive.");
    if (this.sql.exec("SELECT 1 FROM payouts WHERE ref_payout_id = ?", refPayoutId).toArray().length > 0) {
      throw new HttpError(400, "DUPLICATED_REF_PAYOUT_ID", "This refPayoutId was already used.");
    }
    const seller = this.sql.exec<SellerRow>("SELECT * FROM sellers WHERE id = ?", destination).toArray()[0];
    if (!seller) throw new HttpError(404, "NOT_FOUND_SELLER", "destination is not a registered seller.");
    if (seller.status !== "APPROVED" && seller.status !== "PARTIALLY_APPROVED") {
      throw new HttpError(
        403,
        "FORBIDDEN_SELLER_PAYOUT",
        `The seller is ${seller.status}: payouts go only to PARTIALLY_APPROVED or APPROVED sellers.`,
      );
    }
    if (seller.status === "PARTIALLY_APPROVED" && amount.value > PARTIAL_PAYOUT_LIMIT_WON) {
      // Toss fails it and starts a KYC review
      this.sql.exec("UPDATE sellers SET status = 'KYC_REQUIRED' WHERE id = ?", seller.id);
      throw new HttpError(403, "FORBIDDEN_SELLER_PAYOUT", "Over the limit before KYC: the seller now needs KYC.");
    }
    const now = Date.now();
    const declined = switches.mode === "decline";
    const id = `po_${randomToken(18)}`;
    this.sql.exec(
      `INSERT INTO payouts (id, ref_payout_id, destination, amount, status, failure_code, failure_message,
        requested_at, completes_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      refPayoutId,
      destination,
      amount.value,
      declined ? "FAILED" : switches.mode === "slow" ? "IN_PROGRESS" : "COMPLETED",
      declined ? "REJECTED_PAYOUT" : null,
      declined ? "The receiving bank refused the transfer (sandbox decline switch)." : null,
      now,
      now + (switches.mode === "slow" ? switches.delayMs : 0),
    );
    if (declined) throw new HttpError(403, "REJECTED_PAYOUT", "The receiving bank refused the transfer.");
    return json(200, envelope({ items: [this.payoutJson(this.payoutRow(id))] }));
  }

  /** A payout by id; an IN_PROGRESS one whose time has come completes when asked (the bank answered meanwhile). */
  private payoutRow(id: string): PayoutRow {
    const row = this.sql.exec<PayoutRow>("SELECT * FROM payouts WHERE id = ?", id).toArray()[0];
    if (!row) throw new HttpError(404, "NOT_FOUND_PAYOUT", "No payout with that id.");
    if (row.status === "IN_PROGRESS" && Date.now() >= row.completes_at) {
      this.sql.exec("UPDATE payouts SET status = 'COMPLETED' WHERE id = ?", id);
      row.status = "COMPLETED";
    }
    return row;
  }

  private payoutJson(p: PayoutRow): Json {
    return {
      id: p.id,
      refPayoutId: p.ref_payout_id,
      destination: p.destination,
      scheduleType: "EXPRESS",
      amount: { currency: "KRW", value: p.amount },
      status: p.status,
      requestedAt: new Date(p.requested_at).toISOString(),
      error: p.failure_code ? { code: p.failure_code, message: p.failure_message } : null,
    };
  }

  private issueBillingKey(body: Json): Json {
    const authKey = str(body.authKey, "authKey");
    const customerKey = str(body.customerKey, "customerKey");
    if (authKey.startsWith("invalid")) throw new HttpError(400, "INVALID_AUTH_KEY", "The authKey is not valid.");
    const existing = this.sql
      .exec<{ billing_key: string; customer_key: string; card_masked: string; card_company: string }>(
        "SELECT * FROM billing_keys WHERE auth_key = ?",
        authKey,
      )
      .toArray()[0];
    if (existing && existing.customer_key !== customerKey) {
      throw new HttpError(400, "INVALID_AUTH_KEY", "The authKey belongs to another customer.");
    }
    const row = existing ?? {
      billing_key: `bk_${randomToken(24)}`,
      customer_key: customerKey,
      card_masked: maskCardNumber("4330123412341234"),
      card_company: "현대",
    };
    if (!existing) {
      this.sql.exec(
        "INSERT INTO billing_keys (billing_key, auth_key, customer_key, card_masked, card_company, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        row.billing_key,
        authKey,
        customerKey,
        row.card_masked,
        row.card_company,
        Date.now(),
      );
    }
    return {
      mId: MID,
      customerKey,
      authenticatedAt: new Date().toISOString(),
      method: "카드",
      billingKey: row.billing_key,
      cardCompany: row.card_company,
      card: { issuerCode: "61", acquirerCode: "61", number: row.card_masked, cardType: "신용", ownerType: "개인" },
    };
  }

  private lookup(orderId: string): Json {
    const payment = this.sql.exec<PaymentRow>("SELECT * FROM payments WHERE order_id = ?", orderId).toArray()[0];
    if (!payment) throw new HttpError(404, "NOT_FOUND_PAYMENT", "No payment for that orderId.");
    return this.paymentJson(payment);
  }

  private async publicEncryptionKey(): Promise<Json> {
    const row = this.sql
      .exec<{ kid: string; public_jwk: string }>(
        "SELECT kid, public_jwk FROM encryption_keys ORDER BY created_at DESC LIMIT 1",
      )
      .toArray()[0];
    if (row) return { kid: row.kid, alg: "RSA-OAEP-256", jwk: JSON.parse(row.public_jwk) };
    const pair = await generateEncryptionKeyPair();
    const kid = `sbk${randomToken(6)}`;
    // Another request may have generated one while we awaited: keep whichever landed first.
    this.sql.exec(
      "INSERT INTO encryption_keys (kid, public_jwk, private_jwk, created_at) SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM encryption_keys)",
      kid,
      JSON.stringify(pair.publicJwk),
      JSON.stringify(pair.privateJwk),
      Date.now(),
    );
    return this.publicEncryptionKey();
  }

  private async decryptCard(blob: string, now: number) {
    const kid = blobKeyId(blob);
    const row = kid
      ? this.sql
          .exec<{ private_jwk: string }>("SELECT private_jwk FROM encryption_keys WHERE kid = ?", kid)
          .toArray()[0]
      : undefined;
    if (!row) return { ok: false as const, code: "INVALID_ENCRYPTED_CARD", message: "Unknown encryption key id." };
    return readEncryptedCard(blob, JSON.parse(row.private_jwk), now);
  }

  private takeToken(perSec: number): boolean {
    const now = Date.now();
    const b = this.bucket;
    b.tokens = b.at === 0 ? perSec : Math.min(perSec, b.tokens + ((now - b.at) / 1000) * perSec);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private row(paymentKey: string): PaymentRow {
    return this.sql.exec<PaymentRow>("SELECT * FROM payments WHERE payment_key = ?", paymentKey).one();
  }

  private paymentJson(p: PaymentRow): Json {
    const cancels = this.sql
      .exec<{ transaction_key: string; cancel_amount: number; cancel_reason: string; canceled_at: number }>(
        "SELECT * FROM cancels WHERE payment_key = ? ORDER BY canceled_at",
        p.payment_key,
      )
      .toArray()
      .map((c) => ({
        transactionKey: c.transaction_key,
        cancelAmount: c.cancel_amount,
        cancelReason: c.cancel_reason,
        canceledAt: new Date(c.canceled_at).toISOString(),
      }));
    return {
      mId: MID,
      version: "2022-11-16",
      paymentKey: p.payment_key,
      orderId: p.order_id,
      orderName: p.order_name,
      type: p.kind === "BILLING" ? "BILLING" : "NORMAL",
      method: "카드",
      currency: "KRW",
      status: p.status,
      totalAmount: p.total_amount,
      balanceAmount: p.balance_amount,
      requestedAt: new Date(p.requested_at).toISOString(),
      approvedAt: p.approved_at ? new Date(p.approved_at).toISOString() : null,
      card: p.card_masked ? { number: p.card_masked, amount: p.total_amount } : null,
      cancels: cancels.length ? cancels : null,
      failure: p.failure_code ? { code: p.failure_code, message: p.failure_message } : null,
    };
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/** Toss v2 answers wrap the entity. */
function envelope(entityBody: Json, entityType = "payout"): Json {
  return { version: "2022-11-16", traceId: randomToken(12), entityType, entityBody };
}

function sellerJson(s: SellerRow): Json {
  return {
    id: s.id,
    refSellerId: s.ref_seller_id,
    businessType: s.business_type,
    status: s.status,
    account: { bankCode: s.bank_code, accountNumber: maskAccount(s.account_number), holderName: s.holder_name },
  };
}

const maskAccount = (n: string) => `${"*".repeat(Math.max(0, n.length - 4))}${n.slice(-4)}`;

/** The person or company and the account, as Toss checks them. Account numbers starting 999 "do not exist". */
function checkSellerBody(body: Json) {
  const holder = (body.businessType === "INDIVIDUAL" ? body.individual : body.company) as Json | undefined;
  if (!holder || typeof holder !== "object") {
    throw new HttpError(400, "INVALID_REQUEST", "individual (INDIVIDUAL) or company (businesses) is required.");
  }
  str(holder.name, "name");
  const account = (body.account ?? {}) as Json;
  const bankCode = str(account.bankCode, "account.bankCode");
  const accountNumber = str(account.accountNumber, "account.accountNumber");
  const holderName = str(account.holderName, "account.holderName");
  if (!/^\d{3}$/.test(bankCode) || !/^\d{10,16}$/.test(accountNumber)) {
    throw new HttpError(400, "INVALID_REQUEST", "bankCode is 3 digits and accountNumber 10–16 digits.");
  }
  if (accountNumber.startsWith("999")) {
    throw new HttpError(400, "INVALID_BANK_ACCOUNT", "The bank says this account does not exist.");
  }
  return { bankCode, accountNumber, holderName };
}

/** A JSON object; or, where the API takes a list (v2 payouts), a JSON array as { items }. */
function parseBody(text: string, list = false): Json {
  if (!text) return {};
  try {
    const parsed = JSON.parse(text);
    if (list && Array.isArray(parsed)) return { items: parsed };
    if (!list && parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Json;
  } catch {}
  throw new HttpError(
    400,
    "INVALID_REQUEST",
    list ? "The body must be a JSON array." : "The body must be a JSON object.",
  );
}

function str(value: unknown, field: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 300) {
    throw new HttpError(400, "INVALID_REQUEST", `${field} is required.`);
  }
  return value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
