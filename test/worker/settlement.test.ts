import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { runBatch } from "../../worker/db/client";
import { newId } from "../../worker/lib/ids";
import {
  escrowAccount,
  parseAccountId,
  platformAccount,
  sellerPayableAvailableAccount,
  sellerPayablePendingAccount,
} from "../../worker/wallet/accounts";
import { classifyLedgerError } from "../../worker/wallet/errors";
import { placeHold, postHold } from "../../worker/wallet/holds";
import { getAccounts } from "../../worker/wallet/ledger";
import { payoutReleaseStatements, refundCapturedHold, settlementStatements } from "../../worker/wallet/settlement";
import { walletSummary } from "../../worker/wallet/wallet";
import { assertLedgerInvariants } from "./ledger-invariants";
import { db, fund, newBook } from "./wallet-helpers";

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TRPCError) return e.code;
    throw e;
  }
  throw new Error("expected a TRPCError");
}

const balance = async (id: string) => {
  const [row] = await getAccounts(db(), [id]);
  return row ? row.creditsPosted - row.debitsPosted : 0;
};

describe("group buy money flow on the ledger", () => {
  it("join → capture → one buyer refunded → settle with fee → payout released; Σ = 0 throughout", async () => {
    const book = newBook();
    const gb = newId();
    const seller = newId();
    const now = Date.now();
    const buyers = [newId(), newId(), newId()];
    await fund(buyers[0], book, 10_000, "charged");
    await fund(buyers[1], book, 10_000, "charged");
    await fund(buyers[1], book, 1_000, "reward");
    await fund(buyers[2], book, 5_000, "charged");
    const escrow = escrowAccount(gb, book);
    for (const userId of buyers) {
      const holdId = `join:${gb}:${userId}`;
      await placeHold(db(), { holdId, userId, regionId: book, amount: 3_333, reference: `groupbuy:${gb}`, now });
      await postHold(db(), { holdId, toAccount: escrow, now });
      await assertLedgerInvariants(db(), [book]);
    }
    expect(await balance(escrow.id)).toBe(9_999);

    // buyer 1 paid 1,000 reward + 2,333 charged; the refund gives charged back first
    const refund = await refundCapturedHold(db(), { holdId: `join:${gb}:${buyers[1]}`, amount: 3_000, now });
    expect(refund).toEqual({ holdId: `join:${gb}:${buyers[1]}`, refunded: 3_000, toCharged: 2_333, toReward: 667 });
    expect(await refundCapturedHold(db(), { holdId: `join:${gb}:${buyers[1]}`, amount: 3_000, now })).toEqual(refund);
    expect(await code(refundCapturedHold(db(), { holdId: `join:${gb}:${buyers[1]}`, amount: 10, now }))).toBe(
      "CONFLICT",
    );
    expect(await walletSummary(db(), buyers[1], book)).toMatchObject({ charged: 10_000, reward: 667 });
    expect(await balance(escrow.id)).toBe(6_999);

    // settle what is left: 3.5 % fee, half-up (244.965 → 245)
    const settlement = settlementStatements(db(), {
      settlementId: `settle:${gb}`,
      groupBuyId: gb,
      sellerId: seller,
      book,
      gross: 6_999,
      feeBps: 350,
      now,
    });
    expect([settlement.fee, settlement.net]).toEqual([245, 6_754]);
    await runBatch(db(), settlement.statements);
    // the same batch again changes nothing
    expect(classifyLedgerError(await runBatch(db(), settlement.statements).catch((e) => e))).toBe("duplicate_id");
    expect(await balance(escrow.id)).toBe(0);
    expect(await balance(platformAccount("platform_fee_revenue", book).id)).toBe(245);
    await runBatch(
      db(),
      payoutReleaseStatements(db(), { releaseId: `payout:${gb}`, sellerId: seller, book, amount: 6_754, now }),
    );
    expect(await balance(sellerPayablePendingAccount(seller, book).id)).toBe(0);
    expect(await balance(sellerPayableAvailableAccount(seller, book).id)).toBe(6_754);

    // after settlement the escrow is empty: a late refund is refused, not taken from someone else
    expect(await code(refundCapturedHold(db(), { holdId: `join:${gb}:${buyers[0]}`, now }))).toBe(
      "PRECONDITION_FAILED",
    );
    await assertLedgerInvariants(db(), [book]);
  });

  it("only captured holds can be refunded, within what was captured", async () => {
    const book = newBook();
    const userId = newId();
    await fund(userId, book, 1_000);
    const holdId = `join:${newId()}`;
    const now = Date.now();
    await placeHold(db(), {
      holdId,
      userId,
      regionId: book,
      amount: 500,
      toAccount: escrowAccount(newId(), book),
      now,
    });
    expect(await code(refundCapturedHold(db(), { holdId, now }))).toBe("PRECONDITION_FAILED");
    await postHold(db(), { holdId, amount: 400, now });
    expect(await code(refundCapturedHold(db(), { holdId, amount: 401, now }))).toBe("BAD_REQUEST");
    expect(await refundCapturedHold(db(), { holdId, now })).toMatchObject({ refunded: 400, toCharged: 400 });
    expect(await walletSummary(db(), userId, book)).toMatchObject({ charged: 1_000, available: 1_000 });
    await assertLedgerInvariants(db(), [book]);
  });

  it("account ids round-trip", () => {
    const ref = escrowAccount("01ABC", "seoul-yeoksam1");
    expect(parseAccountId(ref.id)).toEqual(ref);
    expect(() => parseAccountId("nope")).toThrow();
  });
});
