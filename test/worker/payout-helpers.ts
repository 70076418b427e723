import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import type { RouterInputs } from "../../shared/sdk";
import { ledgerTransfers } from "../../worker/db/schema";
import { PAYABLE_HOLD_MS } from "../../worker/groupbuy/config";
import { releaseDuePayables, runPayoutBatch } from "../../worker/groupbuy/payouts";
import { platformAccount, sellerPayableAvailableAccount } from "../../worker/wallet/accounts";
import { getAccounts } from "../../worker/wallet/ledger";
import { type Api, db, filledBuy, gbRow, invariants, until } from "./groupbuy-helpers";

/** A valid 정산 계좌 (individual seller); override fields per test. */
export const ACCOUNT: RouterInputs["seller"]["payoutAccount"]["save"] = {
  businessType: "INDIVIDUAL",
  name: "김판매",
  email: "seller@example.com",
  phone: "010-1234-5678",
  bankCode: "088",
  accountNumber: "110-123-456789",
  holderName: "김판매",
};

/** The seller registers their payout account (through the API, so through the adapter's JWE and the sandbox). */
export const registerAccount = (seller: { api: Api }, overrides: Partial<typeof ACCOUNT> = {}) =>
  seller.api.seller.payoutAccount.save.mutate({ ...ACCOUNT, ...overrides });

/**
 * The 20,000-won buy completed and its 19,000 won (gross − 5 % fee) released to the seller: available to pay out.
 * `account: false` leaves the seller without a payout account.
 */
export async function availableToSeller(opts: { account?: boolean } = {}) {
  const { region, gb, seller, a, b } = await filledBuy();
  if (opts.account !== false) await registerAccount(seller);
  await seller.api.groupBuys.markOrdered.mutate({ id: gb.id });
  await seller.api.groupBuys.markReady.mutate({ id: gb.id });
  for (const p of [a, b]) await p.api.groupBuys.confirmPickup.mutate({ id: gb.id });
  await until("escrow settled to the seller", async () => (await gbRow(gb.id))?.settledAt);
  await releaseDuePayables(env, Date.now() + PAYABLE_HOLD_MS + 60_000);
  const payee = { seller, region, clearing: await balance(platformAccount("pg_clearing", region).id) };
  await expectMoney(payee, { available: 19_000, paid: 0 });
  return payee;
}

export type Payee = Awaited<ReturnType<typeof availableToSeller>>;

export const payoutRun = () => runPayoutBatch(env, Date.now() + PAYABLE_HOLD_MS + 120_000);

export async function balance(id: string) {
  const [row] = await getAccounts(db(), [id]);
  return row ? row.creditsPosted - row.debitsPosted : 0;
}

/** What the seller sees and what the ledger says agree: available/paid in seller.payouts = the ledger's accounts. */
export async function expectMoney({ seller, region, clearing }: Payee, money: { available: number; paid: number }) {
  const listed = await seller.api.seller.payouts.query({});
  expect(listed.totals).toEqual({ pending: 0, ...money });
  expect(await balance(sellerPayableAvailableAccount(seller.id, region).id)).toBe(money.available);
  // money leaves through the gateway: a payout credits PG clearing with exactly what was paid
  expect(await balance(platformAccount("pg_clearing", region).id)).toBe(clearing + money.paid);
  await invariants(region);
  return listed.payouts;
}

export function payoutTransfers(payoutId: string) {
  return db()
    .select()
    .from(ledgerTransfers)
    .where(eq(ledgerTransfers.reference, `payout:${payoutId}`))
    .all();
}
