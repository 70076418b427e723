import { TRPCError } from "@trpc/server";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { runBatch } from "../../worker/db/client";
import { rateLimits } from "../../worker/db/schema";
import type { ErrorDetails } from "../../worker/lib/errors";
import { newId } from "../../worker/lib/ids";
import { balanceOf, platformAccount, userChargedAccount, userRewardAccount } from "../../worker/wallet/accounts";
import { placeHold } from "../../worker/wallet/holds";
import {
  accountsUnchanged,
  getAccounts,
  getTransfer,
  snapshotOf,
  transferWhereStatements,
} from "../../worker/wallet/ledger";
import { spendPoints } from "../../worker/wallet/spend";
import { assertLedgerInvariants } from "./ledger-invariants";
import { db, fund, newBook } from "./wallet-helpers";

const revenue = (book: string) => platformAccount("membership_revenue", book);

async function bal(id: string) {
  const [row] = await getAccounts(db(), [id]);
  return balanceOf(row).balance;
}

describe("spendPoints (immediate spend, reward points first)", { timeout: 30_000 }, () => {
  it("takes reward points first, then charged; a retry with the same id moves nothing and skips `extra`", async () => {
    const book = newBook();
    const userId = newId();
    await fund(userId, book, 1_000, "reward");
    await fund(userId, book, 10_000, "charged");
    const extra = (key: string) => [db().insert(rateLimits).values({ key, count: 1, windowStart: 0 })];
    const marker = (key: string) => db().select().from(rateLimits).where(eq(rateLimits.key, key)).get();
    const [k1, k2] = [`spend-test-${newId()}`, `spend-test-${newId()}`];
    const spec = {
      id: `fee:${newId()}`,
      userId,
      book,
      amount: 4_900,
      credit: revenue(book),
      kind: "membership_fee" as const,
      now: Date.now(),
    };
    const first = await spendPoints(db(), spec, extra(k1));
    expect(first).toMatchObject({ fromReward: 1_000, fromCharged: 3_900, replayed: false });
    expect(await marker(k1)).toBeDefined(); // committed with the spend
    const again = await spendPoints(db(), spec, extra(k2));
    expect(again).toMatchObject({ fromReward: 1_000, fromCharged: 3_900, replayed: true });
    expect(await marker(k2)).toBeUndefined();
    expect(await bal(userChargedAccount(userId, book).id)).toBe(6_100);
    expect(await bal(userRewardAccount(userId, book).id)).toBe(0);
    expect(await bal(revenue(book).id)).toBe(4_900);
    await assertLedgerInvariants(db(), [book]);
  });

  it("not enough points: a typed error with the shortfall, and nothing written (extra included)", async () => {
    const book = newBook();
    const userId = newId();
    await fund(userId, book, 300, "reward");
    await fund(userId, book, 4_000, "charged");
    const id = `fee:${newId()}`;
    const key = `spend-test-${newId()}`;
    const e = await spendPoints(
      db(),
      { id, userId, book, amount: 4_900, credit: revenue(book), kind: "membership_fee", now: Date.now() },
      [db().insert(rateLimits).values({ key, count: 1, windowStart: 0 })],
    ).catch((x) => x);
    expect(e).toBeInstanceOf(TRPCError);
    expect(e.code).toBe("PRECONDITION_FAILED");
    expect((e.cause as ErrorDetails).details).toEqual({ reason: "insufficient_points", shortfall: 600 });
    expect(await getTransfer(db(), `${id}:r`)).toBeUndefined();
    expect(await db().select().from(rateLimits).where(eq(rateLimits.key, key)).get()).toBeUndefined();
  });

  it("points reserved by a hold are not spendable; racing spends never overdraw", async () => {
    const book = newBook();
    const userId = newId();
    await fund(userId, book, 10_000, "charged");
    await placeHold(db(), { holdId: `h:${newId()}`, userId, regionId: book, amount: 4_000, now: Date.now() });
    const spend = () =>
      spendPoints(db(), {
        id: `fee:${newId()}`,
        userId,
        book,
        amount: 4_000,
        credit: revenue(book),
        kind: "membership_fee",
        now: Date.now(),
      });
    const results = await Promise.allSettled([spend(), spend()]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason.code).toBe("PRECONDITION_FAILED");
    await assertLedgerInvariants(db(), [book]);
  });
});

describe("conditional transfers (guards against acting on a stale read)", { timeout: 30_000 }, () => {
  it("inserts only while the guarded accounts are unchanged", async () => {
    const book = newBook();
    const userId = newId();
    await fund(userId, book, 500, "reward");
    const reward = userRewardAccount(userId, book);
    const [before] = await getAccounts(db(), [reward.id]);
    const stale = snapshotOf(reward.id, before);
    await fund(userId, book, 1, "reward"); // the account moves after the read
    const spec = {
      id: `x:${newId()}`,
      book,
      debit: reward,
      credit: platformAccount("reward_expiry", book),
      amount: 100,
      kind: "reward_expire" as const,
      now: Date.now(),
    };
    await runBatch(db(), transferWhereStatements(db(), spec, accountsUnchanged([stale])));
    expect(await getTransfer(db(), spec.id)).toBeUndefined();
    const [fresh] = await getAccounts(db(), [reward.id]);
    await runBatch(db(), transferWhereStatements(db(), spec, accountsUnchanged([snapshotOf(reward.id, fresh)])));
    expect(await getTransfer(db(), spec.id)).toMatchObject({ amount: 100, phase: "single", kind: "reward_expire" });
    expect(await bal(reward.id)).toBe(401);
    // an account never used reads as zeros and counts as unchanged while it stays unused
    const unused = userChargedAccount(userId, book);
    const guard = accountsUnchanged([snapshotOf(unused.id, undefined)]);
    const spec2 = { ...spec, id: `x:${newId()}`, amount: 1 };
    await runBatch(db(), transferWhereStatements(db(), spec2, guard));
    expect(await getTransfer(db(), spec2.id)).toBeDefined();
    await assertLedgerInvariants(db(), [book]);
  });

  it("still refuses an overdraft (the CHECK applies to conditional inserts too)", async () => {
    const book = newBook();
    const userId = newId();
    await fund(userId, book, 50, "reward");
    const reward = userRewardAccount(userId, book);
    const spec = {
      id: `x:${newId()}`,
      book,
      debit: reward,
      credit: platformAccount("reward_expiry", book),
      amount: 51,
      kind: "reward_expire" as const,
      now: Date.now(),
    };
    await expect(runBatch(db(), transferWhereStatements(db(), spec, sql`1 = 1`))).rejects.toThrow();
    expect(await bal(reward.id)).toBe(50);
  });
});

describe("hold meta", { timeout: 30_000 }, () => {
  it("stores caller facts with the hold; holdId and userId cannot be overridden", async () => {
    const book = newBook();
    const userId = newId();
    await fund(userId, book, 5_000, "charged");
    const holdId = `h:${newId()}`;
    const hold = await placeHold(db(), {
      holdId,
      userId,
      regionId: book,
      amount: 1_000,
      meta: { gross: 1_010, discount: 10, holdId: "evil", userId: "evil" },
      now: Date.now(),
    });
    expect(hold.meta).toEqual({ gross: 1_010, discount: 10, holdId, userId });
    expect(hold.userId).toBe(userId);
  });
});
