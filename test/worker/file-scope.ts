import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";

/**
 * Most workers test files share one runtime (vitest.config.ts: isolate: false), so D1, Durable Objects and the Queue
 * outlive a file. What a file used to get from a fresh database it gets from here: where its rows begin (so "every
 * book" in a file's ledger check means the books this file wrote to, as before) and, at its end, the alarms of the
 * group-buy rooms it opened are cancelled (a torn-down runtime never fired them either).
 */
/** Where the ledger's rows stood at some moment: rows after it were written since. */
export interface LedgerMark {
  ledgerAccountsFrom: number;
  ledgerTransfersFrom: number;
}

const FILE_SCOPE = Symbol.for("gonggu.test.fileScope");
const slot = globalThis as unknown as { [FILE_SCOPE]?: LedgerMark };

export async function ledgerMark(): Promise<LedgerMark> {
  const row = await env.DB.prepare(
    `SELECT (SELECT coalesce(max(rowid), 0) FROM ledger_accounts) AS accounts,
            (SELECT coalesce(max(rowid), 0) FROM ledger_transfers) AS transfers`,
  ).first<{ accounts: number; transfers: number }>();
  return { ledgerAccountsFrom: row?.accounts ?? 0, ledgerTransfersFrom: row?.transfers ?? 0 };
}

export async function beginFileScope(): Promise<void> {
  slot[FILE_SCOPE] = await ledgerMark();
}

/** Books with an account opened or a transfer written since `mark`. */
export async function booksSince(mark: LedgerMark): Promise<string[]> {
  const { results } = await env.DB.prepare(
    `SELECT book FROM ledger_accounts WHERE rowid > ?1 UNION SELECT book FROM ledger_transfers WHERE rowid > ?2
     ORDER BY book`,
  )
    .bind(mark.ledgerAccountsFrom, mark.ledgerTransfersFrom)
    .all<{ book: string }>();
  return results.map((r) => r.book);
}

/** Books with an account opened or a transfer written since this file started (undefined: outside a test file). */
export async function booksOfThisFile(): Promise<string[] | undefined> {
  const scope = slot[FILE_SCOPE];
  return scope ? booksSince(scope) : undefined;
}

/** Cancels the pending alarm of each room (deadline, healing and mirror retries are the file's business only). */
export async function cancelRoomAlarms(rooms: DurableObjectStub[]): Promise<void> {
  for (const stub of rooms) {
    await runInDurableObject(stub, async (_instance, state) => {
      await state.storage.deleteAlarm();
    });
  }
}
