import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { charges, notifications } from "../../worker/db/schema";
import { hasOutstandingDebt } from "../../worker/wallet/charges";
import { captureLogs, captureQueueSends } from "./card-scan";
import { errorOf } from "./helpers";
import { assertLedgerInvariants } from "./ledger-invariants";
import {
  balances,
  cancelAtGateway,
  cardMethod,
  chargeByCard,
  chargesOf,
  deliver,
  gatewayUp,
  key,
  owingAfterDecline,
  payingBuyer,
  pg,
  setGateway,
  settleBody,
} from "./payments-helpers";
import { db } from "./wallet-helpers";

afterEach(gatewayUp);

const billing = { type: "billingKey" as const };

async function notificationsOf(userId: string) {
  return db().select().from(notifications).where(eq(notifications.userId, userId)).all();
}

describe("deferred charging while the gateway is down", () => {
  it("grants points at once with a billing key; the queue charges later exactly once under duplicate delivery", async () => {
    const { client, user, book } = await payingBuyer({ billingKey: true });
    await setGateway({ mode: "down" });
    const sends = captureQueueSends();
    let res: Awaited<ReturnType<typeof client.wallet.charge.mutate>>;
    try {
      res = await client.wallet.charge.mutate({ amount: 20_000, idempotencyKey: key(), paymentMethod: billing });
    } finally {
      sends.restore();
    }
    expect(res.charge).toMatchObject({ status: "deferred", deferred: true });
    expect(res.wallet).toMatchObject({ charged: 20_000, available: 20_000 });
    expect(await balances(book, user.id)).toEqual({ charged: 20_000, clearing: 0, receivable: -20_000 });
    expect(await client.wallet.get.query()).toMatchObject({ pendingCharges: 20_000 });
    const pending = await client.wallet.pendingCharges.query();
    // points on credit are not refundable until the card is charged
    expect(pending).toMatchObject({ deferredOutstanding: 20_000, debt: 0, deferredCap: 100_000, refundable: 0 });
    expect(pending.recent).toEqual([]);
    expect(pending.items).toEqual([expect.objectContaining({ id: res.charge.id, status: "deferred" })]);
    const job = settleBody({ id: res.charge.id, book });
    expect(sends.bodies).toEqual([job]);

    // still down: the consumer backs off exponentially (3rd attempt → 20 s) and retries
    const logs = captureLogs();
    let whileDown: Awaited<ReturnType<typeof deliver>>;
    try {
      whileDown = await deliver([{ id: "d-1", body: job, attempts: 3 }]);
    } finally {
      logs.restore();
    }
    expect(whileDown.explicitAcks).toEqual([]);
    expect(whileDown.retryMessages.map((m) => m.msgId)).toEqual(["d-1"]);
    expect(logs.lines.some((l) => l.includes('"delaySeconds":20'))).toBe(true);

    await gatewayUp();
    // the same message delivered twice at once, then once more
    const [first] = await Promise.all([deliver([{ id: "d-1", body: job }]), deliver([{ id: "d-1", body: job }])]);
    expect(first.explicitAcks.length + first.retryMessages.length).toBe(1);
    const again = await deliver([{ id: "d-1", body: job }]);
    expect(again.explicitAcks).toEqual(["d-1"]);

    const [charge] = await chargesOf(user.id);
    expect(charge).toMatchObject({ status: "succeeded", deferred: 1, debtAmount: 0 });
    expect(await pg().ordersFor(charge.orderId)).toHaveLength(1);
    expect(await balances(book, user.id)).toEqual({ charged: 20_000, clearing: -20_000, receivable: 0 });
    const after = await client.wallet.pendingCharges.query();
    expect(after.items).toEqual([]);
    // the user who watched it pending sees how it ended, and the paid points are now refundable
    expect(after.recent).toEqual([expect.objectContaining({ id: res.charge.id, status: "succeeded", deferred: true })]);
    expect(after.refundable).toBe(20_000);
    expect((await notificationsOf(user.id)).map((n) => n.kind)).toEqual(["wallet.charge_paid"]);
    await assertLedgerInvariants();
  });

  it("a decline after recovery claws the points back; what was spent becomes a debt that blocks and is repaid", async () => {
    const { client, user, book } = await owingAfterDecline();
    const [charge] = await chargesOf(user.id);
    expect(charge).toMatchObject({ status: "clawed_back", debtAmount: 25_000, lastErrorCode: "REJECT_CARD_PAYMENT" });
    expect(await balances(book, user.id)).toEqual({ charged: 0, clearing: 0, receivable: -25_000 });
    expect(await hasOutstandingDebt(db(), user.id)).toBe(true);
    expect(await client.wallet.pendingCharges.query()).toMatchObject({ debt: 25_000 });
    const [notice] = await notificationsOf(user.id);
    expect(notice).toMatchObject({ kind: "wallet.charge_declined", params: { clawedBackWon: 5_000, debtWon: 25_000 } });

    // no more credit while owing
    await setGateway({ mode: "down" });
    const refused = await errorOf(
      client.wallet.charge.mutate({ amount: 1_000, idempotencyKey: key(), paymentMethod: billing }),
    );
    expect(refused.code).toBe("PRECONDITION_FAILED");
    expect(refused.message).toMatch(/unpaid/);

    // a paid charge repays the debt first
    const paid = await chargeByCard(client, 30_000);
    expect(paid.wallet.charged).toBe(5_000);
    expect(await hasOutstandingDebt(db(), user.id)).toBe(false);
    expect(await balances(book, user.id)).toEqual({ charged: 5_000, clearing: -30_000, receivable: 0 });
    await assertLedgerInvariants();
  });

  it("two paid charges settling at once repay a debt once, not once each", async () => {
    const { client, user, book } = await owingAfterDecline();
    expect((await chargesOf(user.id))[0]).toMatchObject({ status: "clawed_back", debtAmount: 25_000 });

    await gatewayUp();
    const paid = await Promise.all(
      [1, 2].map(() =>
        client.wallet.charge.mutate({ amount: 30_000, idempotencyKey: key(), paymentMethod: cardMethod() }),
      ),
    );
    expect(paid.map((p) => p.charge.status)).toEqual(["succeeded", "succeeded"]);
    expect(await hasOutstandingDebt(db(), user.id)).toBe(false);
    // 60,000 paid, 25,000 of it repays the debt: 35,000 left, and the receivable is back at zero (not overpaid)
    expect(await balances(book, user.id)).toEqual({ charged: 35_000, clearing: -60_000, receivable: 0 });
    await assertLedgerInvariants();
  });

  it("refuses credit without a current neighbourhood verification, and beyond the cap", async () => {
    const unverified = await payingBuyer({ billingKey: true, verified: false });
    const { client, user, book } = await payingBuyer({ billingKey: true });
    await setGateway({ mode: "down" });
    const err = await errorOf(
      unverified.client.wallet.charge.mutate({ amount: 1_000, idempotencyKey: key(), paymentMethod: billing }),
    );
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toMatch(/verification/);
    expect((await balances(unverified.book, unverified.user.id)).charged).toBe(0);

    await client.wallet.charge.mutate({ amount: 60_000, idempotencyKey: key(), paymentMethod: billing });
    const over = await errorOf(
      client.wallet.charge.mutate({ amount: 50_000, idempotencyKey: key(), paymentMethod: billing }),
    );
    expect(over.code).toBe("PRECONDITION_FAILED");
    expect(over.message).toMatch(/40,000 won more/);
    await client.wallet.charge.mutate({ amount: 40_000, idempotencyKey: key(), paymentMethod: billing });
    expect((await balances(book, user.id)).charged).toBe(100_000);
    // concurrent requests cannot exceed the cap together
    const racers = await Promise.allSettled(
      [1, 2, 3].map(() =>
        client.wallet.charge.mutate({ amount: 1_000, idempotencyKey: key(), paymentMethod: billing }),
      ),
    );
    expect(racers.every((r) => r.status === "rejected")).toBe(true);
    expect((await balances(book, user.id)).charged).toBe(100_000);
    await assertLedgerInvariants();
  });

  it("an order the gateway never saw is sent again with the same orderId once the grace period is over", async () => {
    const { client, user, book } = await payingBuyer({ billingKey: true });
    await setGateway({ mode: "down" });
    const res = await client.wallet.charge.mutate({ amount: 2_000, idempotencyKey: key(), paymentMethod: billing });
    // as if a worker counted an attempt and died before its request left
    await db().update(charges).set({ attempts: 1, lastAttemptAt: Date.now() }).where(eq(charges.id, res.charge.id));
    await gatewayUp();
    const early = await deliver([{ body: settleBody({ id: res.charge.id, book }) }]);
    expect(early.retryMessages).toHaveLength(1);
    expect((await chargesOf(user.id))[0].status).toBe("deferred");
    await db()
      .update(charges)
      .set({ lastAttemptAt: Date.now() - 3_600_000 })
      .where(eq(charges.id, res.charge.id));
    const late = await deliver([{ body: settleBody({ id: res.charge.id, book }) }]);
    expect(late.explicitAcks).toHaveLength(1);
    const [charge] = await chargesOf(user.id);
    expect(charge).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(await pg().ordersFor(charge.orderId)).toHaveLength(1);
    await assertLedgerInvariants();
  });
});

describe("unknown outcomes", () => {
  it("timeout after success: the charge waits as unknown, the lookup settles it, never charged twice", async () => {
    const { client, user, book } = await payingBuyer({ billingKey: true });
    await setGateway({ mode: "timeout_after_success" });
    const input = { amount: 7_000, idempotencyKey: key(), paymentMethod: billing };
    const res = await client.wallet.charge.mutate(input);
    expect(res.charge.status).toBe("unknown");
    expect(res.wallet.charged).toBe(0);
    // the client retries the same request: same answer, no second gateway call
    expect(await client.wallet.charge.mutate(input)).toEqual(res);

    const job = { body: settleBody({ id: res.charge.id, book }) };
    await deliver([job]);
    await deliver([job]);
    const [charge] = await chargesOf(user.id);
    expect(charge.status).toBe("succeeded");
    expect(charge.attempts).toBe(1);
    expect(await pg().ordersFor(charge.orderId)).toHaveLength(1);
    expect(await balances(book, user.id)).toEqual({ charged: 7_000, clearing: -7_000, receivable: 0 });
    expect((await notificationsOf(user.id)).map((n) => n.kind)).toEqual(["wallet.charge_paid"]);
    await assertLedgerInvariants();
  });

  it("timeout after success on a deferred charge: the next delivery looks it up instead of charging again", async () => {
    const { client, user, book } = await payingBuyer({ billingKey: true });
    await setGateway({ mode: "down" });
    const res = await client.wallet.charge.mutate({ amount: 4_000, idempotencyKey: key(), paymentMethod: billing });
    await setGateway({ mode: "timeout_after_success" });
    const job = { body: settleBody({ id: res.charge.id, book }) };
    expect((await deliver([job])).retryMessages).toHaveLength(1);
    expect((await deliver([job])).explicitAcks).toHaveLength(1);
    const [charge] = await chargesOf(user.id);
    expect(charge).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(await pg().ordersFor(charge.orderId)).toHaveLength(1);
    expect(await balances(book, user.id)).toEqual({ charged: 4_000, clearing: -4_000, receivable: 0 });
    await assertLedgerInvariants();
  });

  it("a payment refunded at the gateway before the lookup settles the unknown charge as failed, granting nothing", async () => {
    const { client, user, book } = await payingBuyer({ billingKey: true });
    await setGateway({ mode: "timeout_after_success" });
    const res = await client.wallet.charge.mutate({ amount: 3_000, idempotencyKey: key(), paymentMethod: billing });
    expect(res.charge.status).toBe("unknown");
    await gatewayUp();
    await cancelAtGateway(res.charge.orderId);
    expect((await deliver([{ body: settleBody({ id: res.charge.id, book }) }])).explicitAcks).toHaveLength(1);
    expect((await chargesOf(user.id))[0]).toMatchObject({ status: "failed", lastErrorCode: "CANCELED" });
    expect(await balances(book, user.id)).toEqual({ charged: 0, clearing: 0, receivable: 0 });
    await assertLedgerInvariants();
  });

  it("slow beyond the timeout: unknown while the gateway says IN_PROGRESS, settled when it is DONE", async () => {
    const { client, user, book } = await payingBuyer({ billingKey: true });
    // held until answered below (not a short delay that a loaded machine could outlast before the first delivery)
    await setGateway({ mode: "slow", delayMs: 30_000 });
    const res = await client.wallet.charge.mutate({ amount: 1_000, idempotencyKey: key(), paymentMethod: billing });
    expect(res.charge.status).toBe("unknown");
    await gatewayUp();
    const job = { body: settleBody({ id: res.charge.id, book }) };
    expect((await deliver([job])).retryMessages).toHaveLength(1);
    // ≥ 1: the queue's own deliveries of earlier tests' charges may be held by the slow switch too
    expect(await pg().answerSlowCharges()).toBeGreaterThanOrEqual(1);
    // redelivered (as the queue would) until the gateway's DONE
    await expect
      .poll(async () => (await deliver([job])).explicitAcks, { timeout: 10_000, interval: 50 })
      .toHaveLength(1);
    expect((await chargesOf(user.id))[0].status).toBe("succeeded");
    expect((await balances(book, user.id)).charged).toBe(1_000);
    await assertLedgerInvariants();
  });
});
