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
 *   - Reward lots (membership/lots.ts): they say when the reward points that moved expire, and which purchase's
 *     clawback takes them back. Each lot is written to book B's database as it is (amount, clawed, expired, dates),
 *     then A's row becomes a closed row naming book B, which a refund in book A follows (membership/hooks.ts); that
 *     close fails if a clawback or expiry changed A's row since the read, and the carry rebuilds.
 *   - Membership: the tier row, the spend rows that count toward it, and the Plus extra earned per month, which the
 *     join discount, rewards and the monthly recalculation read in the home book's database. Copied, never lowered.
 *   - The Gonggu Plus subscription: renewal pays from the row's book in the row's database (plus.ts), so a row left in
 *     the old book lapses for want of points. Marked with the move in A (the renewal cron leaves it alone), written to
 *     book B's database, removed from A's, then unmarked in B; a retry knows its own copy by the mark.
 * Each step is idempotent (ids derived from the move and the charge; rows keyed as in A), so the move's retries finish
 * it. Each writes one database: the ledger never writes to two books at once.
 */
import { and, eq, getTableColumns, gte, inArray, isNull, like, ne, or, sql, type Table } from "drizzle-orm";
import { chunks, type Db, runBatch, valuesPerRow } from "../db/client";
import {
  charges,
  ledgerTransfers,
  membershipSpend,
  plusBonusMonths,
  plusSubscriptions,
  rewardLots,
} from "../db/schema";
import { carryStatusStatement, getStatus, spendWindowStart } from "../membership/tiers";
import { platformAccount } from "./accounts";
import { debtsOf, debtUpdateIfUnchanged, getCharge, isDebtChanged } from "./charges";
import { classifyLedgerError, messageChain } from "./errors";
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

/** An upsert's SET of every column from the incoming row: the row in B becomes a copy of the one in A. */
function fromIncoming(table: Table) {
  return Object.fromEntries(
    Object.entries(getTableColumns(table)).map(([key, column]) => [key, sql.raw(`excluded."${column.name}"`)]),
  );
}

/** Ids per IN (...) of one statement (D1: ≤ 100 bound values). */
const ID_CHUNK = 90;

type LotRow = typeof rewardLots.$inferSelect;

/** What a clawback or an expiry changes in a lot: the carry's copy in B is only right while these are as it read them. */
const sameLotState = (a: LotRow, b: LotRow) =>
  a.clawed === b.clawed && a.expired === b.expired && a.closedAt === b.closedAt && a.clawbackId === b.clawbackId;

/**
 * A's row as read becomes the closed row naming book B. Changed since the read (a clawback or an expiry in A), the
 * book becomes NULL, which the NOT NULL column refuses: the batch fails (like charges.ts debtUpdateIfUnchanged).
 */
function closeIfUnchanged(db: Db, lot: LotRow, args: CarryArgs) {
  const unchanged = sql`${rewardLots.clawed} = ${lot.clawed} AND ${rewardLots.expired} = ${lot.expired}
    AND ${rewardLots.closedAt} IS ${lot.closedAt} AND ${rewardLots.clawbackId} IS ${lot.clawbackId}`;
  return db
    .update(rewardLots)
    .set({
      book: sql`CASE WHEN ${unchanged} THEN ${args.toRegion} ELSE NULL END`,
      closedAt: sql`coalesce(${rewardLots.closedAt}, ${args.now})`,
    })
    .where(and(eq(rewardLots.id, lot.id), eq(rewardLots.book, args.fromRegion)));
}

const isLotChanged = (e: unknown) => messageChain(e).includes("reward_lots.book");

async function lotsByIds(db: Db, ids: string[]): Promise<LotRow[]> {
  const rows: LotRow[] = [];
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    rows.push(
      ...(await db
        .select()
        .from(rewardLots)
        .where(inArray(rewardLots.id, ids.slice(i, i + ID_CHUNK)))
        .all()),
    );
  }
  return rows;
}

/**
 * Writes the user's reward lots of book A (open, expired or spent; not those already clawed back) into book B's
 * database, then closes A's rows with book B as a forwarding address. A row that already says book B in B's database
 * is this move's copy (a retry after a crash between the two steps) and may have moved on there: it is kept. In one
 * database the upsert re-points the rows, which stay open, and the second step matches nothing.
 *
 * A clawback or an expiry in A between the read and the close fails the close (closeIfUnchanged); the carry reads
 * those rows again and rebuilds. A lot clawed back, or expired with points still in A, is done: A's row wins over
 * the copy in B (closed there too, so B never takes its points a second time), and a clawed-back row stays in A where
 * its clawback ran. A lot that expired in A with nothing left there (its points had moved) keeps its open copy in B.
 */
export async function carryLots(from: Db, to: Db, args: CarryArgs): Promise<number> {
  let lots = await from
    .select()
    .from(rewardLots)
    .where(and(eq(rewardLots.userId, args.userId), eq(rewardLots.book, args.fromRegion), isNull(rewardLots.clawbackId)))
    .all();
  let done: LotRow[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    for (const part of chunks(lots, valuesPerRow(rewardLots))) {
      await to
        .insert(rewardLots)
        .values(part.map((lot) => ({ ...lot, book: args.toRegion })))
        .onConflictDoUpdate({
          target: rewardLots.id,
          set: fromIncoming(rewardLots),
          // and in one database a lot clawed back since the read stays where its clawback ran
          setWhere: and(ne(rewardLots.book, args.toRegion), isNull(rewardLots.clawbackId)),
        });
    }
    for (const lot of done) {
      const { id, ...state } = lot;
      await to
        .update(rewardLots)
        .set({ ...state, book: args.toRegion })
        .where(and(eq(rewardLots.id, id), eq(rewardLots.book, args.toRegion)));
    }
    try {
      await runBatch(
        from,
        lots.map((lot) => closeIfUnchanged(from, lot, args)),
      );
      return lots.length;
    } catch (e) {
      if (!isLotChanged(e)) throw e;
    }
    const before = new Map(lots.map((l) => [l.id, l]));
    const now = (await lotsByIds(from, [...before.keys()])).filter((l) => l.book === args.fromRegion);
    const changed = now.filter((l) => !sameLotState(l, before.get(l.id)!));
    done = changed.filter((l) => l.clawbackId !== null || l.expired > 0);
    lots = now.filter((l) => l.clawbackId === null);
  }
  throw new Error(`carryLots: the lots of ${args.userId} in ${args.fromRegion} kept changing; the move retries`);
}

/**
 * Copies the user's tier row, the spend that counts toward it and the Plus extra earned per month into book B's
 * database. Merged, never lowered: B may hold rows of an earlier stay, and in one database each row meets itself.
 */
export async function carryMembership(from: Db, to: Db, args: CarryArgs): Promise<void> {
  const [status, spend, bonus] = await Promise.all([
    getStatus(from, args.userId),
    from
      .select()
      .from(membershipSpend)
      .where(and(eq(membershipSpend.userId, args.userId), gte(membershipSpend.completedAt, spendWindowStart(args.now))))
      .all(),
    from.select().from(plusBonusMonths).where(eq(plusBonusMonths.userId, args.userId)).all(),
  ]);
  for (const part of chunks(spend, valuesPerRow(membershipSpend))) {
    await to
      .insert(membershipSpend)
      .values(part)
      .onConflictDoUpdate({
        target: membershipSpend.purchaseId,
        set: { reversedAt: sql`coalesce(${membershipSpend.reversedAt}, excluded.reversed_at)` },
      });
  }
  for (const part of chunks(bonus, valuesPerRow(plusBonusMonths))) {
    await to
      .insert(plusBonusMonths)
      .values(part)
      .onConflictDoUpdate({
        target: [plusBonusMonths.userId, plusBonusMonths.month],
        set: { earned: sql`max(${plusBonusMonths.earned}, excluded.earned)` },
      });
  }
  if (status) await runBatch(to, [carryStatusStatement(to, status, args.now)]);
}

/**
 * Carries the user's Plus row of book A to book B's database (book B pays the renewals), in four one-database steps:
 * mark A's row with the move (renewals skip it), write it to B marked too unless B has this move's copy already (it
 * may have changed there), delete A's, unmark B's. A crash between any two leaves rows the next retry finishes.
 */
export async function carryPlus(from: Db, to: Db, args: CarryArgs): Promise<boolean> {
  const { userId, moveId, fromRegion, toRegion } = args;
  const leaving = and(eq(plusSubscriptions.userId, userId), eq(plusSubscriptions.book, fromRegion));
  const row = await from
    .update(plusSubscriptions)
    .set({ moveId })
    .where(and(leaving, or(isNull(plusSubscriptions.moveId), eq(plusSubscriptions.moveId, moveId))))
    .returning()
    .get();
  const there = await to.select().from(plusSubscriptions).where(eq(plusSubscriptions.userId, userId)).get();
  const arrived = there?.book === toRegion && there.moveId === moveId;
  if (row && !arrived) {
    const moved = { ...row, book: toRegion, moveId, updatedAt: args.now };
    // one row per user: in B's database it replaces a row of an earlier stay there (this one is newer)
    await to
      .insert(plusSubscriptions)
      .values(moved)
      .onConflictDoUpdate({ target: plusSubscriptions.userId, set: moved });
  }
  // the same database: the upsert already re-pointed the row, and this matches nothing
  await from.delete(plusSubscriptions).where(and(leaving, eq(plusSubscriptions.moveId, moveId)));
  await to
    .update(plusSubscriptions)
    .set({ moveId: null })
    .where(
      and(
        eq(plusSubscriptions.userId, userId),
        eq(plusSubscriptions.book, toRegion),
        eq(plusSubscriptions.moveId, moveId),
      ),
    );
  return Boolean(row) || arrived;
}
