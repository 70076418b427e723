import { env, exports } from "cloudflare:workers";
import type { TRPCClientError } from "@trpc/client";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { sellerPayoutAccounts } from "../../worker/db/schema";
import { PAYABLE_HOLD_MS } from "../../worker/groupbuy/config";
import { releaseDuePayables } from "../../worker/groupbuy/payouts";
import { PAYOUT_WEBHOOK_PATH } from "../../worker/groupbuy/payoutWebhook";
import { sandboxGateway } from "../../worker/payments";
import { kstTimestamp } from "../../worker/payments/jwe";
import { TossGateway } from "../../worker/payments/toss";
import { signWebhook } from "../../worker/payments/webhookSignature";
import type { AppRouter } from "../../worker/trpc/router";
import { platformAccount } from "../../worker/wallet/accounts";
import { db, newRegion, newSeller, until } from "./groupbuy-helpers";
import { errorOf } from "./helpers";
import {
  availableToSeller,
  balance,
  completedBuyOf,
  expectMoney,
  type Payee,
  payoutRun,
  registerAccount,
} from "./payout-helpers";

const accountRow = (sellerId: string) =>
  db().select().from(sellerPayoutAccounts).where(eq(sellerPayoutAccounts.sellerId, sellerId)).get();

async function payoutNotices(payee: Pick<Payee, "seller">) {
  const { items } = await payee.seller.api.notifications.list.query({ limit: 50 });
  return items.filter((n) => n.kind === "payout.account_needed");
}

/** A webhook as Toss sends it: the body signed with the security key and the transmission time. */
async function webhook(event: unknown, key = env.TOSS_SECURITY_KEY) {
  const body = JSON.stringify(event);
  const time = kstTimestamp();
  return exports.default.fetch(
    new Request(`http://localhost${PAYOUT_WEBHOOK_PATH}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "tosspayments-webhook-transmission-time": time,
        // Toss sends two signatures (key rotation); one that matches is enough
        "tosspayments-webhook-signature": `v1:${btoa("not-this-one")},${await signWebhook(body, time, key)}`,
      },
      body,
    }),
  );
}

const sellerChanged = (id: string) => ({ eventType: "seller.changed", createdAt: kstTimestamp(), data: { id } });

describe("payout accounts (정산 계좌) with Toss 지급대행", { timeout: 30_000 }, () => {
  afterEach(async () => {
    await sandboxGateway(env).resetSwitches();
  });

  it("registers with Toss through JWE; we keep Toss's id, status and only the last 4 digits; payouts go to Toss's id", async () => {
    const payee = await availableToSeller({ account: false });
    const summary = await registerAccount(payee.seller);
    expect(summary).toMatchObject({
      status: "PARTIALLY_APPROVED",
      bankCode: "088",
      bankName: "신한은행",
      holderName: "김판매",
      accountMasked: "****6789",
      payable: true,
      limitWon: 10_000_000,
    });
    expect(await payee.seller.api.seller.payoutAccount.get.query()).toEqual(summary);
    // Toss got the whole number (decrypted from the JWE body); our row has no trace of it
    const toss = await sandboxGateway(env).sellerFor(payee.seller.id);
    expect(toss).toMatchObject({ bankCode: "088", accountNumber: "110123456789", status: "PARTIALLY_APPROVED" });
    const row = await accountRow(payee.seller.id);
    expect(row?.gatewaySellerId).toBe(toss?.id);
    expect(JSON.stringify(row)).not.toContain("123456789");

    await payoutRun();
    const [paid] = await expectMoney(payee, { available: 0, paid: 19_000 });
    expect(paid).toMatchObject({ status: "paid", destination: toss?.id });
    expect(await sandboxGateway(env).payoutsFor(paid.id)).toMatchObject([{ destination: toss?.id, amount: 19_000 }]);
  });

  it("a seller without a payout account is not paid, keeps the balance and is told once", async () => {
    const payee = await availableToSeller({ account: false });
    await payoutRun();
    await payoutRun();
    expect(await expectMoney(payee, { available: 19_000, paid: 0 })).toEqual([]);
    const notices = await payoutNotices(payee);
    expect(notices.map((n) => n.params)).toEqual([{ reason: "missing", availableWon: 19_000 }]);

    // registering is all it takes: the next run pays
    await registerAccount(payee.seller);
    await payoutRun();
    await expectMoney(payee, { available: 0, paid: 19_000 });
  });

  it("KYC_REQUIRED is not paid (told once); seller.changed makes us ask Toss, and APPROVED is paid", async () => {
    await sandboxGateway(env).setSwitches({ sellerStatus: "KYC_REQUIRED" });
    const payee = await availableToSeller({ account: false });
    const summary = await registerAccount(payee.seller);
    expect(summary).toMatchObject({ status: "KYC_REQUIRED", payable: false });
    await payoutRun();
    await payoutRun();
    expect(await expectMoney(payee, { available: 19_000, paid: 0 })).toEqual([]);
    expect((await payoutNotices(payee)).map((n) => n.params)).toEqual([
      { reason: "kyc_required", availableWon: 19_000 },
    ]);

    const tossId = (await accountRow(payee.seller.id))?.gatewaySellerId ?? "";
    await sandboxGateway(env).setSwitches({ sellerStatus: "PARTIALLY_APPROVED" });
    await sandboxGateway(env).setSellerStatus(tossId, "APPROVED");
    // the body claims nothing we use: the status comes from GET /v2/sellers/{id}
    const res = await webhook({ ...sellerChanged(tossId), data: { id: tossId, status: "KYC_REQUIRED" } });
    expect(res.status).toBe(200);
    expect(await payee.seller.api.seller.payoutAccount.get.query()).toMatchObject({
      status: "APPROVED",
      limitWon: null,
    });
    await payoutRun();
    await expectMoney(payee, { available: 0, paid: 19_000 });
  });

  it("PARTIALLY_APPROVED is paid up to 10 million won a payout (oldest payables first) and told once about KYC", async () => {
    const seller = await newSeller();
    const region = await newRegion();
    await registerAccount(seller);
    // two buys of 8,000,000 won: 7,600,000 each after the 5 % fee, 15,200,000 together
    await completedBuyOf(seller, region, 8_000_000);
    await completedBuyOf(seller, region, 8_000_000);
    await releaseDuePayables(env, Date.now() + PAYABLE_HOLD_MS + 60_000);
    const payee = { seller, region, clearing: await balance(platformAccount("pg_clearing", region).id) };
    await expectMoney(payee, { available: 15_200_000, paid: 0 });
    await payoutRun();
    const [first] = await expectMoney(payee, { available: 7_600_000, paid: 7_600_000 });
    expect(first).toMatchObject({ status: "paid", amount: 7_600_000 });
    expect((await payoutNotices(payee)).map((n) => n.params)).toEqual([
      { reason: "over_limit", availableWon: 15_200_000 },
    ]);
    // the rest fits under the limit on the next run; nobody is told twice
    await payoutRun();
    await expectMoney(payee, { available: 0, paid: 15_200_000 });
    expect(await payoutNotices(payee)).toHaveLength(1);
  });

  it("a webhook with a bad or missing signature is 401 and changes nothing", async () => {
    const seller = await newSeller();
    await registerAccount(seller);
    const before = await accountRow(seller.id);
    await sandboxGateway(env).setSellerStatus(before?.gatewaySellerId ?? "", "KYC_REQUIRED");
    const forged = await webhook(sellerChanged(before?.gatewaySellerId ?? ""), "ab".repeat(32));
    expect(forged.status).toBe(401);
    const unsigned = await exports.default.fetch(
      new Request(`http://localhost${PAYOUT_WEBHOOK_PATH}`, {
        method: "POST",
        body: JSON.stringify(sellerChanged(before?.gatewaySellerId ?? "")),
      }),
    );
    expect(unsigned.status).toBe(401);
    expect(await accountRow(seller.id)).toEqual(before);
    // the genuine one is taken
    expect((await webhook(sellerChanged(before?.gatewaySellerId ?? ""))).status).toBe(200);
    expect(await accountRow(seller.id)).toMatchObject({ status: "KYC_REQUIRED" });
  });

  it("payout.changed finishes a payout still IN_PROGRESS by asking Toss, never by the body's amount", async () => {
    const payee = await availableToSeller();
    await sandboxGateway(env).setSwitches({ mode: "slow", delayMs: 300 });
    await payoutRun();
    const [moving] = await expectMoney(payee, { available: 19_000, paid: 0 });
    expect(moving.status).toBe("requested");
    await new Promise((r) => setTimeout(r, 350));
    const res = await webhook({
      eventType: "payout.changed",
      data: { id: moving.gatewayRef, status: "COMPLETED", amount: { currency: "KRW", value: 1_000_000 } },
    });
    expect(res.status).toBe(200);
    const [paid] = await expectMoney(payee, { available: 0, paid: 19_000 });
    expect(paid).toMatchObject({ id: moving.id, status: "paid", amount: 19_000 });
  });

  it("updates go to the same Toss seller; another seller only ever sees and changes their own", async () => {
    const a = await newSeller();
    const b = await newSeller();
    await registerAccount(a);
    const tossId = (await accountRow(a.id))?.gatewaySellerId;
    const updated = await registerAccount(a, { bankCode: "090", accountNumber: "3333-01-2345678" });
    expect(updated).toMatchObject({ bankName: "카카오뱅크", accountMasked: "****5678" });
    expect(await sandboxGateway(env).sellerFor(a.id)).toMatchObject({ id: tossId, accountNumber: "3333012345678" });

    expect(await b.api.seller.payoutAccount.get.query()).toBeNull();
    await registerAccount(b, { accountNumber: "1002-111-222333" });
    expect(await a.api.seller.payoutAccount.get.query()).toMatchObject({ accountMasked: "****5678" });
    expect((await accountRow(b.id))?.gatewaySellerId).not.toBe(tossId);
  });

  it("two first saves at once: identical ones both get the one registration; other details get 'already registered'", async () => {
    const twin = await newSeller();
    const [one, two] = await Promise.all([registerAccount(twin), registerAccount(twin)]);
    expect(two).toEqual(one);
    expect(one).toMatchObject({ accountMasked: "****6789" });
    expect((await accountRow(twin.id))?.gatewaySellerId).toBe((await sandboxGateway(env).sellerFor(twin.id))?.id);

    const seller = await newSeller();
    const saves = await Promise.allSettled([
      registerAccount(seller),
      registerAccount(seller, { accountNumber: "110-123-450000" }),
    ]);
    const won = saves.filter((s) => s.status === "fulfilled");
    const lost = saves.flatMap((s) => (s.status === "rejected" ? [s.reason as TRPCClientError<AppRouter>] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.data).toMatchObject({ code: "CONFLICT", details: { reason: "payout_account_exists" } });
    expect(lost[0]?.message).toMatch(/registered a moment ago by another save/);
    expect(lost[0]?.message).not.toMatch(/Check the bank/);
    // what was kept is the winner's account, the one Toss registered
    const row = await accountRow(seller.id);
    const toss = await sandboxGateway(env).sellerFor(seller.id);
    expect(row?.gatewaySellerId).toBe(toss?.id);
    expect(toss?.accountNumber.slice(-4)).toBe(row?.accountLast4);
  });

  it("saves are limited to 10 an hour per seller, counted atomically before Toss is asked, even when sent at once", async () => {
    const seller = await newSeller();
    const saves = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => registerAccount(seller, { accountNumber: `110-123-4567${10 + i}` })),
    );
    // parallel first saves race for one Toss registration (the others are refused as already registered); what
    // matters here is that exactly the 11th and 12th were turned away by the limit, before reaching Toss
    const limited = saves.filter(
      (s) => s.status === "rejected" && (s.reason as { data?: { code?: string } }).data?.code === "TOO_MANY_REQUESTS",
    );
    expect(limited).toHaveLength(2);
    const refused = await errorOf(registerAccount(seller));
    expect(refused).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect(refused.message).toMatch(/^Too many payout account changes\. Try again in \d+ minutes?\.$/);
    expect(refused.details).toMatchObject({ reason: "payout_account_limit", retryAt: expect.any(Number) });
  });

  it("bad input is a typed BAD_REQUEST per field, and a refusal by Toss is PRECONDITION_FAILED; nothing is written", async () => {
    const seller = await newSeller();
    const fieldsOf = (e: { zodError: unknown }) =>
      Object.keys((e.zodError as { fieldErrors: Record<string, string[]> }).fieldErrors).sort();
    const bad = await errorOf(
      registerAccount(seller, { bankCode: "999" as never, accountNumber: "12ab", holderName: "" }),
    );
    expect(bad.code).toBe("BAD_REQUEST");
    expect(fieldsOf(bad)).toEqual(["accountNumber", "bankCode", "holderName"]);
    // a business also names its representative and registration number
    const business = await errorOf(registerAccount(seller, { businessType: "CORPORATE" }));
    expect(business.code).toBe("BAD_REQUEST");
    expect(fieldsOf(business)).toEqual(["businessNumber", "representativeName"]);
    const refused = await errorOf(registerAccount(seller, { accountNumber: "9990001112223" }));
    expect(refused).toMatchObject({ code: "PRECONDITION_FAILED" });
    expect(refused.message).toContain("account");
    expect(await accountRow(seller.id)).toBeUndefined();
    expect(await sandboxGateway(env).sellerFor(seller.id)).toBeNull();
  });

  it("no answer after Toss registered: nothing saved, and sending the same details again replays Toss's answer", async () => {
    const seller = await newSeller();
    await sandboxGateway(env).setSwitches({ mode: "down" });
    expect(await errorOf(registerAccount(seller))).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect(await sandboxGateway(env).sellerFor(seller.id)).toBeNull();

    await sandboxGateway(env).setSwitches({ mode: "timeout_after_success" });
    expect(await errorOf(registerAccount(seller))).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect(await accountRow(seller.id)).toBeUndefined();
    const registered = await sandboxGateway(env).sellerFor(seller.id);
    expect(registered).not.toBeNull();

    await sandboxGateway(env).setSwitches({ mode: "up" });
    // same body → same Idempotency-Key → Toss's first answer, not a DUPLICATED_REF_SELLER_ID refusal
    expect(await registerAccount(seller)).toMatchObject({ status: "PARTIALLY_APPROVED", accountMasked: "****6789" });
    expect((await accountRow(seller.id))?.gatewaySellerId).toBe(registered?.id);
  });

  it("the sandbox refuses a body it cannot decrypt (wrong key, plain JSON) and registers nothing", async () => {
    const stub = sandboxGateway(env);
    const config = {
      baseUrl: "https://sandbox.test",
      secretKey: env.TOSS_SECRET_KEY,
      fetch: (r: Request) => stub.fetch(r),
      timeoutMs: 2000,
      encryptedCard: true,
    };
    const refSellerId = `ref-${crypto.randomUUID()}`;
    const seller = {
      refSellerId,
      businessType: "INDIVIDUAL" as const,
      individual: { name: "김판매", email: "s@example.com", phone: "01012345678" },
      account: { bankCode: "088", accountNumber: "110123456789", holderName: "김판매" },
    };
    const wrongKey = new TossGateway({ ...config, securityKey: "cd".repeat(32) });
    expect(await wrongKey.registerSeller(seller, `k-${refSellerId}`)).toMatchObject({
      kind: "declined",
      code: "INVALID_ENCRYPTION",
    });
    const plain = await stub.fetch(
      new Request("https://sandbox.test/v2/sellers", {
        method: "POST",
        headers: { Authorization: `Basic ${btoa(`${env.TOSS_SECRET_KEY}:`)}`, "Content-Type": "application/json" },
        body: JSON.stringify(seller),
      }),
    );
    expect(plain.status).toBe(400);
    expect(await plain.json()).toMatchObject({ code: "INVALID_SECURITY_MODE" });
    expect(await stub.sellerFor(refSellerId)).toBeNull();
    // the right key registers it, and the JWE answer decrypts to Toss's seller
    const right = await new TossGateway({ ...config, securityKey: env.TOSS_SECURITY_KEY }).registerSeller(
      seller,
      `k2-${refSellerId}`,
    );
    expect(right).toMatchObject({ kind: "ok", value: { refSellerId, status: "PARTIALLY_APPROVED" } });
    await until("registered", async () => stub.sellerFor(refSellerId));
  });
});
