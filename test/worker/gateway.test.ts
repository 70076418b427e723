import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { encryptCardForGateway } from "../../shared/payments/card";
import { newId } from "../../worker/lib/ids";
import { getGateway, sandboxGateway } from "../../worker/payments";
import { jweDecrypt, securityKey } from "../../worker/payments/jwe";
import { TossGateway } from "../../worker/payments/toss";

const gateway = () => getGateway(env);
const orderId = () => `t-${newId()}`;

async function billingKey(customerKey = `ck_${newId()}`) {
  const issued = await gateway().issueBillingKey({ authKey: `auth_${newId()}`, customerKey });
  if (issued.kind !== "ok") throw new Error(`issue failed: ${JSON.stringify(issued)}`);
  return issued.value;
}

afterEach(async () => {
  await sandboxGateway(env).setSwitches({ mode: "up", delayMs: 1500, rateLimitPerSec: 50 });
});

describe("Toss adapter against the sandbox gateway", () => {
  it("confirms a card payment and finds it by orderId", async () => {
    const id = orderId();
    const confirmed = await gateway().confirmCard({ paymentKey: `pk_${newId()}`, orderId: id, amount: 10_000 });
    expect(confirmed).toMatchObject({ kind: "ok", value: { orderId: id, status: "DONE", totalAmount: 10_000 } });
    const found = await gateway().getPaymentByOrderId(id);
    expect(found).toMatchObject({ kind: "ok", value: { orderId: id, status: "DONE", balanceAmount: 10_000 } });
  });

  it("says null for an order the gateway never saw", async () => {
    expect(await gateway().getPaymentByOrderId(orderId())).toEqual({ kind: "ok", value: null });
  });

  it("issues a billing key and charges it; a repeat with the same orderId replays, never charges twice", async () => {
    const key = await billingKey();
    const req = {
      billingKey: key.billingKey,
      customerKey: key.customerKey,
      amount: 5_000,
      orderId: orderId(),
      orderName: "충전",
    };
    const first = await gateway().chargeBillingKey(req);
    const second = await gateway().chargeBillingKey(req);
    expect(first.kind).toBe("ok");
    expect(second).toEqual(first);
    expect(await sandboxGateway(env).ordersFor(req.orderId)).toHaveLength(1);
  });

  it("refuses a reused orderId with a different amount", async () => {
    const key = await billingKey();
    const req = {
      billingKey: key.billingKey,
      customerKey: key.customerKey,
      amount: 5_000,
      orderId: orderId(),
      orderName: "충전",
    };
    await gateway().chargeBillingKey(req);
    const other = await gateway().chargeBillingKey({ ...req, amount: 6_000 });
    expect(other.kind).not.toBe("ok");
    const [order] = await sandboxGateway(env).ordersFor(req.orderId);
    expect(order).toMatchObject({ totalAmount: 5_000 });
  });

  it("rejects a wrong secret key as a merchant-side problem, not a card decline", async () => {
    const stub = sandboxGateway(env);
    const wrong = new TossGateway({
      baseUrl: "https://sandbox.test",
      secretKey: "test_sk_wrong",
      fetch: (r) => stub.fetch(r),
      timeoutMs: 1000,
      encryptedCard: true,
    });
    expect(await wrong.getPaymentByOrderId(orderId())).toMatchObject({ kind: "unavailable", code: "UNAUTHORIZED_KEY" });
  });

  it("down → unavailable (503) and nothing is recorded", async () => {
    const key = await billingKey();
    await sandboxGateway(env).setSwitches({ mode: "down" });
    const id = orderId();
    const res = await gateway().chargeBillingKey({ ...key, amount: 1_000, orderId: id, orderName: "충전" });
    expect(res).toMatchObject({ kind: "unavailable", code: "SERVICE_UNAVAILABLE" });
    await sandboxGateway(env).setSwitches({ mode: "up" });
    expect(await gateway().getPaymentByOrderId(id)).toEqual({ kind: "ok", value: null });
  });

  it("decline → declined, and the order is recorded as ABORTED", async () => {
    const key = await billingKey();
    await sandboxGateway(env).setSwitches({ mode: "decline" });
    const id = orderId();
    const res = await gateway().chargeBillingKey({ ...key, amount: 1_000, orderId: id, orderName: "충전" });
    expect(res).toMatchObject({ kind: "declined", code: "REJECT_CARD_PAYMENT" });
    await sandboxGateway(env).setSwitches({ mode: "up" });
    expect(await gateway().getPaymentByOrderId(id)).toMatchObject({ kind: "ok", value: { status: "ABORTED" } });
  });

  it("timeout after success → unknown; the lookup shows it was charged", async () => {
    const key = await billingKey();
    await sandboxGateway(env).setSwitches({ mode: "timeout_after_success" });
    const id = orderId();
    const res = await gateway().chargeBillingKey({ ...key, amount: 2_000, orderId: id, orderName: "충전" });
    expect(res).toMatchObject({ kind: "unknown", code: "TIMEOUT" });
    expect(await gateway().getPaymentByOrderId(id)).toMatchObject({ kind: "ok", value: { status: "DONE" } });
  });

  it("slow beyond the timeout → unknown while IN_PROGRESS, DONE afterwards", async () => {
    const key = await billingKey();
    // held until answered below (not a short delay that a loaded machine could outlast before the lookup)
    await sandboxGateway(env).setSwitches({ mode: "slow", delayMs: 30_000 });
    const id = orderId();
    const res = await gateway().chargeBillingKey({ ...key, amount: 2_000, orderId: id, orderName: "충전" });
    expect(res.kind).toBe("unknown");
    await sandboxGateway(env).setSwitches({ mode: "up" });
    expect(await gateway().getPaymentByOrderId(id)).toMatchObject({ kind: "ok", value: { status: "IN_PROGRESS" } });
    expect(await sandboxGateway(env).answerSlowCharges()).toBeGreaterThanOrEqual(1);
    await expect
      .poll(() => gateway().getPaymentByOrderId(id), { timeout: 10_000, interval: 50 })
      .toMatchObject({ kind: "ok", value: { status: "DONE" } });
  });

  it("rate limit → unavailable with a retry hint", async () => {
    const key = await billingKey();
    await sandboxGateway(env).setSwitches({ rateLimitPerSec: 2 });
    // All at once. The bucket starts with 2 tokens and refills 2 per second, so on a loaded machine, where the calls
    // can reach the gateway spread over some time, a refilled token may let one more through: count what time allows.
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        gateway().chargeBillingKey({ ...key, amount: 1_000, orderId: orderId(), orderName: "충전" }),
      ),
    );
    const refilled = Math.floor(((Date.now() - started) / 1000) * 2);
    const ok = results.filter((r) => r.kind === "ok").length;
    expect(ok).toBeGreaterThanOrEqual(2);
    expect(ok).toBeLessThanOrEqual(2 + refilled);
    const refused = results.filter((r) => r.kind === "unavailable");
    expect(refused).toHaveLength(6 - ok);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r).toMatchObject({ rateLimited: true, retryAfterMs: expect.any(Number) });
  });

  it("partial cancels: idempotent by key, never more than the balance", async () => {
    const id = orderId();
    const paid = await gateway().confirmCard({ paymentKey: `pk_${newId()}`, orderId: id, amount: 10_000 });
    if (paid.kind !== "ok") throw new Error("confirm failed");
    const cancel = {
      paymentKey: paid.value.paymentKey,
      cancelAmount: 4_000,
      cancelReason: "환불",
      idempotencyKey: newId(),
    };
    const first = await gateway().cancel(cancel);
    expect(first).toMatchObject({ kind: "ok", value: { status: "PARTIAL_CANCELED", balanceAmount: 6_000 } });
    expect(await gateway().cancel(cancel)).toEqual(first);
    const tooMuch = await gateway().cancel({ ...cancel, cancelAmount: 7_000, idempotencyKey: newId() });
    expect(tooMuch).toMatchObject({ kind: "declined", code: "NOT_CANCELABLE_AMOUNT" });
    const rest = await gateway().cancel({ ...cancel, cancelAmount: 6_000, idempotencyKey: newId() });
    expect(rest).toMatchObject({ kind: "ok", value: { status: "CANCELED", balanceAmount: 0 } });
  });

  it("charges a browser-encrypted card and stores only the mask", async () => {
    const pk = await gateway().publicKey();
    if (pk.kind !== "ok" || !pk.value) throw new Error("no public key");
    const blob = await encryptCardForGateway(pk.value, { number: "4111 1111 1111 1111", expMonth: 12, expYear: 2099 });
    const id = orderId();
    const res = await gateway().chargeEncryptedCard({
      encryptedCard: blob,
      customerKey: `ck_${newId()}`,
      amount: 3_000,
      orderId: id,
      orderName: "충전",
    });
    expect(res).toMatchObject({ kind: "ok", value: { status: "DONE", cardNumberMasked: "41111111********" } });
    const declined = await gateway().chargeEncryptedCard({
      encryptedCard: await encryptCardForGateway(pk.value, { number: "4000000000000002", expMonth: 1, expYear: 2099 }),
      customerKey: `ck_${newId()}`,
      amount: 3_000,
      orderId: orderId(),
      orderName: "충전",
    });
    expect(declined).toMatchObject({ kind: "declined", code: "REJECT_CARD_PAYMENT" });
  });
});

describe("Toss adapter: payouts (지급대행)", () => {
  const payoutReq = () => ({
    refPayoutId: `po-${newId()}`,
    destination: "seller_1",
    amount: 19_000,
    description: "공구 판매 정산",
    idempotencyKey: `payout:${newId()}`,
  });

  it("sends Toss's v2 payout request and reads its answer (recorded, no network)", async () => {
    const sent: Request[] = [];
    const toss = new TossGateway({
      baseUrl: "https://api.tosspayments.com",
      secretKey: "live_sk_x",
      fetch: async (r) => {
        sent.push(r.clone());
        const item = {
          id: "FPA_1",
          refPayoutId: "po-1",
          destination: "seller_1",
          amount: { currency: "KRW", value: 19_000 },
          status: "REQUESTED",
        };
        const entityBody = r.method === "POST" ? { items: [item] } : { ...item, status: "COMPLETED" };
        return Response.json({ entityType: "payout", entityBody });
      },
      timeoutMs: 1000,
      encryptedCard: false,
      securityKey: "0f".repeat(32),
    });
    const req = { ...payoutReq(), refPayoutId: "po-1", idempotencyKey: "payout:po-1" };
    expect(await toss.payout(req)).toEqual({
      kind: "ok",
      value: {
        id: "FPA_1",
        refPayoutId: "po-1",
        destination: "seller_1",
        amount: 19_000,
        status: "REQUESTED",
        failure: null,
      },
    });
    const post = sent[0];
    expect([post.method, post.url]).toEqual(["POST", "https://api.tosspayments.com/v2/payouts"]);
    expect(post.headers.get("Idempotency-Key")).toBe("payout:po-1");
    expect(post.headers.get("Authorization")).toBe(`Basic ${btoa("live_sk_x:")}`);
    // ENCRYPTION mode: a JWE under the security key, with Toss's iat/nonce headers
    expect(post.headers.get("TossPayments-api-security-mode")).toBe("ENCRYPTION");
    expect(post.headers.get("Content-Type")).toBe("text/plain");
    const { header, plaintext } = await jweDecrypt(await post.text(), await securityKey("0f".repeat(32)));
    expect(header).toMatchObject({ alg: "dir", enc: "A256GCM", iat: expect.stringMatching(/\+09:00$/) });
    expect(header.nonce).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(plaintext)).toEqual([
      {
        refPayoutId: "po-1",
        destination: "seller_1",
        scheduleType: "EXPRESS",
        amount: { currency: "KRW", value: 19_000 },
        transactionDescription: "공구 판매 정산",
      },
    ]);
    expect(await toss.getPayout("FPA_1")).toMatchObject({ kind: "ok", value: { id: "FPA_1", status: "COMPLETED" } });
    expect([sent[1].method, sent[1].url]).toEqual(["GET", "https://api.tosspayments.com/v2/payouts/FPA_1"]);
  });

  it("the sandbox pays once per key, refuses a reused refPayoutId or a bad amount, and looks payouts up by id", async () => {
    const seller = await gateway().registerSeller(
      {
        refSellerId: `ref-${newId()}`,
        businessType: "INDIVIDUAL",
        individual: { name: "김판매", email: "s@example.com", phone: "01012345678" },
        account: { bankCode: "088", accountNumber: "110123456789", holderName: "김판매" },
      },
      `seller:${newId()}`,
    );
    if (seller.kind !== "ok") throw new Error(`register failed: ${JSON.stringify(seller)}`);
    const req = { ...payoutReq(), destination: seller.value.id };
    // a destination Toss never registered is refused outright
    expect(await gateway().payout({ ...payoutReq(), destination: "seller_unknown" })).toMatchObject({
      kind: "declined",
      code: "NOT_FOUND_SELLER",
    });
    const first = await gateway().payout(req);
    expect(first).toMatchObject({
      kind: "ok",
      value: { refPayoutId: req.refPayoutId, status: "COMPLETED", amount: 19_000 },
    });
    expect(await gateway().payout(req)).toEqual(first);
    const other = await gateway().payout({ ...req, amount: 1_000, idempotencyKey: newId() });
    // not a decline: the first request may have paid, so the caller must not free the money for another payout
    expect(other).toMatchObject({ kind: "unknown", code: "DUPLICATED_REF_PAYOUT_ID" });
    expect(await sandboxGateway(env).payoutsFor(req.refPayoutId)).toHaveLength(1);
    const zero = await gateway().payout({ ...payoutReq(), destination: seller.value.id, amount: 0 });
    expect(zero).toMatchObject({ kind: "declined", code: "INVALID_REQUEST" });
    if (first.kind !== "ok") throw new Error("unreachable");
    expect(await gateway().getPayout(first.value.id)).toEqual(first);
    expect(await gateway().getPayout("po_unknown")).toEqual({ kind: "ok", value: null });
  });
});
