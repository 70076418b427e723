import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { errorOf } from "./helpers";
import { assertLedgerInvariants } from "./ledger-invariants";
import { balances, cardMethod, chargesOf, gatewayUp, key, payingBuyer, pg, setGateway } from "./payments-helpers";

afterEach(gatewayUp);

describe("wallet.charge", () => {
  it("a card payment: points appear at once, PG clearing owes them, one order at the gateway", async () => {
    const { client, user, book } = await payingBuyer();
    const method = cardMethod();
    const res = await client.wallet.charge.mutate({ amount: 10_000, idempotencyKey: key(), paymentMethod: method });
    expect(res.charge).toMatchObject({ status: "succeeded", amount: 10_000, method: "card", deferred: false });
    expect(res.wallet).toMatchObject({ charged: 10_000, available: 10_000 });
    expect(await client.wallet.get.query()).toMatchObject({ charged: 10_000, pendingCharges: 0 });
    expect(await balances(book, user.id)).toEqual({ charged: 10_000, clearing: -10_000, receivable: 0 });
    expect(await pg().ordersFor(method.orderId)).toEqual([
      expect.objectContaining({ status: "DONE", totalAmount: 10_000 }),
    ]);
    const history = await client.wallet.history.query({ limit: 5 });
    expect(history.lines[0]).toMatchObject({ kind: "charge", delta: 10_000 });
    await assertLedgerInvariants();
  });

  it("a registered card (billing key) charges the same way", async () => {
    const { client, user, book } = await payingBuyer({ billingKey: true });
    const res = await client.wallet.charge.mutate({
      amount: 3_000,
      idempotencyKey: key(),
      paymentMethod: { type: "billingKey" },
    });
    expect(res.charge.status).toBe("succeeded");
    expect((await balances(book, user.id)).charged).toBe(3_000);
    await assertLedgerInvariants();
  });

  it("a retry with the same key returns the first result and charges once", async () => {
    const { client, user } = await payingBuyer();
    const input = { amount: 5_000, idempotencyKey: key(), paymentMethod: cardMethod() };
    const first = await client.wallet.charge.mutate(input);
    const again = await client.wallet.charge.mutate(input);
    expect(again).toEqual(first);
    expect(await chargesOf(user.id)).toHaveLength(1);
    const other = await errorOf(client.wallet.charge.mutate({ ...input, amount: 6_000 }));
    expect(other.code).toBe("CONFLICT");
  });

  it("a declined card: PAYMENT_REQUIRED, nothing granted, replayed as the same error", async () => {
    const { client, user, book } = await payingBuyer();
    await setGateway({ mode: "decline" });
    const input = { amount: 5_000, idempotencyKey: key(), paymentMethod: cardMethod() };
    const err = await errorOf(client.wallet.charge.mutate(input));
    expect(err.code).toBe("PAYMENT_REQUIRED");
    expect(err.message).toMatch(/declined/);
    expect(await errorOf(client.wallet.charge.mutate(input))).toEqual(err);
    expect(await balances(book, user.id)).toEqual({ charged: 0, clearing: 0, receivable: 0 });
    expect((await chargesOf(user.id))[0]).toMatchObject({ status: "failed", lastErrorCode: "REJECT_CARD_PAYMENT" });
    await assertLedgerInvariants();
  });

  it("a card payment while the gateway is down: SERVICE_UNAVAILABLE, nothing charged", async () => {
    const { client, user, book } = await payingBuyer();
    await setGateway({ mode: "down" });
    const err = await errorOf(
      client.wallet.charge.mutate({ amount: 5_000, idempotencyKey: key(), paymentMethod: cardMethod() }),
    );
    expect(err.code).toBe("SERVICE_UNAVAILABLE");
    expect(err.message).toMatch(/Register a card/);
    expect((await balances(book, user.id)).charged).toBe(0);
  });

  it("needs a neighbourhood (wallet book)", async () => {
    const { client } = await import("./helpers").then((h) => h.newBuyer());
    const err = await errorOf(
      client.wallet.charge.mutate({ amount: 1_000, idempotencyKey: key(), paymentMethod: cardMethod() }),
    );
    expect(err.code).toBe("PRECONDITION_FAILED");
  });

  it("gives env a sandbox in tests", () => {
    expect(env.PG_MODE).toBe("sandbox");
  });
});
