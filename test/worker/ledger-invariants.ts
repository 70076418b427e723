import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach } from "vitest";
import { type Db, getDb } from "../../worker/db/client";
import { checkBook, isClean, listBooks } from "../../worker/wallet/reconcile";
import { booksOfThisFile, booksSince, type LedgerMark, ledgerMark } from "./file-scope";

/**
 * Call at the end of any test that moves points. Throws (with the offending accounts) unless, for every book:
 * Σ (credits − debits) = 0 posted and pending, every cached balance equals the sum of its transfer rows, no guarded
 * account (user points, escrow, payables) is overdrawn, the open-holds index matches the rows, and every pending
 * transfer is settled at most once by a post/void of the same book and accounts. Without `books`: every book this test
 * file wrote to (files share one database, see file-scope.ts).
 */
export async function assertLedgerInvariants(db: Db = getDb(env), books?: string[]): Promise<void> {
  const problems: unknown[] = [];
  for (const book of books ?? (await booksOfThisFile()) ?? (await listBooks(db))) {
    const check = await checkBook(db, book);
    if (!isClean(check)) problems.push(check);
  }
  const badSettlements = await db.all<{ id: string }>(sql`
    SELECT s.id FROM ledger_transfers s LEFT JOIN ledger_transfers p ON p.id = s.pending_id
    WHERE s.pending_id IS NOT NULL AND (p.id IS NULL OR p.phase <> 'pending' OR p.book <> s.book
      OR p.debit_account_id <> s.debit_account_id OR p.credit_account_id <> s.credit_account_id
      OR (s.phase = 'post' AND s.amount > p.amount) OR (s.phase = 'void' AND s.amount <> p.amount))
    LIMIT 20`);
  if (badSettlements.length) problems.push({ badSettlements });
  if (problems.length) throw new Error(`ledger invariants broken:\n${JSON.stringify(problems, null, 2)}`);
}

/**
 * Issue 5's "the ledger invariants hold after every test": after each test of the file that calls this, the books
 * written since that test began (a late write of a test's queue jobs falls into the next test's window). Checking
 * every book of the file after each test instead re-checked the same books again and again (~4 s more per run).
 */
export function checkLedgerAfterEachTest(): void {
  let mark: LedgerMark | undefined;
  beforeEach(async () => {
    mark = await ledgerMark();
  });
  afterEach(async () => {
    if (mark) await assertLedgerInvariants(getDb(env), await booksSince(mark));
  }, 60_000);
}
