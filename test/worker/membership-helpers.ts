import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { getDb } from "../../worker/db/client";
import { users } from "../../worker/db/schema";
import worker from "../../worker/index";
import { newId } from "../../worker/lib/ids";
import { discountForJoin, discountHoldMeta, fundJoinDiscount } from "../../worker/membership/discount";
import { type Purchase, purchaseFromHold } from "../../worker/membership/rewards";
import { balanceOf, escrowAccount } from "../../worker/wallet/accounts";
import { type Hold, placeHold, postHold } from "../../worker/wallet/holds";
import { getAccounts } from "../../worker/wallet/ledger";
import { insertUser } from "./fixtures";
import { ensureRegion, fund } from "./wallet-helpers";

export const DAY = 86_400_000;
/** 2026-03-10 12:00 KST: a fixed clock far from month ends unless a test moves it. */
export const T0 = Date.UTC(2026, 2, 10, 3, 0, 0);

export const db = () => getDb(env);

/**
 * A user funded with charged points in `book`. With a users row, though the ledger needs none: membership notices do
 * (notifications.user_id), and the monthly recalculation of membership-tiers.test.ts notifies every status row of the
 * shared runtime that it changes, this file's too.
 */
export async function fundedUser(book: string, charged: number, reward = 0, now = T0) {
  const userId = (await insertUser(db(), "buyer", now)).id;
  if (charged) await fund(userId, book, charged, "charged", now);
  if (reward) await fund(userId, book, reward, "reward", now);
  return userId;
}

/** Gives a signed-in caller a home region (the fixture region) and points, so paid procedures can succeed. */
export async function giveHomeAndPoints(userId: string, regionId: string, charged: number) {
  await ensureRegion(regionId);
  await getDb(env).update(users).set({ homeRegionId: regionId }).where(eq(users.id, userId));
  if (charged) await fund(userId, regionId, charged, "charged");
}

/**
 * One join the way the group-buy flow does it: tier discount quoted, hold of the net price into escrow with the
 * discount on the hold, captured, discount paid into escrow. Returns the posted hold and its purchase.
 */
export async function joinAndCapture(
  book: string,
  userId: string,
  gross: number,
  now: number,
  groupBuyId = newId(now),
): Promise<{ hold: Hold; purchase: Purchase; groupBuyId: string }> {
  const quote = await discountForJoin(db(), userId, gross, now);
  const holdId = `join:${groupBuyId}:${userId}:${newId(now)}`;
  await placeHold(db(), {
    holdId,
    userId,
    regionId: book,
    amount: quote.net,
    toAccount: escrowAccount(groupBuyId, book),
    meta: discountHoldMeta(quote),
    now,
  });
  const hold = await postHold(db(), { holdId, now });
  await fundJoinDiscount(db(), hold, groupBuyId, now);
  return { hold, purchase: purchaseFromHold(hold, groupBuyId), groupBuyId };
}

/** Posted balance (credits − debits) of a ledger account. */
export async function balance(ref: { id: string }): Promise<number> {
  const [row] = await getAccounts(db(), [ref.id]);
  return balanceOf(row).balance;
}

/** Runs the worker's scheduled handler at a chosen instant. */
export async function runCron(at: number, cron = "*/5 * * * *") {
  const ctx = createExecutionContext();
  await worker.scheduled!(createScheduledController({ scheduledTime: at, cron }), env, ctx);
  await waitOnExecutionContext(ctx);
}
