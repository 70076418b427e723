import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { newId } from "../../worker/lib/ids";
import { getGateway } from "../../worker/payments";
import { placeHold } from "../../worker/wallet/holds";
import { errorOf } from "./helpers";
import { assertLedgerInvariants } from "./ledger-invariants";
import {
  balances,
  cardMethod,
  chargesOf,
  deliver,
  gatewayUp,
  key,
  payingBuyer,
  pg,
  setGateway,
  userMoneyRows,
  userRows,
} from "./payments-helpers";
import { db, fund } from "./wallet-helpers";

afterEach(gatewayUp);

type Buyer = Awaited<ReturnType<typeof payingBuyer>>;

async function chargeCard(buyer: Buyer, amount: number) {
  const method = cardMethod();
  const res = await buyer.client.wallet.charge.mutate({ amount, idempotencyKey: key(), paymentMethod: method });
  return { ...res.charge, orderId: method.orderId };
}

const gatewayOrder = async (orderId: string) => (await pg().ordersFor(orderId))[0];

describe("wallet.refund", () => {
  it("refunds to the original payments newest first, as partial cancels", async () => {
    const buyer = await payingBuyer();
    const a = await chargeCard(buyer, 10_000);
    const b = await chargeCard(buyer, 20_000);
    const c = await chargeCard(buyer, 5_000);
    const res = await buyer.client.wallet.refund.mutate({ amount: 22_000, idempotencyKey: key() });
    expect(res.refund).toMatchObject({ status: "succeeded", refunded: 22_000, pending: 0, failed: 0 });
    expect(res.refund.parts).toEqual([
      { chargeId: c.id, amount: 5_000, status: "succeeded" },
      { chargeId: b.id, amount: 17_000, status: "succeeded" },
    ]);
    expect(await gatewayOrder(c.orderId)).toMatchObject({ status: "CANCELED", balanceAmount: 0 });
    expect(await gatewayOrder(b.orderId)).toMatchObject({ status: "PARTIAL_CANCELED", balanceAmount: 3_000 });
    expect(await gatewayOrder(a.orderId)).toMatchObject({ status: "DONE", balanceAmount: 10_000 });
    expect(res.wallet).toMatchObject({ charged: 13_000, held: 0 });
    expect(await balances(buyer.book, buyer.user.id)).toMatchObject({ charged: 13_000, clearing: -13_000 });
    const refunded = Object.fromEntries((await chargesOf(buyer.user.id)).map((x) => [x.id, x.refundedAmount]));
    expect(refunded).toEqual({ [a.id]: 0, [b.id]: 17_000, [c.id]: 5_000 });
    const history = await buyer.client.wallet.history.query({ limit: 3 });
    expect(
      history.lines
        .filter((l) => l.kind === "refund" && l.delta < 0)
        .map((l) => l.delta)
        .sort(),
    ).toEqual([-17_000, -5_000]);
    // and the next refund continues with what is left
    const next = await buyer.client.wallet.refund.mutate({ amount: 13_000, idempotencyKey: key() });
    expect(next.refund.parts.map((p) => [p.chargeId, p.amount])).toEqual([
      [b.id, 3_000],
      [a.id, 10_000],
    ]);
    expect(next.wallet.charged).toBe(0);
    await assertLedgerInvariants();
  });

  it("a retry with the same key replays the refund; nothing is canceled twice", async () => {
    const buyer = await payingBuyer();
    const a = await chargeCard(buyer, 10_000);
    const input = { amount: 4_000, idempotencyKey: key() };
    const first = await buyer.client.wallet.refund.mutate(input);
    expect(await buyer.client.wallet.refund.mutate(input)).toEqual(first);
    expect(await gatewayOrder(a.orderId)).toMatchObject({ balanceAmount: 6_000 });
  });

  it("reward points and held points are not refundable", async () => {
    const buyer = await payingBuyer();
    await chargeCard(buyer, 10_000);
    await fund(buyer.user.id, buyer.book, 50_000, "reward");
    // a 51,000 hold takes all 50,000 reward points first, then 1,000 charged; a 5,000 one takes charged only
    await placeHold(db(), {
      holdId: `h-${newId()}`,
      userId: buyer.user.id,
      regionId: buyer.book,
      amount: 51_000,
      now: Date.now(),
    });
    await placeHold(db(), {
      holdId: `h-${newId()}`,
      userId: buyer.user.id,
      regionId: buyer.book,
      amount: 5_000,
      now: Date.now(),
    });
    const before = await userMoneyRows(buyer.user.id);
    const err = await errorOf(buyer.client.wallet.refund.mutate({ amount: 4_001, idempotencyKey: key() }));
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toMatch(/at most 4,000 won/);
    expect(await userMoneyRows(buyer.user.id)).toEqual(before);
    const ok = await buyer.client.wallet.refund.mutate({ amount: 4_000, idempotencyKey: key() });
    expect(ok.refund.status).toBe("succeeded");
    expect(ok.wallet).toMatchObject({ charged: 6_000, reward: 50_000, held: 56_000, available: 0 });
    await assertLedgerInvariants();
  });

  it("points granted on credit for an unpaid deferred charge are not refundable", async () => {
    const buyer = await payingBuyer({ billingKey: true });
    await chargeCard(buyer, 10_000);
    await setGateway({ mode: "down" });
    await buyer.client.wallet.charge.mutate({
      amount: 20_000,
      idempotencyKey: key(),
      paymentMethod: { type: "billingKey" },
    });
    await gatewayUp();
    const err = await errorOf(buyer.client.wallet.refund.mutate({ amount: 10_001, idempotencyKey: key() }));
    expect(err.message).toMatch(/at most 10,000 won/);
  });

  it("gateway down: the points wait as held, the queue cancels once (even delivered twice), then they are gone", async () => {
    const buyer = await payingBuyer();
    const a = await chargeCard(buyer, 10_000);
    await setGateway({ mode: "down" });
    const res = await buyer.client.wallet.refund.mutate({ amount: 7_000, idempotencyKey: key() });
    expect(res.refund).toMatchObject({ status: "pending", pending: 7_000 });
    expect(res.wallet).toMatchObject({ charged: 10_000, held: 7_000, available: 3_000 });
    const err = await errorOf(buyer.client.wallet.refund.mutate({ amount: 4_000, idempotencyKey: key() }));
    expect(err.message).toMatch(/at most 3,000 won/);

    const [part] = await db().query.refundParts.findMany({ where: (p, { eq }) => eq(p.refundId, res.refund.id) });
    const job = { body: { type: "refund.settle", partId: part.id, book: buyer.book } };
    expect((await deliver([job])).retryMessages).toHaveLength(1);
    await gatewayUp();
    await Promise.all([deliver([job]), deliver([job])]);
    await deliver([job]);
    expect(await gatewayOrder(a.orderId)).toMatchObject({ balanceAmount: 3_000 });
    expect(await buyer.client.wallet.get.query()).toMatchObject({ charged: 3_000, held: 0 });
    await assertLedgerInvariants();
  });

  it("a cancel the gateway refuses returns the points and says so", async () => {
    const buyer = await payingBuyer();
    const a = await chargeCard(buyer, 10_000);
    // canceled behind our back (e.g. in the gateway's console)
    const paid = await getGateway(env).getPaymentByOrderId(a.orderId);
    if (paid.kind !== "ok" || !paid.value) throw new Error("no payment");
    await getGateway(env).cancel({
      paymentKey: paid.value.paymentKey,
      cancelAmount: 10_000,
      cancelReason: "console",
      idempotencyKey: newId(),
    });
    const err = await errorOf(buyer.client.wallet.refund.mutate({ amount: 5_000, idempotencyKey: key() }));
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toMatch(/refused the refund/);
    expect(await buyer.client.wallet.get.query()).toMatchObject({ charged: 10_000, held: 0 });
    expect((await chargesOf(buyer.user.id))[0].refundedAmount).toBe(0);
    await assertLedgerInvariants();
  });

  it("bad amounts are refused with BAD_REQUEST and nothing written", async () => {
    const buyer = await payingBuyer();
    await chargeCard(buyer, 10_000);
    const before = await userRows(buyer.user.id);
    for (const amount of [0, -1, 1.5, "1000", null, 10_000_001]) {
      const err = await errorOf(buyer.client.wallet.refund.mutate({ amount: amount as number, idempotencyKey: key() }));
      expect(err.code, String(amount)).toBe("BAD_REQUEST");
    }
    expect(await userRows(buyer.user.id)).toEqual(before);
    const nothing = await payingBuyer();
    expect((await errorOf(nothing.client.wallet.refund.mutate({ amount: 1, idempotencyKey: key() }))).message).toMatch(
      /Nothing is refundable/,
    );
  });
});
