import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { auditLog, charges } from "../../worker/db/schema";
import { until } from "./groupbuy-helpers";
import { errorOf } from "./helpers";
import { assertLedgerInvariants } from "./ledger-invariants";
import { balances, cancelAtGateway, chargesOf, gatewayUp, key, payingBuyer, pg, setGateway } from "./payments-helpers";
import { db, newAdmin } from "./wallet-helpers";

afterEach(gatewayUp);

const billing = { type: "billingKey" as const };

/** A registered-card charge whose answer timed out after the gateway took it: "unknown" until someone asks. */
async function unknownCharge() {
  const buyer = await payingBuyer({ billingKey: true });
  await setGateway({ mode: "timeout_after_success" });
  const res = await buyer.client.wallet.charge.mutate({ amount: 2_000, idempotencyKey: key(), paymentMethod: billing });
  expect(res.charge.status).toBe("unknown");
  return { ...buyer, res };
}

/** admin.charges.cancel ends the charge as canceled, and the user is left with no points and nothing owed. */
async function cancelsWithNothingLeft(
  admin: Awaited<ReturnType<typeof newAdmin>>,
  chargeId: string,
  book: string,
  userId: string,
) {
  const out = await admin.client.admin.charges.cancel.mutate({ chargeId, reason: "고객 요청으로 취소" });
  expect(out.charge).toMatchObject({ status: "canceled" });
  expect(await balances(book, userId)).toEqual({ charged: 0, clearing: 0, receivable: 0 });
  await assertLedgerInvariants();
}

describe("admin.charges", () => {
  it("lists stuck charges, retries one once the gateway is back, and audits it", async () => {
    const admin = await newAdmin();
    const { client, user, book } = await payingBuyer({ billingKey: true });
    await setGateway({ mode: "down" });
    const res = await client.wallet.charge.mutate({ amount: 9_000, idempotencyKey: key(), paymentMethod: billing });
    const listed = await admin.client.admin.charges.list.query({ status: "deferred", userId: user.id, limit: 10 });
    expect(listed.items.map((i) => i.id)).toEqual([res.charge.id]);

    const stillDown = await admin.client.admin.charges.retry.mutate({
      chargeId: res.charge.id,
      reason: "재시도 테스트",
    });
    expect(stillDown).toMatchObject({ queued: true, charge: { status: "deferred" } });
    // The job that retry queued runs within the test queue's 0.2 s batch timeout. Let it meet the outage (its next try
    // is >= 5 s later), so the retry below is what settles the charge: on a loaded machine the job ran after
    // gatewayUp and settled it first ("This charge is already succeeded.").
    const touchedAt = async () =>
      (await db().select().from(charges).where(eq(charges.id, res.charge.id)).get())?.updatedAt ?? 0;
    const byRetry = await touchedAt();
    await until("the queued retry met the outage", async () => (await touchedAt()) > byRetry);
    await gatewayUp();
    const retried = await admin.client.admin.charges.retry.mutate({ chargeId: res.charge.id, reason: "복구됨" });
    expect(retried).toMatchObject({ queued: false, charge: { status: "succeeded" } });
    expect(await balances(book, user.id)).toEqual({ charged: 9_000, clearing: -9_000, receivable: 0 });
    const again = await errorOf(
      admin.client.admin.charges.retry.mutate({ chargeId: res.charge.id, reason: "또 재시도" }),
    );
    expect(again.code).toBe("PRECONDITION_FAILED");
    const audits = await db().select().from(auditLog).where(eq(auditLog.targetId, user.id)).all();
    expect(audits.map((a) => a.action)).toEqual(["charge.retry", "charge.retry"]);
    await assertLedgerInvariants();
  });

  it("cancels an unpaid deferred charge: points clawed back, nothing charged later", async () => {
    const admin = await newAdmin();
    const { client, user, book } = await payingBuyer({ billingKey: true });
    await setGateway({ mode: "down" });
    const res = await client.wallet.charge.mutate({ amount: 6_000, idempotencyKey: key(), paymentMethod: billing });
    const out = await admin.client.admin.charges.cancel.mutate({ chargeId: res.charge.id, reason: "고객 요청" });
    expect(out.charge).toMatchObject({ status: "canceled", debt: 0 });
    expect(await balances(book, user.id)).toEqual({ charged: 0, clearing: 0, receivable: 0 });
    await gatewayUp();
    const [charge] = await chargesOf(user.id);
    expect(await pg().ordersFor(charge.orderId)).toEqual([]);
    await assertLedgerInvariants();
  });

  it("refuses to cancel a charge the gateway already took, and settles it as paid instead", async () => {
    const admin = await newAdmin();
    const { user, book, res } = await unknownCharge();
    await gatewayUp();
    const err = await errorOf(
      admin.client.admin.charges.cancel.mutate({ chargeId: res.charge.id, reason: "취소 시도" }),
    );
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toMatch(/charged it after all/);
    expect((await db().select().from(charges).where(eq(charges.id, res.charge.id)).get())?.status).toBe("succeeded");
    expect((await balances(book, user.id)).charged).toBe(2_000);
    await assertLedgerInvariants();
  });

  it("cancels a stuck charge whose payment support already canceled at the gateway, granting nothing", async () => {
    const admin = await newAdmin();
    const { user, book, res } = await unknownCharge();
    await gatewayUp();
    // the user called support, who refunded the card payment in the gateway's console
    await cancelAtGateway(res.charge.orderId);
    await cancelsWithNothingLeft(admin, res.charge.id, book, user.id);
  });

  it("refuses to cancel while a send the gateway has not seen yet may still be on its way", async () => {
    const admin = await newAdmin();
    const { client, user, book } = await payingBuyer({ billingKey: true });
    await setGateway({ mode: "down" });
    const res = await client.wallet.charge.mutate({ amount: 5_000, idempotencyKey: key(), paymentMethod: billing });
    await gatewayUp();
    // a worker has just counted an attempt and sent the charge; the gateway has not received it yet
    await db().update(charges).set({ attempts: 1, lastAttemptAt: Date.now() }).where(eq(charges.id, res.charge.id));
    const early = await errorOf(admin.client.admin.charges.cancel.mutate({ chargeId: res.charge.id, reason: "취소" }));
    expect(early.code).toBe("CONFLICT");
    expect((await chargesOf(user.id))[0].status).toBe("deferred");
    expect((await balances(book, user.id)).charged).toBe(5_000);
    // long after the send, an order the gateway never saw was never charged: now it may be canceled
    await db()
      .update(charges)
      .set({ lastAttemptAt: Date.now() - 3_600_000 })
      .where(eq(charges.id, res.charge.id));
    await cancelsWithNothingLeft(admin, res.charge.id, book, user.id);
  });

  it("refuses to cancel while the gateway cannot say whether it charged", async () => {
    const admin = await newAdmin();
    const { client } = await payingBuyer({ billingKey: true });
    await setGateway({ mode: "timeout_after_success" });
    const res = await client.wallet.charge.mutate({ amount: 2_000, idempotencyKey: key(), paymentMethod: billing });
    await setGateway({ mode: "down" });
    const err = await errorOf(
      admin.client.admin.charges.cancel.mutate({ chargeId: res.charge.id, reason: "취소 시도" }),
    );
    expect(err.code).toBe("SERVICE_UNAVAILABLE");
  });
});
