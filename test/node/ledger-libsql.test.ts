import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../worker/db/client";
import { runBatch } from "../../worker/db/client";
import {
  escrowAccount,
  platformAccount,
  sellerPayablePendingAccount,
  userChargedAccount,
  userRewardAccount,
} from "../../worker/wallet/accounts";
import { classifyLedgerError } from "../../worker/wallet/errors";
import { getHold, placeHold, postHold, sweepExpiredHolds, voidHold } from "../../worker/wallet/holds";
import { transfer, transferStatements } from "../../worker/wallet/ledger";
import { checkBook, isClean } from "../../worker/wallet/reconcile";
import { walletSummary } from "../../worker/wallet/wallet";
import { openLibsqlDb } from "./libsql-db";

// The same ledger code, schema, triggers and guards on libSQL (the driver a region book may move to).
describe("ledger on libSQL", () => {
  let db: Db;
  let close: () => void;
  const book = "libsql-book";
  const now = 1_800_000_000_000;

  beforeAll(async () => {
    ({ db, close } = await openLibsqlDb());
  });
  afterAll(() => close());

  const fund = (userId: string, amount: number, kind: "charged" | "reward", id: string) =>
    transfer(db, {
      id,
      book,
      debit: platformAccount(kind === "charged" ? "pg_clearing" : "promotion_expense", book),
      credit: kind === "charged" ? userChargedAccount(userId, book) : userRewardAccount(userId, book),
      amount,
      kind: kind === "charged" ? "charge" : "grant",
      now,
    });

  it("holds, partial posts, voids and expiry behave as on D1", async () => {
    await fund("u1", 1_000, "charged", "f1");
    await fund("u1", 200, "reward", "f2");
    expect((await fund("u1", 1_000, "charged", "f1")).amount).toBe(1_000); // idempotent

    const hold = await placeHold(db, { holdId: "h1", userId: "u1", regionId: book, amount: 500, now });
    expect(hold).toMatchObject({ fromReward: 200, fromCharged: 300, status: "pending" });
    const posted = await postHold(db, { holdId: "h1", amount: 400, toAccount: escrowAccount("gb1", book), now });
    expect(posted).toMatchObject({ status: "posted", capturedAmount: 400 });
    expect(await postHold(db, { holdId: "h1", toAccount: escrowAccount("gb1", book), now })).toEqual(posted);

    await placeHold(db, { holdId: "h2", userId: "u1", regionId: book, amount: 100, now });
    expect((await voidHold(db, { holdId: "h2", now })).status).toBe("voided");
    await placeHold(db, { holdId: "h3", userId: "u1", regionId: book, amount: 100, expiresAt: now + 5, now });
    expect(await sweepExpiredHolds(db, now + 5)).toBe(1);
    expect((await getHold(db, "h3"))?.status).toBe("expired");

    expect(await walletSummary(db, "u1", book)).toEqual({
      regionId: book,
      charged: 800,
      reward: 0,
      held: 0,
      available: 800,
      pendingCharges: 0,
    });
    expect(isClean(await checkBook(db, book))).toBe(true);
  });

  it("refuses overdraft with the shortfall, and concurrent holds never overdraw", async () => {
    await fund("u2", 50, "charged", "f3");
    try {
      await placeHold(db, { holdId: "big", userId: "u2", regionId: book, amount: 80, now });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TRPCError);
      expect((e as TRPCError).message).toBe("Not enough points: you need 30 won more.");
    }
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        placeHold(db, { holdId: `c${i}`, userId: "u2", regionId: book, amount: 1, now }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled").length).toBe(50);
    expect(isClean(await checkBook(db, book))).toBe(true);
  });

  it("rolls back a composed batch atomically", async () => {
    await fund("u3", 100, "charged", "f4");
    await transfer(db, {
      id: "cap",
      book,
      debit: userChargedAccount("u3", book),
      credit: escrowAccount("gb3", book),
      amount: 100,
      kind: "hold_capture",
      now,
    });
    const settle = (a: number, b: number) => [
      ...transferStatements(db, {
        id: `s-${a}`,
        book,
        debit: escrowAccount("gb3", book),
        credit: sellerPayablePendingAccount("seller", book),
        amount: a,
        kind: "settlement",
        now,
      }),
      ...transferStatements(db, {
        id: `fee-${b}`,
        book,
        debit: escrowAccount("gb3", book),
        credit: platformAccount("platform_fee_revenue", book),
        amount: b,
        kind: "platform_fee",
        now,
      }),
    ];
    expect(classifyLedgerError(await runBatch(db, settle(95, 10)).catch((e) => e))).toBe("overdraft");
    await runBatch(db, settle(95, 5));
    const check = await checkBook(db, book);
    expect(isClean(check)).toBe(true);
  });
});
