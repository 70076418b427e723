import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// The points ledger (worker/wallet/ledger.ts explains the model). Balances below are caches maintained ONLY by the
// triggers in migrations/*_ledger_triggers.sql; application code never writes them.

/** Account flag bits (TigerBeetle-style). */
export const DEBITS_MUST_NOT_EXCEED_CREDITS = 1;
export const CREDITS_MUST_NOT_EXCEED_DEBITS = 2;

export const ledgerAccounts = sqliteTable(
  "ledger_accounts",
  {
    /** Deterministic: `${book}:${kind}:${ownerId}` so a batch can create-if-missing without a read. */
    id: text("id").primaryKey(),
    /** The region whose closed book this account belongs to. */
    book: text("book").notNull(),
    kind: text("kind").notNull(),
    ownerId: text("owner_id").notNull(),
    flags: integer("flags").notNull().default(0),
    debitsPosted: integer("debits_posted").notNull().default(0),
    creditsPosted: integer("credits_posted").notNull().default(0),
    debitsPending: integer("debits_pending").notNull().default(0),
    creditsPending: integer("credits_pending").notNull().default(0),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    index("ledger_accounts_owner_idx").on(t.ownerId, t.book),
    index("ledger_accounts_book_idx").on(t.book, t.kind),
    // The overdraft guard: any statement (trigger) that would break it fails, and with it the whole db.batch().
    check(
      "ledger_accounts_no_overdraft",
      sql`(${t.flags} & 1) = 0 OR ${t.debitsPosted} + ${t.debitsPending} <= ${t.creditsPosted}`,
    ),
    check(
      "ledger_accounts_no_overcredit",
      sql`(${t.flags} & 2) = 0 OR ${t.creditsPosted} + ${t.creditsPending} <= ${t.debitsPosted}`,
    ),
    check(
      "ledger_accounts_nonnegative",
      sql`${t.debitsPosted} >= 0 AND ${t.creditsPosted} >= 0 AND ${t.debitsPending} >= 0 AND ${t.creditsPending} >= 0`,
    ),
  ],
);

export const TRANSFER_PHASES = ["single", "pending", "post", "void"] as const;
export type TransferPhase = (typeof TRANSFER_PHASES)[number];

/** Immutable (triggers refuse UPDATE and DELETE). A pending transfer is settled by exactly one post or void row. */
export const ledgerTransfers = sqliteTable(
  "ledger_transfers",
  {
    /** Insertion order within one database: the history cursor. */
    seq: integer("seq").primaryKey(),
    /** Caller-chosen idempotent id: the same id never moves money twice. */
    id: text("id").notNull(),
    book: text("book").notNull(),
    debitAccountId: text("debit_account_id")
      .notNull()
      .references(() => ledgerAccounts.id),
    creditAccountId: text("credit_account_id")
      .notNull()
      .references(() => ledgerAccounts.id),
    amount: integer("amount").notNull(),
    phase: text("phase", { enum: TRANSFER_PHASES }).notNull(),
    /** For post/void: the pending transfer it settles. */
    pendingId: text("pending_id"),
    /** For pending: after this instant it can no longer be posted; the sweep voids it. */
    expiresAt: integer("expires_at"),
    kind: text("kind").notNull(),
    /** What it belongs to, e.g. "groupbuy:<id>", "charge:<id>". */
    reference: text("reference"),
    description: text("description").notNull().default(""),
    /** Structured parameters for the client to render a localized line. */
    meta: text("meta", { mode: "json" }).$type<Record<string, string | number | null>>(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("ledger_transfers_id_unique").on(t.id),
    // exactly one post-or-void per pending transfer
    uniqueIndex("ledger_transfers_pending_unique").on(t.pendingId).where(sql`pending_id IS NOT NULL`),
    index("ledger_transfers_debit_idx").on(t.debitAccountId, t.seq),
    index("ledger_transfers_credit_idx").on(t.creditAccountId, t.seq),
    index("ledger_transfers_reference_idx").on(t.reference),
    index("ledger_transfers_book_idx").on(t.book, t.phase),
  ],
);

/** Open (unsettled) pending transfers: maintained by the triggers; what the expiry sweep scans. */
export const ledgerPending = sqliteTable(
  "ledger_pending",
  {
    transferId: text("transfer_id").primaryKey(),
    book: text("book").notNull(),
    expiresAt: integer("expires_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("ledger_pending_expiry_idx").on(t.expiresAt).where(sql`expires_at IS NOT NULL`)],
);

/** One row per book per reconciliation run; an admin reads them. */
export const ledgerReconciliations = sqliteTable(
  "ledger_reconciliations",
  {
    id: text("id").primaryKey(),
    book: text("book").notNull(),
    ranAt: integer("ran_at").notNull(),
    accountsChecked: integer("accounts_checked").notNull(),
    mismatchCount: integer("mismatch_count").notNull(),
    /** Σ (credits − debits) over the book's accounts, posted and pending: both must be 0. */
    netPosted: integer("net_posted").notNull(),
    netPending: integer("net_pending").notNull(),
    details: text("details", { mode: "json" }).$type<unknown[]>().notNull(),
  },
  (t) => [index("ledger_reconciliations_ran_idx").on(t.ranAt)],
);

/**
 * The latest reconciliation run, the daily cron's or an admin's (one row, id "latest", in the main database): a start
 * while it is in progress answers with it instead of queueing every book again (worker/wallet/reconcileRuns.ts).
 */
export const reconciliationRuns = sqliteTable("reconciliation_runs", {
  id: text("id").primaryKey(),
  runAt: integer("run_at").notNull(),
  /** Jobs the run queued: it is complete once as many ledger_reconciliations rows of `run_at` exist. */
  books: integer("books").notNull(),
  startedBy: text("started_by").notNull(),
});

/** Stripe-style idempotency keys for every money-moving procedure (worker/lib/idempotency.ts). */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    userId: text("user_id").notNull(),
    key: text("key").notNull(),
    /** SHA-256 of scope + canonical request: a reuse with other parameters is a CONFLICT. */
    requestHash: text("request_hash").notNull(),
    scope: text("scope").notNull(),
    status: text("status", { enum: ["in_progress", "done"] }).notNull(),
    /** { ok: true, data } or { ok: false, code, message, details } */
    response: text("response"),
    createdAt: integer("created_at").notNull(),
    /** When the current attempt started; a stale in-progress attempt (crashed worker) may be taken over. */
    lockedAt: integer("locked_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] }), index("idempotency_keys_created_idx").on(t.createdAt)],
);

/**
 * Users who moved away from a book, in the database that holds that book (wallet/books.ts moveUserBook): points that
 * land there afterwards (a hold released, a refund) are strays the daily cron sends home. A database of its own has
 * no users table to compare homes with, so this is how its strays are found (queueStrayBalances).
 */
export const bookDepartures = sqliteTable(
  "book_departures",
  {
    userId: text("user_id").notNull(),
    book: text("book").notNull(),
    movedAt: integer("moved_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.book] })],
);
