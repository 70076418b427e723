import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import type { RouterInputs } from "../../shared/sdk";
import { ledgerTransfers } from "../../worker/db/schema";
import { PAYABLE_HOLD_MS } from "../../worker/groupbuy/config";
import { releaseDuePayables, runPayoutBatch } from "../../worker/groupbuy/payouts";
import { platformAccount, sellerPayableAvailableAccount } from "../../worker/wallet/accounts";
import { getAccounts } from "../../worker/wallet/ledger";
import {
  type Api,
  buyInput,
  db,
  filledBuy,
  gbRow,
  invariants,
  key,
  newProduct,
  newResident,
  type Person,
  until,
  untilSettled,
  untilStatus,
} from "./groupbuy-helpers";

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

/** A 4-share buy of `seller` in `region`, filled by two buyers, picked up and settled to the seller's payable. */
export async function completedBuyOf(seller: Person, region: string, totalPrice: number) {
  const product = await newProduct(seller, { totalPrice });
  const input = buyInput(product.id, region, { totalShares: 4, minShares: 2, maxPerPerson: 2 });
  const { groupBuy } = await seller.api.groupBuys.create.mutate(input);
  const buyers = [await newResident(region, totalPrice), await newResident(region, totalPrice)];
  for (const b of buyers) await b.api.groupBuys.join.mutate({ id: groupBuy.id, shares: 2, idempotencyKey: key() });
  await untilStatus(groupBuy.id, "FILLED");
  await untilSettled(groupBuy.id, "posted");
  await seller.api.groupBuys.markOrdered.mutate({ id: groupBuy.id });
  await seller.api.groupBuys.markReady.mutate({ id: groupBuy.id });
  for (const b of buyers) await b.api.groupBuys.confirmPickup.mutate({ id: groupBuy.id });
  await until("escrow settled to the seller", async () => (await gbRow(groupBuy.id))?.settledAt);
  return groupBuy.id;
}
