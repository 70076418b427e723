import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { newId } from "../../worker/lib/ids";
import { sandboxGateway } from "../../worker/payments";
import { platformAccount, sellerPayableAvailableAccount } from "../../worker/wallet/accounts";
import { transfer } from "../../worker/wallet/ledger";
import { captureLogs } from "./card-scan";
import { db } from "./groupbuy-helpers";
import { availableToSeller, expectMoney, type Payee, payoutRun, payoutTransfers } from "./payout-helpers";

async function expectPaidOnce(payee: Payee) {
  const payouts = await expectMoney(payee, { available: 0, paid: 19_000 });
  const paid = payouts.filter((p) => p.status === "paid");
  expect(paid).toHaveLength(1);
  const gateway = await sandboxGateway(env).payoutsFor(paid[0].id);
  // sent to the seller as Toss registered them (their payout account), not to our user id
  const tossSeller = await sandboxGateway(env).sellerFor(payee.seller.id);
  expect(tossSeller?.id).toMatch(/^seller_/);
  expect(gateway).toEqual([
    { id: paid[0].gatewayRef, status: "COMPLETED", amount: 19_000, destination: tossSeller?.id },
  ]);
  expect(await payoutTransfers(paid[0].id)).toHaveLength(1);
  return paid[0];
}

describe("seller payouts through the gateway", { timeout: 30_000 }, () => {
  afterEach(async () => {
    await sandboxGateway(env).resetSwitches();
  });

  it("pays out through the gateway once; re-runs and two runs at once pay nothing twice", async () => {
    const payee = await availableToSeller();
    await Promise.all([payoutRun(), payoutRun()]);
    await payoutRun();
    const paid = await expectPaidOnce(payee);
    expect(paid).toMatchObject({ amount: 19_000, failureReason: null, gatewayRef: expect.stringMatching(/^po_/) });
    // a run that lost the race to claim the payables leaves no empty payout behind
    expect((await payee.seller.api.seller.payouts.query({})).payouts).toHaveLength(1);
  });

  it("a declined payout moves no point: it fails with the reason and the next batch pays the payables", async () => {
    const payee = await availableToSeller();
    await sandboxGateway(env).setSwitches({ mode: "decline" });
    await payoutRun();
    const [failed] = await expectMoney(payee, { available: 19_000, paid: 0 });
    expect(failed).toMatchObject({ status: "failed", failureReason: expect.stringContaining("REJECTED_PAYOUT") });
    expect(await payoutTransfers(failed.id)).toEqual([]);
    expect(await sandboxGateway(env).payoutsFor(failed.id)).toMatchObject([{ status: "FAILED" }]);
    await payoutRun(); // still declining: another failed payout, still nothing moved
    await expectMoney(payee, { available: 19_000, paid: 0 });

    await sandboxGateway(env).setSwitches({ mode: "up" });
    await payoutRun();
    const paid = await expectPaidOnce(payee);
    expect(paid.id).not.toBe(failed.id);
  });

  it("gateway down: the payout waits as requested with nothing moved, and is paid with the same key once it is up", async () => {
    const payee = await availableToSeller();
    await sandboxGateway(env).setSwitches({ mode: "down" });
    await payoutRun();
    const [waiting] = await expectMoney(payee, { available: 19_000, paid: 0 });
    expect(waiting).toMatchObject({
      status: "requested",
      failureReason: expect.stringContaining("SERVICE_UNAVAILABLE"),
    });
    expect(await sandboxGateway(env).payoutsFor(waiting.id)).toEqual([]);

    await sandboxGateway(env).setSwitches({ mode: "up" });
    await payoutRun();
    expect((await expectPaidOnce(payee)).id).toBe(waiting.id);
  });

  it("no answer in time after the gateway paid: the next run asks with the same key and records one payout", async () => {
    const payee = await availableToSeller();
    await sandboxGateway(env).setSwitches({ mode: "timeout_after_success" });
    await payoutRun();
    // the gateway has paid; we do not know yet, so nothing is recorded and nothing is sent again as a new payout
    const [unknown] = await expectMoney(payee, { available: 19_000, paid: 0 });
    expect(unknown).toMatchObject({ status: "requested", failureReason: expect.stringContaining("TIMEOUT") });
    expect(await sandboxGateway(env).payoutsFor(unknown.id)).toMatchObject([{ status: "COMPLETED" }]);

    await sandboxGateway(env).setSwitches({ mode: "up" });
    await payoutRun();
    await payoutRun();
    expect((await expectPaidOnce(payee)).id).toBe(unknown.id);
  });

  it("a payout still IN_PROGRESS at the gateway is looked up by its id later and paid once", async () => {
    const payee = await availableToSeller();
    await sandboxGateway(env).setSwitches({ mode: "slow", delayMs: 300 });
    await payoutRun();
    const [moving] = await expectMoney(payee, { available: 19_000, paid: 0 });
    expect(moving).toMatchObject({ status: "requested", gatewayRef: expect.stringMatching(/^po_/) });
    expect(moving.failureReason).toContain("IN_PROGRESS");

    await payoutRun(); // the lookup waits the 300 ms, by which time the bank transfer completed
    const paid = await expectPaidOnce(payee);
    expect(paid).toMatchObject({ id: moving.id, gatewayRef: moving.gatewayRef });
  });

  it("one seller whose payout the ledger refuses (it would overdraw) is held for an operator; the others are paid", async () => {
    const bad = await availableToSeller();
    const good = await availableToSeller();
    // the seller's ledger account is 1 won short of their payables (a drift the ledger's guard must catch)
    await transfer(db(), {
      id: `drift:${newId()}`,
      book: bad.region,
      debit: sellerPayableAvailableAccount(bad.seller.id, bad.region),
      credit: platformAccount("pg_clearing", bad.region),
      amount: 1,
      kind: "payout",
      now: Date.now(),
    });
    const logs = captureLogs();
    try {
      await payoutRun(); // threw at the overdraft, every day, before the fix: nobody after it was paid
      await payoutRun(); // the held one again (still refused), and nothing paid twice
    } finally {
      logs.restore();
    }
    await expectPaidOnce(good);
    const [held] = (await bad.seller.api.seller.payouts.query({})).payouts;
    expect(held).toMatchObject({
      status: "requested",
      failureReason: expect.stringMatching(/^Needs an operator: .*Not enough points/),
    });
    expect(await payoutTransfers(held.id)).toEqual([]);
    expect(logs.lines.some((l) => l.includes('"where":"runPayoutBatch"') && l.includes(held.id))).toBe(true);
  });
});
