/**
 * What a book move (books.ts moveUserBook) carries besides the points: rows that name the book and are read or
 * settled only in the user's home book, so left behind they go wrong.
 *
 *   - Debts of declined deferred charges. A paid charge repays debts of its own book only (settle.ts), and the join
 *     guards read the home's book: a debt left in the old book would never be repaid and no longer block, and repaying
 *     it into the new book's receivable would leave the old one short forever. The debt moves like points, through
 *     book_transit: book A (one batch) the charge owes 0 there + book_transit(A) → deferred_receivable(A), id
 *     `move:<moveId>:debt:<chargeId>`; then book B (one batch) a clawed-back charge row owing the same +
 *     deferred_receivable(B) → book_transit(B), id `…:in`. Each book stays balanced; the transits net to zero.
 *   - The Gonggu Plus subscription: renewal pays from the row's book in the row's database (plus.ts), so a row left in
 *     the old book lapses for want of points. It is written to book B's database, then removed from A's.
 * Each step is idempotent (ids derived from the move and the charge), so the move's retries finish it.
 */
import { and, eq, like } from "drizzle-orm";
import { type Db, runBatch } from "../db/client";
import { charges, ledgerTransfers, plusSubscriptions } from "../db/schema";
import { platformAccount } from "./accounts";
import { debtsOf, debtUpdateIfUnchanged, getCharge, isDebtChanged } from "./charges";
import { classifyLedgerError } from "./errors";
import { getTransfer, transferStatements } from "./ledger";

export interface CarryArgs {
  moveId: string;
  userId: string;
  fromRegion: string;
  toRegion: string;
  now: number;
}

const debtOutPrefix = (moveId: string) => `move:${moveId}:debt:`;
/** The charge row that owes the debt in book B; the root id keeps it short when a debt moves again. */
const carriedChargeId = (moveId: string, chargeId: string) => `${moveId}-${chargeId.split("-").pop()}`;

/** Moves every debt the user owes in book A to book B. Returns the won carried by this call's out steps and earlier ones. */
export async function carryDebts(from: Db, to: Db, args: CarryArgs): Promise<number> {
  const { moveId, fromRegion, toRegion, now } = args;
  // step A: a repayment racing this (a charge paid in A) changes debt_amount; the guard fails the batch, read again
  for (let attempt = 0; attempt < 3; attempt++) {
    const debts = await debtsOf(from, args.userId, fromRegion);
    if (debts.length === 0) break;
    try {
      for (const debt of debts) {
        await runBatch(from, [
          debtUpdateIfUnchanged(from, debt, 0, now),
          ...transferStatements(from, {
            id: `${debtOutPrefix(moveId)}${debt.id}`,
            book: fromRegion,
            debit: platformAccount("book_transit", fromRegion),
            credit: platformAccount("deferred_receivable", fromRegion),
            amount: debt.debtAmount,
            kind: "book_move",
            reference: `charge:${debt.id}`,
            description: `Debt moving to ${toRegion}`,
            meta: { chargeId: debt.id, toRegion, userId: args.userId },
            now,
          }),
        ]);
      }
    } catch (e) {
      if (!isDebtChanged(e) && classifyLedgerError(e) !== "duplicate_id") throw e;
    }
  }
  // step B: every debt this move took out of A arrives in B once
  const outs = await from
    .select()
    .from(ledgerTransfers)
    .where(and(eq(ledgerTransfers.book, fromRegion), like(ledgerTransfers.id, `${debtOutPrefix(moveId)}%`)))
    .all();
  let carried = 0;
  for (const out of outs) {
    carried += out.amount;
    const inId = `${out.id}:in`;
    if (await getTransfer(to, inId)) continue;
    const chargeId = out.id.slice(debtOutPrefix(moveId).length);
    const original = (await getCharge(from, chargeId))!;
    const id = carriedChargeId(moveId, chargeId);
    try {
      await runBatch(to, [
        to
          .insert(charges)
          .values({
            id,
            userId: args.userId,
            book: toRegion,
            idempotencyKey: id,
            amount: out.amount,
            method: original.method,
            orderId: id,
            status: "clawed_back",
            deferred: 1,
            lastErrorCode: "DEBT_MOVED",
            lastErrorMessage: `Unpaid debt of charge ${chargeId}, moved from ${fromRegion}`,
            debtAmount: out.amount,
            // oldest first stays true: repaid in the order the debts arose
            createdAt: original.createdAt,
            updatedAt: now,
            settledAt: now,
          })
          .onConflictDoNothing(),
        ...transferStatements(to, {
          id: inId,
          book: toRegion,
          debit: platformAccount("deferred_receivable", toRegion),
          credit: platformAccount("book_transit", toRegion),
          amount: out.amount,
          kind: "book_move",
          reference: `charge:${id}`,
          description: `Debt arrived from ${fromRegion}`,
          meta: { chargeId: id, fromRegion, userId: args.userId },
          now,
        }),
      ]);
    } catch (e) {
      if (!(await getTransfer(to, inId))) throw e;
    }
  }
  return carried;
}

/** Writes the user's Plus row of book A into book B's database (book B pays the renewals), then drops A's. */
export async function carryPlus(from: Db, to: Db, args: CarryArgs): Promise<boolean> {
  const mine = and(eq(plusSubscriptions.userId, args.userId), eq(plusSubscriptions.book, args.fromRegion));
  const row = await from.select().from(plusSubscriptions).where(mine).get();
  if (!row) return false;
  const moved = { ...row, book: args.toRegion, updatedAt: args.now };
  // one row per user: in B's database it replaces a row of an earlier stay there (this one is newer)
  await to.insert(plusSubscriptions).values(moved).onConflictDoUpdate({ target: plusSubscriptions.userId, set: moved });
  // the same database: the upsert already re-pointed the row, and this matches nothing
  await from.delete(plusSubscriptions).where(mine);
  return true;
}
