import { env } from "cloudflare:workers";
import { TRPCClientError } from "@trpc/client";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notifications, users } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { addMonthsKst } from "../../worker/membership/calendar";
import { PLUS } from "../../worker/membership/config";
import { assertCanJoinNow } from "../../worker/membership/hooks";
import { cancelPlus, getPlus, isPlusActive, subscribePlus } from "../../worker/membership/plus";
import { recordCompletion } from "../../worker/membership/rewards";
import { platformAccount, userChargedAccount, userRewardAccount } from "../../worker/wallet/accounts";
import { insertUser } from "./fixtures";
import { errorOf, newBuyer } from "./helpers";
import { assertLedgerInvariants } from "./ledger-invariants";
import { balance, DAY, db, runCron, T0 } from "./membership-helpers";
import { buyerInBook, ensureRegion, fund, newBook } from "./wallet-helpers";

/** A user row (notifications need one) with a home region = a fresh book, and points. */
async function member(charged: number, reward = 0) {
  const book = newBook();
  await ensureRegion(book);
  const user = await insertUser(db(), "buyer", T0);
  await db().update(users).set({ homeRegionId: book }).where(eq(users.id, user.id));
  if (charged) await fund(user.id, book, charged, "charged", T0);
  if (reward) await fund(user.id, book, reward, "reward", T0);
  return { book, userId: user.id, user: { id: user.id, homeRegionId: book } };
}

const inbox = (userId: string) =>
  db().select().from(notifications).where(eq(notifications.userId, userId)).orderBy(notifications.id).all();

describe("membership.subscribe / cancel over the API", { timeout: 30_000 }, () => {
  it("pays 4,900 with reward points first, once per idempotency key", async () => {
    const { client, user, book } = await buyerInBook();
    await fund(user.id, book, 3_000, "reward");
    await fund(user.id, book, 10_000, "charged");
    const key = `plus-${newId()}`;
    const first = await client.membership.subscribe.mutate({ idempotencyKey: key });
    expect(first).toMatchObject({
      status: "active",
      autoRenew: true,
      paid: { amount: 4_900, fromReward: 3_000, fromCharged: 1_900 },
    });
    expect(await client.membership.subscribe.mutate({ idempotencyKey: key })).toEqual(first);
    expect(await balance(userChargedAccount(user.id, book))).toBe(8_100);
    expect(await balance(userRewardAccount(user.id, book))).toBe(0);
    expect(await balance(platformAccount("membership_revenue", book))).toBe(4_900);

    const again = await errorOf(client.membership.subscribe.mutate({ idempotencyKey: `plus-${newId()}` }));
    expect(again.code).toBe("CONFLICT");
    const summary = await client.membership.get.query();
    expect(summary.plus).toMatchObject({ status: "active", active: true, autoRenew: true, priceWon: 4_900 });
    await assertLedgerInvariants(db(), [book]);
  });

  it("cancel keeps Plus to the end of the period; subscribing again resumes renewal without paying", async () => {
    const { client, user, book } = await buyerInBook();
    await fund(user.id, book, 20_000, "charged");
    await client.membership.subscribe.mutate({ idempotencyKey: `plus-${newId()}` });
    const cancelled = await client.membership.cancel.mutate();
    expect(cancelled).toMatchObject({ status: "active", autoRenew: false });
    expect(await client.membership.cancel.mutate()).toEqual(cancelled); // repeat is harmless
    expect((await client.membership.get.query()).plus).toMatchObject({ active: true, autoRenew: false });
    const resumed = await client.membership.subscribe.mutate({ idempotencyKey: `plus-${newId()}` });
    expect(resumed).toMatchObject({ autoRenew: true, paid: null, periodEnd: cancelled.periodEnd });
    expect(await balance(userChargedAccount(user.id, book))).toBe(15_100);
  });

  it("refuses with typed errors: not enough points, no region, bad key, nothing to cancel", async () => {
    const { client, user, book } = await buyerInBook();
    await fund(user.id, book, 4_899, "charged");
    let e: unknown = await client.membership.subscribe.mutate({ idempotencyKey: `plus-${newId()}` }).catch((x) => x);
    expect(e).toBeInstanceOf(TRPCClientError);
    expect((e as TRPCClientError<never>).data).toMatchObject({
      code: "PRECONDITION_FAILED",
      details: { reason: "insufficient_points", shortfall: 1 },
    });
    expect(await balance(userChargedAccount(user.id, book))).toBe(4_899);
    expect(await getPlus(db(), user.id)).toBeUndefined();

    const bad = await errorOf(client.membership.subscribe.mutate({ idempotencyKey: "short" }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.zodError).toMatchObject({ fieldErrors: { idempotencyKey: expect.any(Array) } });
    expect((await errorOf(client.membership.cancel.mutate())).code).toBe("PRECONDITION_FAILED");

    const homeless = await newBuyer();
    e = await errorOf(homeless.client.membership.subscribe.mutate({ idempotencyKey: `plus-${newId()}` }));
    expect(e).toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringContaining("neighbourhood") });
  });
});

describe("Plus renewal by cron", { timeout: 30_000 }, () => {
  it("reminds 3 days before, then renews from points on the anniversary", async () => {
    const { book, userId, user } = await member(20_000);
    const { plus } = await subscribePlus(db(), user, T0);
    expect(plus.periodEnd).toBe(addMonthsKst(T0, 1));

    await runCron(plus.periodEnd - 3 * DAY - 60_000);
    expect(await inbox(userId)).toHaveLength(0);
    await runCron(plus.periodEnd - 2 * DAY);
    await runCron(plus.periodEnd - DAY);
    expect((await inbox(userId)).map((n) => [n.kind, n.params])).toEqual([
      ["membership.plus_renewal_soon", { renewsAt: plus.periodEnd, priceWon: 4_900, enoughPoints: true }],
    ]);

    await runCron(plus.periodEnd + 60_000);
    await runCron(plus.periodEnd + 120_000);
    const renewed = await getPlus(db(), userId);
    expect(renewed).toMatchObject({
      status: "active",
      periodNo: 2,
      periodStart: plus.periodEnd,
      periodEnd: addMonthsKst(T0, 2),
      autoRenew: true,
    });
    expect(await balance(userChargedAccount(userId, book))).toBe(20_000 - 2 * 4_900);
    expect(await balance(platformAccount("membership_revenue", book))).toBe(9_800);
    expect((await inbox(userId)).map((n) => n.kind)).toEqual([
      "membership.plus_renewal_soon",
      "membership.plus_renewed",
    ]);
    await assertLedgerInvariants(db(), [book]);
  });

  it("lapses with a notification when points fall short at renewal", async () => {
    const { book, userId, user } = await member(6_000);
    const { plus } = await subscribePlus(db(), user, T0);
    await runCron(plus.periodEnd - DAY);
    expect((await inbox(userId))[0]?.params).toMatchObject({ enoughPoints: false });
    await runCron(plus.periodEnd + 60_000);
    const row = await getPlus(db(), userId);
    expect(row).toMatchObject({ status: "lapsed", autoRenew: false, periodNo: 1 });
    expect(isPlusActive(row, plus.periodEnd + 60_000)).toBe(false);
    const lapse = (await inbox(userId)).find((n) => n.kind === "membership.plus_lapsed");
    expect(lapse?.params).toEqual({ priceWon: 4_900, shortfallWon: 3_800 });
    expect(await balance(userChargedAccount(userId, book))).toBe(1_100);

    // back with points: a fresh period, paid now
    await fund(userId, book, 5_000, "charged", T0);
    const later = plus.periodEnd + 10 * DAY;
    const again = await subscribePlus(db(), user, later);
    expect(again.plus).toMatchObject({
      status: "active",
      periodNo: 2,
      periodStart: later,
      periodEnd: addMonthsKst(later, 1),
    });
    expect(again.paid?.amount).toBe(4_900);
    await assertLedgerInvariants(db(), [book]);
  });

  it("a cancelled plan ends at the period end without charging or reminding", async () => {
    const { book, userId, user } = await member(20_000);
    const { plus } = await subscribePlus(db(), user, T0);
    await cancelPlus(db(), userId, T0 + DAY);
    await runCron(plus.periodEnd - DAY);
    await runCron(plus.periodEnd + 60_000);
    expect(await getPlus(db(), userId)).toMatchObject({ status: "ended", endedAt: plus.periodEnd });
    expect((await inbox(userId)).map((n) => n.kind)).toEqual(["membership.plus_ended"]);
    expect(await balance(userChargedAccount(userId, book))).toBe(15_100);
    expect((await cancelPlus(db(), userId, plus.periodEnd + DAY).catch((e) => e)).code).toBe("PRECONDITION_FAILED");
  });

  it("periods follow the anchor date (Jan 31 → Feb 28 → Mar 31), not a drifting step", async () => {
    const { userId, user } = await member(20_000);
    const jan31 = Date.UTC(2026, 0, 31, 1, 0); // 10:00 KST
    const { plus } = await subscribePlus(db(), user, jan31);
    expect(new Date(plus.periodEnd).toISOString()).toBe("2026-02-28T01:00:00.000Z");
    await runCron(plus.periodEnd + 60_000);
    expect(new Date((await getPlus(db(), userId))!.periodEnd).toISOString()).toBe("2026-03-31T01:00:00.000Z");
  });
});

describe("Plus benefits", { timeout: 30_000 }, () => {
  it("extra +2 % reward, capped at 5,000 won per Korean month", async () => {
    const { book, userId, user } = await member(10_000);
    await subscribePlus(db(), user, T0);
    const complete = (paid: number, at: number) =>
      recordCompletion(
        db(),
        { purchaseId: `p:${newId(at)}`, userId, book, groupBuyId: newId(at), gross: paid, discount: 0, paid },
        at,
      );
    // 새싹 0.5 % + Plus 2 %
    expect(await complete(200_000, T0 + 1)).toMatchObject({ reward: 1_000 + 4_000, bonus: 4_000 });
    expect(await complete(100_000, T0 + 2)).toMatchObject({ bonus: 1_000 }); // 2,000 capped to what is left
    expect(await complete(100_000, T0 + 3)).toMatchObject({ bonus: 0 });
    const nextMonth = addMonthsKst(T0, 1) - DAY; // still inside the paid period, in April KST
    expect(await complete(10_000, nextMonth)).toMatchObject({ bonus: 200 });
    const summary = await db().select().from(users).where(eq(users.id, userId)).get();
    expect(summary?.homeRegionId).toBe(book);
    await assertLedgerInvariants(db(), [book]);
  });

  it("early access: the first hour of a buy that chose it is for Plus members only", async () => {
    const plusMember = await member(10_000);
    await subscribePlus(db(), plusMember.user, T0);
    const regular = await member(10_000);
    const gb = { regionId: plusMember.book, openedAt: T0 + 1_000, plusEarlyAccess: true, now: T0 + 30 * 60_000 };
    await expect(assertCanJoinNow(env, { ...gb, userId: plusMember.userId })).resolves.toBeUndefined();
    const refused = await assertCanJoinNow(env, { ...gb, regionId: regular.book, userId: regular.userId }).catch(
      (e) => e,
    );
    expect(refused.code).toBe("PRECONDITION_FAILED");
    expect(refused.cause.details).toEqual({ reason: "plus_early_access", opensAt: gb.openedAt + PLUS.earlyAccessMs });
    await expect(
      assertCanJoinNow(env, {
        ...gb,
        regionId: regular.book,
        userId: regular.userId,
        now: gb.openedAt + PLUS.earlyAccessMs,
      }),
    ).resolves.toBeUndefined();
    await expect(
      assertCanJoinNow(env, { ...gb, plusEarlyAccess: false, regionId: regular.book, userId: regular.userId }),
    ).resolves.toBeUndefined();
  });
});
