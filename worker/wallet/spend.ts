/**
 * Spending a user's points. One wallet-wide rule: REWARD POINTS FIRST, then charged points (reward points are not
 * refundable as cash, so using them first is the user's best outcome). Holds (holds.ts) and immediate spends (below,
 * e.g. a membership fee) both split with splitRewardFirst.
 *
 *   spendPoints(db, { id, userId, book, amount, credit, kind, now }, extra?) → Spend
 *       Moves `amount` now: legs `${id}:r` (reward) and `${id}:c` (charged) to `credit`, in one batch with your
 *       `extra` statements (they commit iff the spend does). Idempotent by id: a repeat returns the first spend and
 *       does not run `extra` again. Not enough points → PRECONDITION_FAILED with details.shortfall.
 */
import { inArray } from "drizzle-orm";
import type { TransferKind } from "../../shared/schemas/wallet";
import { type BatchItem, type Db, runBatch } from "../db/client";
import { ledgerTransfers } from "../db/schema";
import { type AccountRef, balanceOf, userChargedAccount, userRewardAccount } from "./accounts";
import { classifyLedgerError, ledgerErrorToTrpc, notEnoughPoints } from "./errors";
import { getAccounts, transferStatements } from "./ledger";

/** How often a spend re-reads balances after losing a race before it reports the shortfall. */
export const SPEND_ATTEMPTS = 3;

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

/** Reward first, then charged. shortfall > 0 means the funds do not cover the amount. */
export function splitRewardFirst(amount: number, funds: Funds) {
  const fromReward = Math.min(amount, funds.reward);
  const fromCharged = Math.min(amount - fromReward, funds.charged);
  return { fromReward, fromCharged, shortfall: amount - fromReward - fromCharged };
}

export const spendLegIds = (id: string) => ({ reward: `${id}:r`, charged: `${id}:c` });

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

async function existingSpend(db: Db, id: string): Promise<Spend | null> {
  const ids = spendLegIds(id);
  const legs = await db
    .select({ id: ledgerTransfers.id, amount: ledgerTransfers.amount })
    .from(ledgerTransfers)
    .where(inArray(ledgerTransfers.id, [ids.reward, ids.charged]))
    .all();
  if (legs.length === 0) return null;
  const fromReward = legs.find((l) => l.id === ids.reward)?.amount ?? 0;
  const fromCharged = legs.find((l) => l.id === ids.charged)?.amount ?? 0;
  return { id, amount: fromReward + fromCharged, fromReward, fromCharged, replayed: true };
}

export async function spendPoints(db: Db, spec: SpendSpec, extra: BatchItem[] = []): Promise<Spend> {
  const ids = spendLegIds(spec.id);
  const before = await existingSpend(db, spec.id);
  if (before) return before;
  let shortfall = spec.amount;
  for (let attempt = 0; attempt < SPEND_ATTEMPTS; attempt++) {
    const split = splitRewardFirst(spec.amount, await readSpendable(db, spec.userId, spec.book));
    shortfall = split.shortfall;
    if (shortfall > 0) break;
    const leg = (id: string, debit: AccountRef, amount: number) =>
      amount > 0
        ? transferStatements(db, {
            id,
            book: spec.book,
            debit,
            credit: spec.credit,
            amount,
            kind: spec.kind,
            reference: spec.reference,
            description: spec.description,
            meta: { ...spec.meta, userId: spec.userId },
            now: spec.now,
          })
        : [];
    try {
      await runBatch(db, [
        ...leg(ids.reward, userRewardAccount(spec.userId, spec.book), split.fromReward),
        ...leg(ids.charged, userChargedAccount(spec.userId, spec.book), split.fromCharged),
        ...extra,
      ]);
      return {
        id: spec.id,
        amount: spec.amount,
        fromReward: split.fromReward,
        fromCharged: split.fromCharged,
        replayed: false,
      };
    } catch (e) {
      const failure = classifyLedgerError(e);
      if (failure === "duplicate_id") {
        const raced = await existingSpend(db, spec.id);
        if (raced) return raced;
      }
      if (failure !== "overdraft") ledgerErrorToTrpc(e, failure);
      // lost a race for the same points: re-read and try again (or report the shortfall)
    }
  }
  throw notEnoughPoints(Math.max(1, shortfall));
}
