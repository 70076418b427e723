import { env } from "cloudflare:workers";
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { ErrorDetails } from "../../worker/lib/errors";
import { newId } from "../../worker/lib/ids";
import { escrowAccount, userChargedAccount, userRewardAccount } from "../../worker/wallet/accounts";
import { getHold, placeHold, postHold, sweepExpiredHolds, voidHold } from "../../worker/wallet/holds";
import { getAccounts } from "../../worker/wallet/ledger";
import { walletSummary } from "../../worker/wallet/wallet";
import { countingD1, D1_MAX_BOUND_PARAMS } from "./d1-counter";
import { assertLedgerInvariants } from "./ledger-invariants";
import { db, fund, newBook } from "./wallet-helpers";

async function caught(p: Promise<unknown>): Promise<TRPCError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TRPCError) return e;
    throw e;
  }
  throw new Error("expected a TRPCError");
}

async function setup(charged: number, reward = 0) {
  const book = newBook();
  const userId = newId();
  if (charged) await fund(userId, book, charged, "charged");
  if (reward) await fund(userId, book, reward, "reward");
  return { book, userId, now: Date.now() };
}

describe("holds", () => {
  it("reserves points, then captures them into escrow exactly once", async () => {
    const { book, userId, now } = await setup(10_000);
    const gb = newId();
    const holdId = `join:${gb}:${userId}`;
    const hold = await placeHold(db(), {
      holdId,
      userId,
      regionId: book,
      amount: 3_000,
      reference: `groupbuy:${gb}`,
      now,
    });
    expect(hold).toMatchObject({ status: "pending", amount: 3_000, fromCharged: 3_000, fromReward: 0 });
    expect(await walletSummary(db(), userId, book)).toMatchObject({ charged: 10_000, held: 3_000, available: 7_000 });

    const posted = await postHold(db(), { holdId, toAccount: escrowAccount(gb, book), now: now + 1 });
    expect(posted).toMatchObject({ status: "posted", capturedAmount: 3_000 });
    // a retry returns the same posted hold and moves nothing
    expect(await postHold(db(), { holdId, toAccount: escrowAccount(gb, book), now: now + 2 })).toEqual(posted);
    expect(await walletSummary(db(), userId, book)).toMatchObject({ charged: 7_000, held: 0, available: 7_000 });
    const [escrow] = await getAccounts(db(), [escrowAccount(gb, book).id]);
    expect(escrow.creditsPosted - escrow.debitsPosted).toBe(3_000);
    // settled: cannot be released or captured for another amount
    expect((await caught(voidHold(db(), { holdId, now }))).code).toBe("PRECONDITION_FAILED");
    expect((await caught(postHold(db(), { holdId, amount: 1_000, now }))).code).toBe("CONFLICT");
    await assertLedgerInvariants(db(), [book]);
  });

  it("captures a smaller amount and releases the rest", async () => {
    const { book, userId, now } = await setup(5_000);
    const gb = newId();
    const holdId = `join:${newId()}`;
    await placeHold(db(), { holdId, userId, regionId: book, amount: 5_000, toAccount: escrowAccount(gb, book), now });
    const posted = await postHold(db(), { holdId, amount: 1_200, now });
    expect(posted).toMatchObject({ status: "posted", capturedAmount: 1_200, amount: 5_000 });
    expect(await walletSummary(db(), userId, book)).toMatchObject({ charged: 3_800, held: 0, available: 3_800 });
    expect((await caught(postHold(db(), { holdId, amount: 5_001, now }))).code).toBe("CONFLICT");
    await assertLedgerInvariants(db(), [book]);
  });

  it("refuses to capture more than the hold, or zero", async () => {
    const { book, userId, now } = await setup(1_000);
    const holdId = `join:${newId()}`;
    await placeHold(db(), { holdId, userId, regionId: book, amount: 500, now });
    expect((await caught(postHold(db(), { holdId, amount: 501, now }))).code).toBe("BAD_REQUEST");
    expect((await caught(postHold(db(), { holdId, amount: 0, now }))).code).toBe("BAD_REQUEST");
    expect((await getHold(db(), holdId))?.status).toBe("pending");
  });

  it("voids exactly once; a voided hold cannot be posted", async () => {
    const { book, userId, now } = await setup(1_000);
    const holdId = `join:${newId()}`;
    await placeHold(db(), { holdId, userId, regionId: book, amount: 800, now });
    const voided = await voidHold(db(), { holdId, now: now + 1 });
    expect(voided.status).toBe("voided");
    expect(await voidHold(db(), { holdId, now: now + 2 })).toEqual(voided);
    const err = await caught(postHold(db(), { holdId, toAccount: escrowAccount(newId(), book), now: now + 3 }));
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toMatch(/released/);
    expect(await walletSummary(db(), userId, book)).toMatchObject({ charged: 1_000, held: 0, available: 1_000 });
    await assertLedgerInvariants(db(), [book]);
  });

  it("says how many won are missing, as a number in the error details", async () => {
    const { book, userId, now } = await setup(2_000);
    const err = await caught(placeHold(db(), { holdId: `j:${newId()}`, userId, regionId: book, amount: 5_000, now }));
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toBe("Not enough points: you need 3,000 won more.");
    expect(err.cause).toBeInstanceOf(ErrorDetails);
    expect((err.cause as ErrorDetails).details).toEqual({ reason: "insufficient_points", shortfall: 3_000 });
  });

  it("is idempotent by hold id and refuses the same id with other parameters", async () => {
    const { book, userId, now } = await setup(1_000);
    const holdId = `join:${newId()}`;
    const args = { holdId, userId, regionId: book, amount: 400, now };
    const [a, b] = await Promise.all([placeHold(db(), args), placeHold(db(), args)]);
    expect(a).toEqual(b);
    expect(await placeHold(db(), args)).toEqual(a);
    expect((await caught(placeHold(db(), { ...args, amount: 401 }))).code).toBe("CONFLICT");
    expect(await walletSummary(db(), userId, book)).toMatchObject({ held: 400 });
    await assertLedgerInvariants(db(), [book]);
  });

  it("spends reward points before charged points", async () => {
    const { book, userId, now } = await setup(1_000, 300);
    const holdId = `join:${newId()}`;
    const hold = await placeHold(db(), { holdId, userId, regionId: book, amount: 1_000, now });
    expect(hold).toMatchObject({ fromReward: 300, fromCharged: 700 });
    // capture 500: 300 reward + 200 charged; the other 500 charged are released
    await postHold(db(), { holdId, amount: 500, toAccount: escrowAccount(newId(), book), now });
    const [charged, reward] = await Promise.all([
      getAccounts(db(), [userChargedAccount(userId, book).id]),
      getAccounts(db(), [userRewardAccount(userId, book).id]),
    ]);
    expect(charged[0].creditsPosted - charged[0].debitsPosted).toBe(800);
    expect(reward[0].creditsPosted - reward[0].debitsPosted).toBe(0);
    expect(await walletSummary(db(), userId, book)).toMatchObject({ charged: 800, reward: 0, held: 0, available: 800 });
    await assertLedgerInvariants(db(), [book]);
  });

  it("refuses a second destination for a hold that already has one", async () => {
    const { book, userId, now } = await setup(1_000);
    const holdId = `join:${newId()}`;
    await placeHold(db(), {
      holdId,
      userId,
      regionId: book,
      amount: 100,
      toAccount: escrowAccount(newId(), book),
      now,
    });
    const err = await caught(postHold(db(), { holdId, toAccount: escrowAccount(newId(), book), now }));
    expect(err.code).toBe("BAD_REQUEST");
  });

  it("expires: cannot be posted after expiresAt, and the sweep voids it once", async () => {
    const { book, userId, now } = await setup(1_000);
    const holdId = `join:${newId()}`;
    const other = `join:${newId()}`;
    await placeHold(db(), { holdId, userId, regionId: book, amount: 600, expiresAt: now + 1_000, now });
    await placeHold(db(), { holdId: other, userId, regionId: book, amount: 100, expiresAt: now + 60_000, now });
    expect(
      (await caught(postHold(db(), { holdId, toAccount: escrowAccount(newId(), book), now: now + 1_000 }))).code,
    ).toBe("PRECONDITION_FAILED");
    expect(await sweepExpiredHolds(db(), now + 1_000)).toBeGreaterThanOrEqual(1);
    expect(await sweepExpiredHolds(db(), now + 1_000)).toBe(0);
    expect(await getHold(db(), holdId)).toMatchObject({ status: "expired" });
    expect(await getHold(db(), other)).toMatchObject({ status: "pending" });
    expect(await walletSummary(db(), userId, book)).toMatchObject({ held: 100, available: 900 });
    await assertLedgerInvariants(db(), [book]);
  });

  it("never overdraws: 200 parallel holds of 1 won on a 50-won balance → exactly 50 succeed", async () => {
    const { book, userId, now } = await setup(50);
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        placeHold(db(), { holdId: `c:${book}:${i}`, userId, regionId: book, amount: 1, now }),
      ),
    );
    const ok = results.filter((r) => r.status === "fulfilled").length;
    const refused = results.filter(
      (r) => r.status === "rejected" && r.reason instanceof TRPCError && r.reason.code === "PRECONDITION_FAILED",
    ).length;
    expect(ok).toBe(50);
    expect(refused).toBe(150);
    expect(await walletSummary(db(), userId, book)).toMatchObject({ charged: 50, held: 50, available: 0 });
    await assertLedgerInvariants(db(), [book]);
  }, 60_000);

  it("never overdraws under mixed parallel holds of different sizes", async () => {
    const { book, userId, now } = await setup(1_000, 234);
    const amounts = Array.from({ length: 60 }, (_, i) => 17 + ((i * 37) % 90));
    const results = await Promise.allSettled(
      amounts.map((amount, i) => placeHold(db(), { holdId: `m:${book}:${i}`, userId, regionId: book, amount, now })),
    );
    const held = amounts.filter((_, i) => results[i].status === "fulfilled").reduce((a, b) => a + b, 0);
    const summary = await walletSummary(db(), userId, book);
    expect(summary.held).toBe(held);
    expect(summary.available).toBeGreaterThanOrEqual(0);
    // every refusal was real: funds only shrink here, so what is left now cannot cover any refused amount
    const refused = amounts.filter((_, i) => results[i].status === "rejected");
    expect(refused.length).toBeGreaterThan(0);
    for (const amount of refused) expect(summary.available).toBeLessThan(amount);
    await assertLedgerInvariants(db(), [book]);
  }, 60_000);

  it("stays inside D1's per-statement and per-invocation limits", async () => {
    const counter = countingD1(env.DB);
    const { book, userId, now } = await setup(10_000, 500);
    counter.reset();
    const holdId = `join:${newId()}`;
    await placeHold(counter.db, { holdId, userId, regionId: book, amount: 2_000, now });
    await postHold(counter.db, { holdId, amount: 1_500, toAccount: escrowAccount(newId(), book), now });
    expect(counter.maxParams).toBeLessThanOrEqual(D1_MAX_BOUND_PARAMS);
    expect(counter.queries).toBeLessThanOrEqual(20);
    // a full sweep of many expired holds in one call
    for (let i = 0; i < 100; i++) {
      await placeHold(db(), { holdId: `s:${book}:${i}`, userId, regionId: book, amount: 1, expiresAt: now + 10, now });
    }
    counter.reset();
    let swept = 0;
    for (let round = 0; round < 5; round++) swept += await sweepExpiredHolds(counter.db, now + 10);
    expect(swept).toBeGreaterThanOrEqual(100);
    expect(counter.maxParams).toBeLessThanOrEqual(D1_MAX_BOUND_PARAMS);
    expect(counter.queries).toBeLessThan(1_000);
    await assertLedgerInvariants(db(), [book]);
  }, 60_000);
});
