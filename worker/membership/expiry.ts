/**
 * Cron: reward lots past their date give what is left of them to the reward_expiry account; lots expiring within
 * REWARD.expiryNoticeMs get one reminder. What is "left" is the lot attribution (lots.ts); each expiry is one batch
 * guarded by accountsUnchanged(), so a spend racing the cron makes the step re-read instead of expiring stale numbers.
 */
import { and, asc, eq, gt, inArray, isNull, lte, sql } from "drizzle-orm";
import { type BatchItem, type Db, runBatch } from "../db/client";
import { rewardLots } from "../db/schema";
import { platformAccount, userRewardAccount } from "../wallet/accounts";
import { accountsUnchanged, transferWhereStatements } from "../wallet/ledger";
import { CRON_LIMITS, REWARD } from "./config";
import { rewardState } from "./lots";

const ATTEMPTS = 3;

export interface ExpiredLot {
  userId: string;
  lotId: string;
  amount: number;
}

/** Expires one lot (if still open and due). Returns the won expired, or null when the balances kept moving. */
export async function expireLot(db: Db, lotId: string, now: number): Promise<number | null> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const lot = await db.select().from(rewardLots).where(eq(rewardLots.id, lotId)).get();
    if (!lot || lot.closedAt !== null) return 0;
    if (lot.expiresAt > now) return 0;
    const state = await rewardState(db, lot.userId, lot.book);
    const left = state.lots.find((l) => l.id === lot.id)?.remaining ?? 0;
    const statements: BatchItem[] = [
      db
        .update(rewardLots)
        .set({ expired: left, closedAt: now })
        .where(and(eq(rewardLots.id, lot.id), isNull(rewardLots.closedAt), accountsUnchanged([state.account]))),
    ];
    if (left > 0) {
      statements.push(
        ...transferWhereStatements(
          db,
          {
            id: `expire:${lot.id}`,
            book: lot.book,
            debit: userRewardAccount(lot.userId, lot.book),
            credit: platformAccount("reward_expiry", lot.book),
            amount: left,
            kind: "reward_expire",
            reference: `groupbuy:${lot.groupBuyId}`,
            description: "Reward points expired",
            meta: { lotId: lot.id, earnedAt: lot.earnedAt, expiresAt: lot.expiresAt },
            now,
          },
          sql`EXISTS (SELECT 1 FROM ${rewardLots} WHERE ${rewardLots.id} = ${lot.id} AND ${rewardLots.closedAt} = ${now} AND ${rewardLots.expired} = ${left})`,
        ),
      );
    }
    await runBatch(db, statements);
    const after = await db
      .select({ closedAt: rewardLots.closedAt, expired: rewardLots.expired })
      .from(rewardLots)
      .where(eq(rewardLots.id, lot.id))
      .get();
    if (after?.closedAt === now) return after.expired;
  }
  return null;
}

export async function expireDueLots(
  db: Db,
  now: number,
  limit: number = CRON_LIMITS.lotExpiries,
): Promise<ExpiredLot[]> {
  const due = await db
    .select({ id: rewardLots.id, userId: rewardLots.userId })
    .from(rewardLots)
    .where(and(isNull(rewardLots.closedAt), lte(rewardLots.expiresAt, now)))
    .orderBy(asc(rewardLots.expiresAt))
    .limit(limit)
    .all();
  const out: ExpiredLot[] = [];
  for (const lot of due) {
    const amount = await expireLot(db, lot.id, now);
    if (amount === null) {
      console.warn(JSON.stringify({ level: "warn", event: "membership.lot_expiry_retry", lotId: lot.id }));
    } else out.push({ userId: lot.userId, lotId: lot.id, amount });
  }
  return out;
}

export interface ExpiryNotice {
  userId: string;
  lotId: string;
  amount: number;
  expiresAt: number;
}

/** One reminder per user and run, for the points of lots expiring within the notice window that were not reminded. */
export async function rewardExpiryNotices(
  db: Db,
  now: number,
  limit: number = CRON_LIMITS.expiryNotices,
): Promise<ExpiryNotice[]> {
  const due = await db
    .select({ id: rewardLots.id, userId: rewardLots.userId, book: rewardLots.book })
    .from(rewardLots)
    .where(
      and(
        isNull(rewardLots.closedAt),
        isNull(rewardLots.noticeAt),
        gt(rewardLots.expiresAt, now),
        lte(rewardLots.expiresAt, now + REWARD.expiryNoticeMs),
      ),
    )
    .orderBy(asc(rewardLots.expiresAt))
    .limit(limit)
    .all();
  const groups = new Map<string, { userId: string; book: string; ids: string[] }>();
  for (const d of due) {
    const key = `${d.userId}\u0000${d.book}`;
    const g = groups.get(key) ?? { userId: d.userId, book: d.book, ids: [] };
    g.ids.push(d.id);
    groups.set(key, g);
  }
  const notices: ExpiryNotice[] = [];
  for (const g of groups.values()) {
    const state = await rewardState(db, g.userId, g.book);
    const claimed = await db
      .update(rewardLots)
      .set({ noticeAt: now })
      .where(and(inArray(rewardLots.id, g.ids), isNull(rewardLots.noticeAt)))
      .returning({ id: rewardLots.id })
      .all();
    const lots = state.lots.filter((l) => claimed.some((c) => c.id === l.id) && l.remaining > 0);
    if (lots.length === 0) continue;
    notices.push({
      userId: g.userId,
      lotId: lots[0].id,
      amount: lots.reduce((s, l) => s + l.remaining, 0),
      expiresAt: lots[0].expiresAt,
    });
  }
  return notices;
}
