import { chunks, type Db, valuesPerRow } from "../db/client";
import { preparedRows } from "../db/prepared";
import { DEBITS_MUST_NOT_EXCEED_CREDITS, ledgerAccounts } from "../db/schema";

/**
 * Ledger account kinds. Sign convention: an account's balance is credits − debits. Accounts that hold value FOR
 * someone (a user's points, an escrow, what we owe a seller, revenue) are liabilities/income and carry a positive
 * balance; accounts that are the other side of money coming in (PG clearing = the gateway owes us, receivables,
 * expenses) carry a negative one. Each transfer debits one account and credits another by the same amount in the same
 * book, so Σ balance over a book is 0 at all times (posted and pending separately).
 */
export const ACCOUNT_KINDS = {
  /** Points the user paid for (refundable, Korean prepaid rules). */
  user_charged: { guarded: true },
  /** Reward/promotional points (not refundable; membership issues and expires them). */
  user_reward: { guarded: true },
  /** One per group buy: captured holds wait here until settlement or refund. */
  groupbuy_escrow: { guarded: true },
  /** What we owe a seller for a settled group buy, before the payout delay passes. */
  seller_payable_pending: { guarded: true },
  seller_payable_available: { guarded: true },
  /** Holds placed without a destination wait here (pending) until postHold says where they go. */
  hold_clearing: { guarded: true },
  platform_fee_revenue: { guarded: true },
  /** Membership plan fees (Gonggu Plus) paid with points. */
  membership_revenue: { guarded: true },
  /** Money the card gateway owes us for approved charges (debit-normal). */
  pg_clearing: { guarded: false },
  /** Points granted before a deferred card charge succeeded (debit-normal). */
  deferred_receivable: { guarded: false },
  /** Promotional grants are paid from here (debit-normal). */
  promotion_expense: { guarded: false },
  /** Reward points that expired (membership). */
  reward_expiry: { guarded: false },
  /** Debts we gave up on (debit-normal). */
  write_off: { guarded: false },
  /** Points leaving / arriving with a user who moves to another region's book (worker/wallet/books.ts). */
  book_transit: { guarded: false },
} as const satisfies Record<string, { guarded: boolean }>;

export type AccountKind = keyof typeof ACCOUNT_KINDS;

/** Owner id of the per-book platform accounts. */
export const PLATFORM = "platform";

export interface AccountRef {
  id: string;
  book: string;
  kind: AccountKind;
  ownerId: string;
}

/** Deterministic id, so statements can create an account on first use without reading first. */
export function accountRef(book: string, kind: AccountKind, ownerId: string): AccountRef {
  return { id: `${book}:${kind}:${ownerId}`, book, kind, ownerId };
}

/** The inverse of accountRef (ids are `${book}:${kind}:${ownerId}`). */
export function parseAccountId(id: string): AccountRef {
  const [book, kind, ...owner] = id.split(":");
  if (!(kind in ACCOUNT_KINDS) || !book || owner.length === 0) throw new Error(`ledger: not an account id: ${id}`);
  return accountRef(book, kind as AccountKind, owner.join(":"));
}

export const userChargedAccount = (userId: string, book: string) => accountRef(book, "user_charged", userId);
export const userRewardAccount = (userId: string, book: string) => accountRef(book, "user_reward", userId);
export const escrowAccount = (groupBuyId: string, book: string) => accountRef(book, "groupbuy_escrow", groupBuyId);
export const sellerPayablePendingAccount = (sellerId: string, book: string) =>
  accountRef(book, "seller_payable_pending", sellerId);
export const sellerPayableAvailableAccount = (sellerId: string, book: string) =>
  accountRef(book, "seller_payable_available", sellerId);
/** The per-book platform account of a kind (pg_clearing, platform_fee_revenue, promotion_expense, ...). */
export const platformAccount = (kind: AccountKind, book: string) => accountRef(book, kind, PLATFORM);

export function accountFlags(kind: AccountKind): number {
  return ACCOUNT_KINDS[kind].guarded ? DEBITS_MUST_NOT_EXCEED_CREDITS : 0;
}

/** INSERT ... ON CONFLICT DO NOTHING: cheap to repeat in every batch that uses the account. */
export function ensureAccountStatement(db: Db, ref: AccountRef, now: number) {
  return ensureAccountsStatements(db, [ref], now)[0];
}

/**
 * ensureAccountStatement for many accounts: multi-row inserts of ≤ 100 bound values each (a group commit's). Built by
 * drizzle once per isolate and row count (prepared.ts): building an n-row insert cost ~0.5 ms of CPU, once per hold
 * group commit and settlement batch, on the one thread a local runtime has (session 16's profile of a fill).
 */
export function ensureAccountsStatements(db: Db, refs: AccountRef[], now: number) {
  return chunks(refs, valuesPerRow(ledgerAccounts)).map((part) =>
    preparedRows(
      db,
      "accounts.ensure",
      part.map((ref) => ({
        id: ref.id,
        book: ref.book,
        kind: ref.kind,
        ownerId: ref.ownerId,
        flags: accountFlags(ref.kind),
        createdAt: now,
      })),
      (rows) => db.insert(ledgerAccounts).values(rows).onConflictDoNothing({ target: ledgerAccounts.id }),
    ),
  );
}

export type AccountRow = typeof ledgerAccounts.$inferSelect;

/** Posted balance (credits − debits) and what is still spendable after pending debits. */
export function balanceOf(row: Pick<AccountRow, "debitsPosted" | "creditsPosted" | "debitsPending"> | undefined) {
  if (!row) return { balance: 0, pendingDebits: 0, available: 0 };
  const balance = row.creditsPosted - row.debitsPosted;
  return { balance, pendingDebits: row.debitsPending, available: balance - row.debitsPending };
}
