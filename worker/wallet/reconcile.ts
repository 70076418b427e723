import { desc, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { ledgerReconciliations } from "../db/schema";
import { newId } from "../lib/ids";

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

/** Cron: checks every book in a database, stores one row per book, logs any difference loudly. */
export async function reconcileAll(db: Db, now: number): Promise<BookCheck[]> {
  const checks: BookCheck[] = [];
  for (const book of await listBooks(db)) {
    const check = await checkBook(db, book);
    checks.push(check);
    const problems = [
      ...check.mismatches.slice(0, MAX_REPORTED_MISMATCHES),
      ...check.overdrawn.map((accountId) => ({ accountId, overdrawn: true })),
      ...(check.openPending !== check.pendingIndexRows
        ? [{ openPending: check.openPending, pendingIndexRows: check.pendingIndexRows }]
        : []),
    ];
    await db.insert(ledgerReconciliations).values({
      id: newId(now),
      book,
      ranAt: now,
      accountsChecked: check.accountsChecked,
      mismatchCount: check.mismatches.length,
      netPosted: check.netPosted,
      netPending: check.netPending,
      details: problems,
    });
    if (!isClean(check)) {
      console.error(
        JSON.stringify({ level: "error", event: "ledger.reconciliation_failed", ...check, mismatches: problems }),
      );
    }
  }
  return checks;
}

export function latestReconciliations(db: Db, limit: number) {
  return db.select().from(ledgerReconciliations).orderBy(desc(ledgerReconciliations.ranAt)).limit(limit).all();
}
