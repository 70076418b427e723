/**
 * Double-entry points ledger (TigerBeetle's model on D1/libSQL).
 *
 *  - ledger_accounts: one row per (book, kind, owner); cached debits/credits posted/pending. Balance = credits − debits
 *    (see accounts.ts for the sign convention). Σ over a book is 0, posted and pending.
 *  - ledger_transfers: immutable rows; `id` is the caller's idempotent transfer id. Phases: "single" (moves money now),
 *    "pending" (reserves it), "post" / "void" (settle a pending one exactly once, post may capture less).
 *  - The cached balances are written ONLY by triggers on INSERT INTO ledger_transfers, in the same statement, and a
 *    CHECK on ledger_accounts refuses a guarded account whose debits (posted + pending) would exceed its credits. An
 *    overdraft therefore fails the INSERT, and D1/libSQL roll back the whole db.batch() it is in. SQLite runs one
 *    write at a time, so there is no read-then-write race: no interactive transaction is needed.
 *
 * Composing with your own writes (one atomic batch):
 *
 *     await runBatch(db, [
 *       ...transferStatements(db, { id: `settle:${gb.id}`, book, debit: escrowAccount(gb.id, book),
 *           credit: sellerPayablePendingAccount(gb.sellerId, book), amount: net, kind: "settlement", now }),
 *       ...transferStatements(db, { id: `fee:${gb.id}`, book, debit: escrowAccount(gb.id, book),
 *           credit: platformAccount("platform_fee_revenue", book), amount: fee, kind: "fee", now }),
 *       db.update(groupBuys).set({ status: "settled" }).where(...),
 *     ]);
 *
 * If the batch throws, `classifyLedgerError(e)` (errors.ts) says why ("overdraft", "duplicate_id", ...). Re-running the
 * same batch after a success fails with "duplicate_id" and changes nothing, so retries are safe; `transfer()` below
 * does that dance for you and returns the existing row instead.
 *
 * Every account and transfer belongs to one book (region); a transfer's two accounts must be in its book (checked
 * here and by the trigger). Use bookDb(env, regionId) (books.ts) to get the database that holds a book.
 */
import { TRPCError } from "@trpc/server";
import { and, eq, inArray, or, type SQL, sql } from "drizzle-orm";
import { assertNonNegativeWon } from "../../shared/money";
import type { TransferKind } from "../../shared/schemas/wallet";
import { type BatchItem, type Db, runBatch } from "../db/client";
import { ledgerAccounts, ledgerTransfers, type TransferPhase } from "../db/schema";
import { fail } from "../lib/errors";
import { type AccountRef, type AccountRow, ensureAccountStatement, ensureAccountsStatements } from "./accounts";
import { classifyLedgerError, ledgerErrorToTrpc } from "./errors";

export type TransferRow = typeof ledgerTransfers.$inferSelect;

/** Transfer ids: what callers pass as idempotent ids (derive them from your own ids, e.g. `settle:<groupBuyId>`). */
export const TRANSFER_ID_PATTERN = /^[A-Za-z0-9:_./-]{1,160}$/;

export interface TransferSpec {
  id: string;
  book: string;
  debit: AccountRef;
  credit: AccountRef;
  amount: number;
  kind: TransferKind;
  /** "single" (default) moves money now; "pending" reserves it until post/void. */
  phase?: "single" | "pending";
  /** Only for pending: after this instant it cannot be posted and the sweep voids it. */
  expiresAt?: number | null;
  reference?: string | null;
  description?: string;
  meta?: Record<string, string | number | null>;
  now: number;
}

function checkSpec(spec: { id: string; book: string; debit: AccountRef; credit: AccountRef; amount: number }) {
  if (!TRANSFER_ID_PATTERN.test(spec.id)) throw new Error(`ledger: bad transfer id ${JSON.stringify(spec.id)}`);
  assertNonNegativeWon(spec.amount, "amount", 1);
  if (spec.debit.book !== spec.book || spec.credit.book !== spec.book) {
    throw new Error(`ledger: transfer ${spec.id} must stay inside book ${spec.book}`);
  }
}

function transferValues(spec: TransferSpec, phase: TransferPhase, pendingId: string | null) {
  return {
    id: spec.id,
    book: spec.book,
    debitAccountId: spec.debit.id,
    creditAccountId: spec.credit.id,
    amount: spec.amount,
    phase,
    pendingId,
    expiresAt: phase === "pending" ? (spec.expiresAt ?? null) : null,
    kind: spec.kind,
    reference: spec.reference ?? null,
    description: spec.description ?? "",
    meta: spec.meta ?? null,
    createdAt: spec.now,
  };
}

/**
 * The statements of one transfer (create both accounts if missing, insert the row; triggers move the balances).
 * Put them in a batch with your own writes. 3 statements, ≤ 14 bound parameters each.
 */
export function transferStatements(db: Db, spec: TransferSpec): BatchItem[] {
  checkSpec(spec);
  return [
    ensureAccountStatement(db, spec.debit, spec.now),
    ensureAccountStatement(db, spec.credit, spec.now),
    db.insert(ledgerTransfers).values(transferValues(spec, spec.phase ?? "single", null)),
  ];
}

/**
 * Several transfers as batch items: every account they touch ensured once (multi-row), then one insert each. For a
 * batch of many similar transfers (a chunk of holds' discounts) instead of transferStatements' three items each.
 */
export function transfersStatements(db: Db, specs: TransferSpec[]): BatchItem[] {
  if (specs.length === 0) return [];
  const accounts = new Map<string, AccountRef>();
  for (const spec of specs) {
    checkSpec(spec);
    accounts.set(spec.debit.id, spec.debit);
    accounts.set(spec.credit.id, spec.credit);
  }
  return [
    ...ensureAccountsStatements(db, [...accounts.values()], specs[0].now),
    ...specs.map((spec) => db.insert(ledgerTransfers).values(transferValues(spec, spec.phase ?? "single", null))),
  ];
}

/**
 * Settles a pending transfer: post `amount` (≤ pending amount; default all, the rest is released) or void it.
 * Needs the pending row (read it with getTransfer). One statement.
 */
export function settleStatement(
  db: Db,
  args: {
    id: string;
    pending: TransferRow;
    action: "post" | "void";
    amount?: number;
    kind: TransferKind;
    description?: string;
    meta?: Record<string, string | number | null>;
    now: number;
  },
): BatchItem {
  const { pending } = args;
  const amount = args.action === "void" ? pending.amount : (args.amount ?? pending.amount);
  if (!TRANSFER_ID_PATTERN.test(args.id)) throw new Error(`ledger: bad transfer id ${JSON.stringify(args.id)}`);
  assertNonNegativeWon(amount, "amount", 1);
  return db.insert(ledgerTransfers).values({
    id: args.id,
    book: pending.book,
    debitAccountId: pending.debitAccountId,
    creditAccountId: pending.creditAccountId,
    amount,
    phase: args.action,
    pendingId: pending.id,
    expiresAt: null,
    kind: args.kind,
    reference: pending.reference,
    description: args.description ?? "",
    meta: args.meta ?? null,
    createdAt: args.now,
  });
}

export function getTransfer(db: Db, id: string): Promise<TransferRow | undefined> {
  return db.select().from(ledgerTransfers).where(eq(ledgerTransfers.id, id)).get();
}

/**
 * Transfers by id plus the post/void rows that settle any of them: one query, by primary key and the pending_id index.
 * The id list is ONE bound value (a JSON array expanded by json_each), so any number of ids (a settlement chunk's
 * holds) fits under D1's 100 bound values per statement; for a single hold's three ids it costs the same as an IN list.
 */
export function getTransfersWithSettlements(db: Db, ids: string[]): Promise<TransferRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  const list = JSON.stringify(ids);
  return db
    .select()
    .from(ledgerTransfers)
    .where(
      or(
        sql`${ledgerTransfers.id} IN (SELECT value FROM json_each(${list}))`,
        sql`${ledgerTransfers.pendingId} IN (SELECT value FROM json_each(${list}))`,
      ),
    )
    .all();
}

function sameTransfer(row: TransferRow, spec: TransferSpec): boolean {
  return (
    row.book === spec.book &&
    row.debitAccountId === spec.debit.id &&
    row.creditAccountId === spec.credit.id &&
    row.amount === spec.amount &&
    row.phase === (spec.phase ?? "single")
  );
}

/**
 * Runs one transfer on its own, idempotently: a retry with the same id and parameters returns the first row; the same
 * id with other parameters → CONFLICT; an overdraft → PRECONDITION_FAILED.
 */
export async function transfer(db: Db, spec: TransferSpec): Promise<TransferRow> {
  checkSpec(spec);
  try {
    const results = await runBatch(db, [
      ensureAccountStatement(db, spec.debit, spec.now),
      ensureAccountStatement(db, spec.credit, spec.now),
      db
        .insert(ledgerTransfers)
        .values(transferValues(spec, spec.phase ?? "single", null))
        .returning(),
    ]);
    return (results[2] as TransferRow[])[0];
  } catch (e) {
    const failure = classifyLedgerError(e);
    if (failure !== "duplicate_id") ledgerErrorToTrpc(e, failure);
  }
  // the id exists: a retry (same transfer → the first row) or a mistake (different transfer → CONFLICT)
  const row = await getTransfer(db, spec.id);
  if (!row) throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "transfer vanished after a duplicate id" });
  if (!sameTransfer(row, spec)) fail("CONFLICT", `Transfer id ${spec.id} was already used for a different transfer.`);
  return row;
}

/** Accounts by id (missing accounts are simply absent: a never-used account has zero balances). */
export function getAccounts(db: Db, ids: string[]) {
  return db.select().from(ledgerAccounts).where(inArray(ledgerAccounts.id, ids)).all();
}

export function getAccountsOfOwner(db: Db, ownerId: string, book: string) {
  return db
    .select()
    .from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.ownerId, ownerId), eq(ledgerAccounts.book, book)))
    .all();
}

/** An account's movable columns as last read (a never-used account reads as all zero). */
export type AccountSnapshot = Pick<AccountRow, "id" | "debitsPosted" | "creditsPosted" | "debitsPending">;

export function snapshotOf(id: string, row: AccountRow | undefined): AccountSnapshot {
  return {
    id,
    debitsPosted: row?.debitsPosted ?? 0,
    creditsPosted: row?.creditsPosted ?? 0,
    debitsPending: row?.debitsPending ?? 0,
  };
}

/**
 * SQL condition: none of these accounts moved since the snapshot (posted columns only grow, so equal columns mean
 * an equal state). Lets a read-decide-write step (which lot expires, how much a clawback can take) be written as
 * conditional statements that do nothing when they would act on a stale read; the caller re-reads and retries.
 */
export function accountsUnchanged(snapshots: AccountSnapshot[]): SQL {
  const clauses = snapshots.map(
    (s) => sql`NOT EXISTS (SELECT 1 FROM ${ledgerAccounts} WHERE ${ledgerAccounts.id} = ${s.id} AND NOT (
      ${ledgerAccounts.debitsPosted} = ${s.debitsPosted} AND ${ledgerAccounts.creditsPosted} = ${s.creditsPosted}
      AND ${ledgerAccounts.debitsPending} = ${s.debitsPending}))`,
  );
  return sql.join(clauses, sql` AND `);
}

/**
 * Like transferStatements, but the transfer row is inserted only if `condition` (SQL, evaluated inside the INSERT)
 * holds; otherwise the statement inserts nothing and does not fail. Check with getTransfer whether it happened.
 */
export function transferWhereStatements(db: Db, spec: TransferSpec, condition: SQL): BatchItem[] {
  checkSpec(spec);
  if (spec.phase === "pending") throw new Error("ledger: conditional transfers are single-phase");
  const v = transferValues(spec, "single", null);
  const metaJson = v.meta === null ? null : JSON.stringify(v.meta);
  return [
    ensureAccountStatement(db, spec.debit, spec.now),
    ensureAccountStatement(db, spec.credit, spec.now),
    // keys in table column order (drizzle lists the insert columns in that order)
    db.insert(ledgerTransfers).select(
      db
        .select({
          seq: sql<number>`NULL`.as("seq"),
          id: sql<string>`${v.id}`.as("id"),
          book: sql<string>`${v.book}`.as("book"),
          debitAccountId: sql<string>`${v.debitAccountId}`.as("debit_account_id"),
          creditAccountId: sql<string>`${v.creditAccountId}`.as("credit_account_id"),
          amount: sql<number>`${v.amount}`.as("amount"),
          phase: sql<"single">`'single'`.as("phase"),
          pendingId: sql<null>`NULL`.as("pending_id"),
          expiresAt: sql<null>`NULL`.as("expires_at"),
          kind: sql<string>`${v.kind}`.as("kind"),
          reference: sql<string | null>`${v.reference}`.as("reference"),
          description: sql<string>`${v.description}`.as("description"),
          meta: sql<string | null>`${metaJson}`.as("meta"),
          createdAt: sql<number>`${v.createdAt}`.as("created_at"),
        })
        .from(sql`(SELECT 1)`)
        .where(condition),
    ),
  ];
}
