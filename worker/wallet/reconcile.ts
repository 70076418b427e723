import { and, asc, desc, eq, gt, gte, lt, sql } from "drizzle-orm";
import { regionIdSchema } from "../../shared/schemas/common";
import type { JobMessage } from "../../shared/schemas/jobs";
import type { ReconciliationListInput } from "../../shared/schemas/wallet";
import type { Db } from "../db/client";
import { ledgerReconciliations } from "../db/schema";
import { type BookEnv, bookDbByBinding, bookDbsByBinding } from "./books";

export interface AccountMismatch {
  accountId: string;
  cached: { debitsPosted: number; creditsPosted: number; debitsPending: number; creditsPending: number };
  fromRows: { debitsPosted: number; creditsPosted: number; debitsPending: number; creditsPending: number };
}

export interface BookCheck {
  book: string;
  accountsChecked: number;
  /** Σ (credits − debits) posted / pending over the book's cached balances: both must be 0. */
  netPosted: number;
  netPending: number;
  mismatches: AccountMismatch[];
  /** Open pending transfers vs rows in ledger_pending (the sweep's index): must agree. */
  openPending: number;
  pendingIndexRows: number;
  /** Guarded accounts over their limit (the CHECK makes this impossible unless someone bypassed it). */
  overdrawn: string[];
}

export const MAX_REPORTED_MISMATCHES = 50;

type Totals = { dp: number; cp: number; dq: number; cq: number };

/**
 * Recomputes every cached balance of a book from its transfer rows (posted = single + post rows; pending = pending rows
 * with no post/void yet) and compares. A handful of aggregate queries per book, whatever its size.
 */
export async function checkBook(db: Db, book: string): Promise<BookCheck> {
  const rows = await db.all<{
    id: string;
    flags: number;
    debits_posted: number;
    credits_posted: number;
    debits_pending: number;
    credits_pending: number;
    dp: number | null;
    cp: number | null;
    dq: number | null;
    cq: number | null;
  }>(sql`
    WITH open_pending AS (
      SELECT t.* FROM ledger_transfers t
      WHERE t.book = ${book} AND t.phase = 'pending'
        AND NOT EXISTS (SELECT 1 FROM ledger_transfers s WHERE s.pending_id = t.id)
    ), legs AS (
      SELECT debit_account_id AS acct, amount AS dp, 0 AS cp, 0 AS dq, 0 AS cq
        FROM ledger_transfers WHERE book = ${book} AND phase IN ('single', 'post')
      UNION ALL SELECT credit_account_id, 0, amount, 0, 0
        FROM ledger_transfers WHERE book = ${book} AND phase IN ('single', 'post')
      UNION ALL SELECT debit_account_id, 0, 0, amount, 0 FROM open_pending
      UNION ALL SELECT credit_account_id, 0, 0, 0, amount FROM open_pending
    ), totals AS (
      SELECT acct, sum(dp) AS dp, sum(cp) AS cp, sum(dq) AS dq, sum(cq) AS cq FROM legs GROUP BY acct
    )
    SELECT a.id, a.flags, a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending,
           x.dp, x.cp, x.dq, x.cq
    FROM ledger_accounts a LEFT JOIN totals x ON x.acct = a.id
    WHERE a.book = ${book}`);
  const mismatches: AccountMismatch[] = [];
  const overdrawn: string[] = [];
  let netPosted = 0;
  let netPending = 0;
  for (const r of rows) {
    const cached = {
      debitsPosted: r.debits_posted,
      creditsPosted: r.credits_posted,
      debitsPending: r.debits_pending,
      creditsPending: r.credits_pending,
    };
    const t: Totals = { dp: r.dp ?? 0, cp: r.cp ?? 0, dq: r.dq ?? 0, cq: r.cq ?? 0 };
    const fromRows = { debitsPosted: t.dp, creditsPosted: t.cp, debitsPending: t.dq, creditsPending: t.cq };
    if (JSON.stringify(cached) !== JSON.stringify(fromRows)) mismatches.push({ accountId: r.id, cached, fromRows });
    netPosted += r.credits_posted - r.debits_posted;
    netPending += r.credits_pending - r.debits_pending;
    if ((r.flags & 1) !== 0 && r.debits_posted + r.debits_pending > r.credits_posted) overdrawn.push(r.id);
  }
  const counts = await db.get<{ open: number; indexed: number }>(sql`
    SELECT
      (SELECT count(*) FROM ledger_transfers t WHERE t.book = ${book} AND t.phase = 'pending'
         AND NOT EXISTS (SELECT 1 FROM ledger_transfers s WHERE s.pending_id = t.id)) AS open,
      (SELECT count(*) FROM ledger_pending WHERE book = ${book}) AS indexed`);
  return {
    book,
    accountsChecked: rows.length,
    netPosted,
    netPending,
    mismatches,
    openPending: counts?.open ?? 0,
    pendingIndexRows: counts?.indexed ?? 0,
    overdrawn,
  };
}

export function isClean(check: BookCheck): boolean {
  return (
    check.mismatches.length === 0 &&
    check.netPosted === 0 &&
    check.netPending === 0 &&
    check.openPending === check.pendingIndexRows &&
    check.overdrawn.length === 0
  );
}

export async function listBooks(db: Db): Promise<string[]> {
  const rows = await db.all<{ book: string }>(sql`SELECT DISTINCT book FROM ledger_accounts ORDER BY book`);
  return rows.map((r) => r.book);
}

/** A book's row for one run: a redelivered job finds it and adds nothing. */
export const reconciliationId = (book: string, runAt: number) => `${book}:${runAt}`;

/**
 * Checks one book, stores its row for the run at `runAt` (once per book and run), logs any difference loudly — again
 * on a redelivery: an alert twice beats none if the first delivery stopped between the row and the log.
 */
export async function reconcileBook(db: Db, book: string, runAt: number): Promise<BookCheck> {
  const check = await checkBook(db, book);
  const problems = [
    ...check.mismatches.slice(0, MAX_REPORTED_MISMATCHES),
    ...check.overdrawn.map((accountId) => ({ accountId, overdrawn: true })),
    ...(check.openPending !== check.pendingIndexRows
      ? [{ openPending: check.openPending, pendingIndexRows: check.pendingIndexRows }]
      : []),
  ];
  await db
    .insert(ledgerReconciliations)
    .values({
      id: reconciliationId(book, runAt),
      book,
      ranAt: runAt,
      accountsChecked: check.accountsChecked,
      mismatchCount: check.mismatches.length,
      netPosted: check.netPosted,
      netPending: check.netPending,
      details: problems,
    })
    .onConflictDoNothing();
  if (!isClean(check)) {
    console.error(
      JSON.stringify({ level: "error", event: "ledger.reconciliation_failed", runAt, ...check, mismatches: problems }),
    );
  }
  return check;
}

export type ReconcileBookJob = Extract<JobMessage, { type: "wallet.reconcileBook" }>;

/**
 * The jobs of a reconciliation run at `runAt` (the daily cron's, or an admin's on demand; started through
 * worker/wallet/reconcileRuns.ts): one `wallet.reconcileBook` job per book of every book database; the consumer checks
 * it and stores its row (in the book's database) for the run. Starting it costs one listing query per database and a
 * sendBatch per 100 books: checking ~330 books inline (~3 queries each) passed D1's 1,000 queries per invocation. A
 * book whose id no job can carry is logged, never skipped silently.
 */
export async function reconciliationJobs(env: BookEnv, runAt: number): Promise<ReconcileBookJob[]> {
  const jobs: ReconcileBookJob[] = [];
  for (const { binding, db } of bookDbsByBinding(env)) {
    for (const book of await listBooks(db)) {
      if (regionIdSchema.safeParse(book).success) {
        jobs.push({ type: "wallet.reconcileBook", database: binding, book, runAt });
      } else {
        console.error(
          JSON.stringify({
            level: "error",
            event: "ledger.reconciliation_failed",
            database: binding,
            book,
            runAt,
            error: "not a region id",
          }),
        );
      }
    }
  }
  return jobs;
}

export function runReconcileBookJob(env: BookEnv, job: ReconcileBookJob): Promise<BookCheck> {
  return reconcileBook(bookDbByBinding(env, job.database), job.book, job.runAt);
}

export type ReconciliationRow = typeof ledgerReconciliations.$inferSelect & { database: string };

/** A run's rows in (book, database) order; the latest rows newest first. */
const byBook = (a: ReconciliationRow, b: ReconciliationRow) =>
  compare(a.book, b.book) || compare(a.database, b.database);
const newestFirst = (a: ReconciliationRow, b: ReconciliationRow) => b.ranAt - a.ranAt || byBook(a, b);
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Reconciliation rows of every book database (each row stays in the database of its book): the `limit` latest, or
 * those of the run at `run.at` by book after `run.after`. Each database returns at most `limit` rows in the same
 * order, so the merged first `limit` are exact; one query per book database.
 */
export async function listReconciliations(env: BookEnv, input: ReconciliationListInput): Promise<ReconciliationRow[]> {
  const t = ledgerReconciliations;
  const { run, limit } = input;
  const perDatabase = await Promise.all(
    bookDbsByBinding(env).map(async ({ binding, db }) => {
      const rows = run
        ? await db
            .select()
            .from(t)
            .where(and(eq(t.ranAt, run.at), run.after && afterBook(binding, run.after)))
            .orderBy(asc(t.book))
            .limit(limit)
            .all()
        : await db.select().from(t).orderBy(desc(t.ranAt), asc(t.book)).limit(limit).all();
      return rows.map((row) => ({ ...row, database: binding }));
    }),
  );
  return perDatabase
    .flat()
    .sort(run ? byBook : newestFirst)
    .slice(0, limit);
}

/** Rows of `database` that come after the row (`after.book`, `after.database`) in (book, database) order. */
function afterBook(database: string, after: { book: string; database: string }) {
  const t = ledgerReconciliations;
  return compare(database, after.database) > 0 ? gte(t.book, after.book) : gt(t.book, after.book);
}

/** Rows kept this long; the daily cron deletes older ones in every book database (where they are written). */
export const RECONCILIATION_RETENTION_MS = 90 * 86_400_000;

export async function pruneReconciliations(env: BookEnv, now: number): Promise<void> {
  for (const { db } of bookDbsByBinding(env)) {
    await db.delete(ledgerReconciliations).where(lt(ledgerReconciliations.ranAt, now - RECONCILIATION_RETENTION_MS));
  }
}
