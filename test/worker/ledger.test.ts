import { env } from "cloudflare:workers";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { runBatch } from "../../worker/db/client";
import { ledgerAccounts, ledgerTransfers } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import {
  escrowAccount,
  platformAccount,
  sellerPayablePendingAccount,
  userChargedAccount,
} from "../../worker/wallet/accounts";
import { classifyLedgerError, messageChain } from "../../worker/wallet/errors";
import { getAccounts, getTransfer, transfer, transferStatements } from "../../worker/wallet/ledger";
import { countingD1, D1_MAX_BOUND_PARAMS } from "./d1-counter";
import { assertLedgerInvariants } from "./ledger-invariants";
import { db, fund, newBook } from "./wallet-helpers";

async function trpcCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TRPCError) return e.code;
    throw e;
  }
  throw new Error("expected a TRPCError");
}

describe("ledger transfers", () => {
  it("moves money between accounts and keeps Σ = 0 in the book", async () => {
    const book = newBook();
    const user = newId();
    await fund(user, book, 10_000);
    const gb = newId();
    await transfer(db(), {
      id: `t:${newId()}`,
      book,
      debit: userChargedAccount(user, book),
      credit: escrowAccount(gb, book),
      amount: 4_000,
      kind: "hold_capture",
      now: Date.now(),
    });
    const [u, e] = await Promise.all([
      getAccounts(db(), [userChargedAccount(user, book).id]),
      getAccounts(db(), [escrowAccount(gb, book).id]),
    ]);
    expect(u[0].creditsPosted - u[0].debitsPosted).toBe(6_000);
    expect(e[0].creditsPosted - e[0].debitsPosted).toBe(4_000);
    await assertLedgerInvariants(db(), [book]);
  });

  it("is idempotent by transfer id and refuses reuse with other parameters", async () => {
    const book = newBook();
    const user = newId();
    const spec = {
      id: `grant:${newId()}`,
      book,
      debit: platformAccount("promotion_expense", book),
      credit: userChargedAccount(user, book),
      amount: 500,
      kind: "grant" as const,
      now: Date.now(),
    };
    const first = await transfer(db(), spec);
    const again = await transfer(db(), spec);
    expect(again.seq).toBe(first.seq);
    const [acct] = await getAccounts(db(), [spec.credit.id]);
    expect(acct.creditsPosted).toBe(500);
    expect(await trpcCode(transfer(db(), { ...spec, amount: 501 }))).toBe("CONFLICT");
    // concurrent duplicates: exactly one row, same answer for all
    const spec2 = { ...spec, id: `grant:${newId()}` };
    const rows = await Promise.all(Array.from({ length: 10 }, () => transfer(db(), spec2)));
    expect(new Set(rows.map((r) => r.seq)).size).toBe(1);
    const [after] = await getAccounts(db(), [spec.credit.id]);
    expect(after.creditsPosted).toBe(1_000);
    await assertLedgerInvariants(db(), [book]);
  });

  it("refuses an overdraft with PRECONDITION_FAILED and writes nothing", async () => {
    const book = newBook();
    const user = newId();
    await fund(user, book, 100);
    const spec = {
      id: `t:${newId()}`,
      book,
      debit: userChargedAccount(user, book),
      credit: escrowAccount(newId(), book),
      amount: 101,
      kind: "hold_capture" as const,
      now: Date.now(),
    };
    expect(await trpcCode(transfer(db(), spec))).toBe("PRECONDITION_FAILED");
    expect(await getTransfer(db(), spec.id)).toBeUndefined();
    const [acct] = await getAccounts(db(), [spec.debit.id]);
    expect(acct.debitsPosted).toBe(0);
    await assertLedgerInvariants(db(), [book]);
  });

  it("the database guard alone refuses overdraft: 200 parallel 1-won transfers on 50 won → exactly 50", async () => {
    // transfer() does not read the balance first, so every refusal here comes from the CHECK inside the batch
    const book = newBook();
    const user = newId();
    await fund(user, book, 50);
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        transfer(db(), {
          id: `p:${book}:${i}`,
          book,
          debit: userChargedAccount(user, book),
          credit: escrowAccount("gb", book),
          amount: 1,
          kind: "hold_capture",
          now: Date.now(),
        }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled").length).toBe(50);
    const [acct] = await getAccounts(db(), [userChargedAccount(user, book).id]);
    expect(acct.creditsPosted - acct.debitsPosted).toBe(0);
    await assertLedgerInvariants(db(), [book]);
  }, 60_000);

  it("rolls back a whole composed batch when one transfer overdraws", async () => {
    const book = newBook();
    const gb = newId();
    const seller = newId();
    const buyer = newId();
    await fund(buyer, book, 1_000);
    await transfer(db(), {
      id: `t:${newId()}`,
      book,
      debit: userChargedAccount(buyer, book),
      credit: escrowAccount(gb, book),
      amount: 1_000,
      kind: "hold_capture",
      now: Date.now(),
    });
    const settle = (fee: number, net: number) => [
      ...transferStatements(db(), {
        id: `settle:${gb}:${net}`,
        book,
        debit: escrowAccount(gb, book),
        credit: sellerPayablePendingAccount(seller, book),
        amount: net,
        kind: "settlement",
        now: Date.now(),
      }),
      ...transferStatements(db(), {
        id: `fee:${gb}:${fee}`,
        book,
        debit: escrowAccount(gb, book),
        credit: platformAccount("platform_fee_revenue", book),
        amount: fee,
        kind: "platform_fee",
        now: Date.now(),
      }),
    ];
    // 950 + 100 > 1000 in escrow: the second transfer fails, so the first must not stick either
    const error = await runBatch(db(), settle(100, 950)).catch((e) => e);
    expect(classifyLedgerError(error)).toBe("overdraft");
    expect(await getTransfer(db(), `settle:${gb}:950`)).toBeUndefined();
    await runBatch(db(), settle(50, 950));
    const [payable] = await getAccounts(db(), [sellerPayablePendingAccount(seller, book).id]);
    expect(payable.creditsPosted).toBe(950);
    const [escrow] = await getAccounts(db(), [escrowAccount(gb, book).id]);
    expect(escrow.creditsPosted - escrow.debitsPosted).toBe(0);
    await assertLedgerInvariants(db(), [book]);
  });

  it("refuses a transfer whose accounts are in another book", async () => {
    const a = newBook();
    const b = newBook();
    const user = newId();
    await fund(user, a, 100);
    expect(() =>
      transferStatements(db(), {
        id: `x:${newId()}`,
        book: a,
        debit: userChargedAccount(user, a),
        credit: escrowAccount(newId(), b),
        amount: 1,
        kind: "hold_capture",
        now: Date.now(),
      }),
    ).toThrow(/inside book/);
    // and the database refuses it even if application code is bypassed
    const raw = db()
      .insert(ledgerTransfers)
      .values({
        id: `x:${newId()}`,
        book: b,
        debitAccountId: userChargedAccount(user, a).id,
        creditAccountId: platformAccount("pg_clearing", a).id,
        amount: 1,
        phase: "single",
        kind: "charge",
        createdAt: Date.now(),
      });
    expect(classifyLedgerError(await runBatch(db(), [raw]).catch((e) => e))).toBe("cross_book");
    await assertLedgerInvariants(db(), [a, b]);
  });

  it("keeps transfer rows immutable", async () => {
    const book = newBook();
    const row = await fund(newId(), book, 100);
    const update = await db()
      .update(ledgerTransfers)
      .set({ amount: 1 })
      .where(eq(ledgerTransfers.id, row.id))
      .catch((e) => e);
    expect(messageChain(update)).toMatch(/ledger: transfers are immutable/);
    const del = await db()
      .delete(ledgerTransfers)
      .where(eq(ledgerTransfers.id, row.id))
      .catch((e) => e);
    expect(messageChain(del)).toMatch(/ledger: transfers are immutable/);
    expect((await getTransfer(db(), row.id))?.amount).toBe(100);
  });

  it("refuses non-integer, zero and negative amounts in the database too", async () => {
    const book = newBook();
    const user = newId();
    await fund(user, book, 100);
    for (const amount of [0, -5, 1.5]) {
      const stmt = db()
        .insert(ledgerTransfers)
        .values({
          id: `bad:${newId()}`,
          book,
          debitAccountId: userChargedAccount(user, book).id,
          creditAccountId: platformAccount("pg_clearing", book).id,
          amount,
          phase: "single",
          kind: "refund",
          createdAt: Date.now(),
        });
      expect(messageChain(await runBatch(db(), [stmt]).catch((e) => e))).toMatch(/positive whole number/);
    }
    expect(() =>
      transferStatements(db(), {
        id: `x:${newId()}`,
        book,
        debit: userChargedAccount(user, book),
        credit: platformAccount("pg_clearing", book),
        amount: 2.5,
        kind: "refund",
        now: Date.now(),
      }),
    ).toThrow(/whole number/);
    await assertLedgerInvariants(db(), [book]);
  });

  it("stays inside D1's limits: ≤ 100 bound parameters per statement, few queries per transfer", async () => {
    const counter = countingD1(env.DB);
    const book = newBook();
    const user = newId();
    await fund(user, book, 1_000);
    counter.reset();
    await transfer(counter.db, {
      id: `t:${newId()}`,
      book,
      debit: userChargedAccount(user, book),
      credit: escrowAccount(newId(), book),
      amount: 10,
      kind: "hold_capture",
      description: "x".repeat(200),
      meta: { a: 1, b: "two" },
      now: Date.now(),
    });
    expect(counter.maxParams).toBeLessThanOrEqual(D1_MAX_BOUND_PARAMS);
    expect(counter.queries).toBeLessThanOrEqual(5); // read, 3-statement batch, read back
  });

  it("an account's cached balances are never written by application code paths", async () => {
    // the reconciliation would catch it: tamper and see the check fail
    const book = newBook();
    const user = newId();
    await fund(user, book, 100);
    await db()
      .update(ledgerAccounts)
      .set({ creditsPosted: 1_000_000 })
      .where(eq(ledgerAccounts.id, userChargedAccount(user, book).id));
    await expect(assertLedgerInvariants(db(), [book])).rejects.toThrow(/invariants broken/);
    // repair for the rest of the suite
    await db()
      .update(ledgerAccounts)
      .set({ creditsPosted: 100 })
      .where(eq(ledgerAccounts.id, userChargedAccount(user, book).id));
    await assertLedgerInvariants(db(), [book]);
  });
});
