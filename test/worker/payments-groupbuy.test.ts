import { afterEach, describe, expect, it } from "vitest";
import { key as gbKey, newResident, openBuy } from "./groupbuy-helpers";
import { errorOf } from "./helpers";
import { assertLedgerInvariants } from "./ledger-invariants";
import { cardMethod, chargesOf, deliver, gatewayUp, key, setGateway, settleBody } from "./payments-helpers";

afterEach(gatewayUp);

describe("a declined deferred charge and group buys", () => {
  it("points on credit can join; after the decline the spent part is a debt that blocks joining until repaid", async () => {
    const { gb, region } = await openBuy({ maxPerPerson: 5 });
    const buyer = await newResident(region, 0);
    await buyer.api.payments.registerBillingKey.mutate({ authKey: `auth_${gbKey()}`, consent: "billing-v1" });
    await setGateway({ mode: "down" });
    const res = await buyer.api.wallet.charge.mutate({
      amount: 20_000,
      idempotencyKey: key(),
      paymentMethod: { type: "billingKey" },
    });
    expect(res.charge.status).toBe("deferred");
    await buyer.api.groupBuys.join.mutate({ id: gb.id, shares: 3, idempotencyKey: gbKey() }); // 15,000 held

    await setGateway({ mode: "decline" });
    await deliver([{ body: settleBody({ id: res.charge.id, book: region }) }]);
    const [charge] = await chargesOf(buyer.id);
    expect(charge).toMatchObject({ status: "clawed_back", debtAmount: 15_000 });
    expect(await buyer.api.wallet.get.query()).toMatchObject({ charged: 15_000, held: 15_000, available: 0 });

    const blocked = await errorOf(buyer.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: gbKey() }));
    expect(blocked.code).toBe("PRECONDITION_FAILED");
    expect(blocked.message).toMatch(/declined card charge/);

    await gatewayUp();
    const paid = await buyer.api.wallet.charge.mutate({
      amount: 20_000,
      idempotencyKey: key(),
      paymentMethod: cardMethod(),
    });
    expect(paid.wallet).toMatchObject({ charged: 20_000, held: 15_000, available: 5_000 });
    await buyer.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: gbKey() });
    await assertLedgerInvariants();
  });
});
