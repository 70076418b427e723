/**
 * Spending a user's points. One wallet-wide rule: REWARD POINTS FIRST, then charged points (reward points are not
 * refundable as cash, so using them first is the user's best outcome; membership lots then expire less). Holds
 * (holds.ts, phase "pending") and immediate spends (below, phase "single", e.g. a membership fee) both use
 * rewardFirstStatements, which computes the split inside the batch.
 *
 *   spendPoints(db, { id, userId, book, amount, credit, kind, now }, extra?) → Spend
 *       Moves `amount` now: legs `${id}:r` (reward) and `${id}:c` (charged) to `credit`, in one batch with your
 *       `extra` statements (they commit iff the spend does). Idempotent by id: a repeat returns the first spend and
 *       does not run `extra` again. Not enough points → PRECONDITION_FAILED with details.shortfall.
 */
import { and, eq, inArray, type Placeholder, type SQL, sql } from "drizzle-orm";
import type { TransferKind } from "../../shared/schemas/wallet";
import { type BatchItem, type Db, runBatch } from "../db/client";
import { type Placeholders, prepared } from "../db/prepared";
import { ledgerAccounts, ledgerTransfers } from "../db/schema";
import { type AccountRef, balanceOf, ensureAccountStatement, userChargedAccount, userRewardAccount } from "./accounts";
import { classifyLedgerError, ledgerErrorToTrpc, notEnoughPoints } from "./errors";
import { getAccounts, type TransferRow } from "./ledger";

export interface Funds {
  charged: number;
  reward: number;
}

/** What the user can spend now from each account (posted minus what holds reserve). */
export async function readSpendable(db: Db, userId: string, book: string): Promise<Funds> {
  const charged = userChargedAccount(userId, book);
  const reward = userRewardAccount(userId, book);
  const rows = await getAccounts(db, [charged.id, reward.id]);
  return {
    charged: Math.max(0, balanceOf(rows.find((r) => r.id === charged.id)).available),
    reward: Math.max(0, balanceOf(rows.find((r) => r.id === reward.id)).available),
  };
}

export const spendLegIds = (id: string) => ({ reward: `${id}:r`, charged: `${id}:c` });

export interface RewardFirstSpec {
  /** Leg ids are `${id}:r` and `${id}:c`. */
  id: string;
  userId: string;
  book: string;
  amount: number;
  credit: AccountRef;
  phase: "pending" | "single";
  /** Only for pending. */
  expiresAt?: number | null;
  kind: TransferKind;
  reference?: string | null;
  description: string;
  meta: Record<string, string | number | null>;
  now: number;
}

/** Index of the two leg statements in rewardFirstStatements' result (each RETURNs the row it inserted, if any). */
export const REWARD_FIRST_LEGS = [3, 4] as const;

/** The accounts a reward-first spend touches: its destination and the user's two point accounts. */
export function rewardFirstAccounts(spec: Pick<RewardFirstSpec, "userId" | "book" | "credit">): AccountRef[] {
  return [spec.credit, userRewardAccount(spec.userId, spec.book), userChargedAccount(spec.userId, spec.book)];
}

/**
 * ensure accounts (3), then the two legs as INSERT ... SELECT: the reward leg takes min(amount, reward available)
 * read at execution time, the charged leg the rest. If the charged account cannot cover the rest, its CHECK fails and
 * the batch rolls back: the guard, not a prior read, decides.
 */
export function rewardFirstStatements(db: Db, spec: RewardFirstSpec): BatchItem[] {
  return [
    ...rewardFirstAccounts(spec).map((ref) => ensureAccountStatement(db, ref, spec.now)),
    ...rewardFirstLegs(db, spec, false),
  ];
}

/**
 * The two legs alone (their accounts must exist: put ensureAccountStatement for rewardFirstAccounts(spec) before
 * them). `guarded`: for a batch shared by several spends (a group commit), where one spend must not fail the others,
 * each leg also checks in SQL that the user's two accounts together cover the whole amount and that neither leg id
 * exists yet; a spend that cannot be placed inserts nothing (no CHECK failure, no duplicate-id error) and the caller
 * sees that no leg came back. The CHECK on the accounts stays the last word either way.
 */
export function rewardFirstLegs(db: Db, spec: RewardFirstSpec, guarded: boolean): [BatchItem, BatchItem] {
  const ids = spendLegIds(spec.id);
  const values: Record<LegValue, string | number | null> = {
    rewardLeg: ids.reward,
    chargedLeg: ids.charged,
    rewardAccount: userRewardAccount(spec.userId, spec.book).id,
    chargedAccount: userChargedAccount(spec.userId, spec.book).id,
    credit: spec.credit.id,
    amount: spec.amount,
    phase: spec.phase,
    expiresAt: spec.phase === "pending" ? (spec.expiresAt ?? null) : null,
    kind: spec.kind,
    reference: spec.reference ?? null,
    description: spec.description,
    meta: JSON.stringify(spec.meta),
    now: spec.now,
  };
  const variant = guarded ? "guarded" : "plain";
  return [
    prepared(db, `spend.rewardLeg.${variant}`, (p) => legStatements(db, p, guarded)[0], values),
    prepared(db, `spend.chargedLeg.${variant}`, (p) => legStatements(db, p, guarded)[1], values),
  ];
}

type LegValue =
  | "rewardLeg"
  | "chargedLeg"
  | "rewardAccount"
  | "chargedAccount"
  | "credit"
  | "amount"
  | "phase"
  | "expiresAt"
  | "kind"
  | "reference"
  | "description"
  | "meta"
  | "now";

/**
 * The two legs' INSERT ... SELECTs with a placeholder for every value: drizzle builds them once per isolate
 * (worker/db/prepared.ts), where building them for every spend cost ~0.5 ms of CPU (a hold group commit builds two per
 * join).
 */
function legStatements(db: Db, placeholder: Placeholders, guarded: boolean) {
  const p = (name: LegValue) => placeholder(name);
  const a = ledgerAccounts;
  const available = sql<number>`(${a.creditsPosted} - ${a.debitsPosted} - ${a.debitsPending})`;
  const chargedAvailable = sql<number>`coalesce((SELECT credits_posted - debits_posted - debits_pending FROM ledger_accounts WHERE id = ${p("chargedAccount")}), 0)`;
  const rewardTaken = sql<number>`coalesce((SELECT amount FROM ledger_transfers WHERE id = ${p("rewardLeg")}), 0)`;
  const legAbsent = (id: Placeholder) => sql`NOT EXISTS (SELECT 1 FROM ledger_transfers WHERE id = ${id})`;
  const leg = (id: Placeholder, from: Placeholder, amount: SQL<number>, condition: SQL | undefined) =>
    db
      .insert(ledgerTransfers)
      .select(
        db
          .select({
            seq: sql<number>`NULL`.as("seq"),
            id: sql<string>`${id}`.as("id"),
            book: a.book,
            debitAccountId: a.id,
            creditAccountId: sql<string>`${p("credit")}`.as("credit_account_id"),
            amount: amount.as("amount"),
            phase: sql<"pending" | "single">`${p("phase")}`.as("phase"),
            pendingId: sql<null>`NULL`.as("pending_id"),
            expiresAt: sql<number | null>`${p("expiresAt")}`.as("expires_at"),
            kind: sql<string>`${p("kind")}`.as("kind"),
            reference: sql<string | null>`${p("reference")}`.as("reference"),
            description: sql<string>`${p("description")}`.as("description"),
            meta: sql<string>`${p("meta")}`.as("meta"),
            createdAt: sql<number>`${p("now")}`.as("created_at"),
          })
          .from(a)
          .where(and(eq(a.id, from), condition)),
      )
      .returning();
  const amount = p("amount");
  const rest = sql<number>`${amount} - ${rewardTaken}`;
  return [
    leg(
      p("rewardLeg"),
      p("rewardAccount"),
      sql<number>`min(${amount}, ${available})`,
      guarded
        ? sql`${available} > 0 AND ${available} + ${chargedAvailable} >= ${amount} AND ${legAbsent(p("rewardLeg"))} AND ${legAbsent(p("chargedLeg"))}`
        : sql`${available} > 0`,
    ),
    leg(
      p("chargedLeg"),
      p("chargedAccount"),
      rest,
      guarded ? sql`${rest} > 0 AND ${available} >= ${rest} AND ${legAbsent(p("chargedLeg"))}` : sql`${rest} > 0`,
    ),
  ] as const;
}

/** The legs a rewardFirstStatements batch inserted. */
export function insertedLegs(results: unknown[]): TransferRow[] {
  return REWARD_FIRST_LEGS.flatMap((i) => results[i] as TransferRow[]);
}

/** The typed error for a reward-first batch that hit the overdraft guard: how much is missing, read now. */
export async function shortfallError(db: Db, userId: string, book: string, amount: number) {
  const funds = await readSpendable(db, userId, book);
  return notEnoughPoints(Math.max(1, amount - funds.charged - funds.reward));
}

export interface SpendSpec {
  id: string;
  userId: string;
  book: string;
  amount: number;
  credit: AccountRef;
  kind: TransferKind;
  reference?: string | null;
  description?: string;
  meta?: Record<string, string | number | null>;
  now: number;
}

export interface Spend {
  id: string;
  amount: number;
  fromReward: number;
  fromCharged: number;
  /** True when this call found the spend already done (a retry). */
  replayed: boolean;
}

function toSpend(id: string, legs: Pick<TransferRow, "id" | "amount">[], replayed: boolean): Spend {
  const ids = spendLegIds(id);
  const fromReward = legs.find((l) => l.id === ids.reward)?.amount ?? 0;
  const fromCharged = legs.find((l) => l.id === ids.charged)?.amount ?? 0;
  return { id, amount: fromReward + fromCharged, fromReward, fromCharged, replayed };
}

async function existingSpend(db: Db, id: string): Promise<Spend | null> {
  const ids = spendLegIds(id);
  const legs = await db
    .select({ id: ledgerTransfers.id, amount: ledgerTransfers.amount })
    .from(ledgerTransfers)
    .where(inArray(ledgerTransfers.id, [ids.reward, ids.charged]))
    .all();
  return legs.length ? toSpend(id, legs, true) : null;
}

export async function spendPoints(db: Db, spec: SpendSpec, extra: BatchItem[] = []): Promise<Spend> {
  const before = await existingSpend(db, spec.id);
  if (before) return before;
  const statements = rewardFirstStatements(db, {
    ...spec,
    phase: "single",
    description: spec.description ?? "Points used",
    meta: { ...spec.meta, userId: spec.userId },
  });
  try {
    return toSpend(spec.id, insertedLegs(await runBatch(db, [...statements, ...extra])), false);
  } catch (e) {
    const failure = classifyLedgerError(e);
    if (failure === "duplicate_id") {
      const raced = await existingSpend(db, spec.id);
      if (raced) return raced;
    }
    if (failure !== "overdraft") ledgerErrorToTrpc(e, failure);
    throw await shortfallError(db, spec.userId, spec.book, spec.amount);
  }
}
