/**
 * A purchase refunded after completion gives back the reward it earned, in one guarded batch:
 *   - what is left of its lot comes back from the reward account,
 *   - what was already spent comes from the charged account, as far as it goes (never below zero),
 *   - the rest is written off (write_off → promotion_expense: the promotion became a bad debt) and audit-logged.
 * The purchase stops counting toward tiers (the tier itself only drops at the monthly recalculation).
 * Nothing ever moves reward points to charged points or to cash. Keyed by the purchase: idempotent.
 */
import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import { type BatchItem, type Db, runBatch } from "../db/client";
import { auditLog, membershipSpend, rewardLots } from "../db/schema";
import { balanceOf, platformAccount, userChargedAccount, userRewardAccount } from "../wallet/accounts";
import { classifyLedgerError } from "../wallet/errors";
import { accountsUnchanged, getAccounts, getTransfer, snapshotOf, transferWhereStatements } from "../wallet/ledger";
import { rewardState } from "./lots";

export interface ClawbackResult {
  purchaseId: string;
  userId: string | null;
  groupBuyId: string | null;
  /** The reward the purchase still had the benefit of (earned − expired). */
  target: number;
  fromReward: number;
  fromCharged: number;
  writtenOff: number;
  replayed: boolean;
}

export const clawbackIdFor = (purchaseId: string) => `clawback:${purchaseId}`;
const ATTEMPTS = 3;

async function replayOf(
  db: Db,
  cid: string,
  base: Omit<ClawbackResult, "fromReward" | "fromCharged" | "writtenOff" | "replayed">,
): Promise<ClawbackResult> {
  const [r, c, w] = await Promise.all(["r", "c", "w"].map((leg) => getTransfer(db, `${cid}:${leg}`)));
  return {
    ...base,
    fromReward: r?.amount ?? 0,
    fromCharged: c?.amount ?? 0,
    writtenOff: w?.amount ?? 0,
    replayed: true,
  };
}

export async function clawbackReward(
  db: Db,
  args: { purchaseId: string; now: number; reason: string; actorId?: string | null; auditDb?: Db },
): Promise<ClawbackResult> {
  const { purchaseId, now } = args;
  const cid = clawbackIdFor(purchaseId);
  const reverseSpend = (condition?: SQL) =>
    db
      .update(membershipSpend)
      .set({ reversedAt: now })
      .where(and(eq(membershipSpend.purchaseId, purchaseId), isNull(membershipSpend.reversedAt), condition));
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const lot = await db.select().from(rewardLots).where(eq(rewardLots.purchaseId, purchaseId)).get();
    const nothing = { purchaseId, userId: lot?.userId ?? null, groupBuyId: lot?.groupBuyId ?? null, target: 0 };
    if (!lot) {
      await reverseSpend();
      return { ...nothing, fromReward: 0, fromCharged: 0, writtenOff: 0, replayed: false };
    }
    const base = { ...nothing, target: lot.amount - lot.expired - lot.clawed };
    if (lot.clawbackId) return replayOf(db, cid, { ...base, target: lot.clawed });

    const charged = userChargedAccount(lot.userId, lot.book);
    const [state, [chargedRow]] = await Promise.all([
      rewardState(db, lot.userId, lot.book),
      getAccounts(db, [charged.id]),
    ]);
    const fromReward = Math.min(base.target, state.lots.find((l) => l.id === lot.id)?.remaining ?? 0);
    const fromCharged = Math.min(base.target - fromReward, Math.max(0, balanceOf(chargedRow).available));
    const writtenOff = base.target - fromReward - fromCharged;

    const mine = sql`EXISTS (SELECT 1 FROM ${rewardLots} WHERE ${rewardLots.id} = ${lot.id} AND ${rewardLots.clawbackId} = ${cid})`;
    const common = {
      book: lot.book,
      credit: platformAccount("promotion_expense", lot.book),
      reference: `groupbuy:${lot.groupBuyId}`,
      meta: { purchaseId, groupBuyId: lot.groupBuyId, userId: lot.userId },
      now,
    };
    const statements: BatchItem[] = [
      db
        .update(rewardLots)
        .set({ clawed: lot.amount - lot.expired, closedAt: lot.closedAt ?? now, clawbackId: cid })
        .where(
          and(
            eq(rewardLots.id, lot.id),
            isNull(rewardLots.clawbackId),
            accountsUnchanged([state.account, snapshotOf(charged.id, chargedRow)]),
          ),
        ),
    ];
    if (fromReward > 0) {
      statements.push(
        ...transferWhereStatements(
          db,
          {
            ...common,
            id: `${cid}:r`,
            debit: userRewardAccount(lot.userId, lot.book),
            amount: fromReward,
            kind: "reward_clawback",
            description: "Reward taken back (purchase refunded)",
          },
          mine,
        ),
      );
    }
    if (fromCharged > 0) {
      statements.push(
        ...transferWhereStatements(
          db,
          {
            ...common,
            id: `${cid}:c`,
            debit: charged,
            amount: fromCharged,
            kind: "reward_clawback",
            description: "Spent reward taken back from charged points (purchase refunded)",
          },
          mine,
        ),
      );
    }
    if (writtenOff > 0) {
      statements.push(
        ...transferWhereStatements(
          db,
          {
            ...common,
            id: `${cid}:w`,
            debit: platformAccount("write_off", lot.book),
            amount: writtenOff,
            kind: "write_off",
            description: "Reward clawback not recoverable: written off",
          },
          mine,
        ),
      );
    }
    statements.push(reverseSpend(mine));
    try {
      await runBatch(db, statements);
    } catch (e) {
      // A concurrent clawback of the same purchase set the lot's clawbackId first: `mine` then held for our transfers
      // too and their ids collided, so the batch wrote nothing; the re-read replays that clawback.
      if (classifyLedgerError(e) !== "duplicate_id") throw e;
      continue;
    }
    const after = await db
      .select({ clawbackId: rewardLots.clawbackId })
      .from(rewardLots)
      .where(eq(rewardLots.id, lot.id))
      .get();
    if (after?.clawbackId !== cid) continue; // the balances moved under us: re-read and decide again
    const result = { ...base, fromReward, fromCharged, writtenOff, replayed: false };
    if (args.auditDb) {
      await args.auditDb
        .insert(auditLog)
        .values({
          id: cid,
          actorId: args.actorId ?? null,
          action: writtenOff > 0 ? "membership.reward_writeoff" : "membership.reward_clawback",
          targetId: lot.userId,
          detail: { ...result, reason: args.reason, book: lot.book },
          createdAt: now,
        })
        .onConflictDoNothing();
    }
    if (writtenOff > 0) {
      console.warn(
        JSON.stringify({
          level: "warn",
          event: "membership.reward_writeoff",
          purchaseId,
          userId: lot.userId,
          writtenOff,
        }),
      );
    }
    return result;
  }
  throw new Error(`clawbackReward: balances kept moving for ${purchaseId}; retry later`);
}
