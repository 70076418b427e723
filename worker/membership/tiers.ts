/**
 * Tiers from completed spend over a rolling TIER_WINDOW_MONTHS (Korea time). A completion may raise the tier at once
 * (upgradeTierStatement, in the completion's batch); only the monthly recalculation may lower it. Both compute the
 * level inside SQL from the spend rows, so a completion racing a recalculation can never be overwritten by a stale
 * read.
 */
import { and, eq, gte, inArray, isNull, lt, type Placeholder, type SQL, sql } from "drizzle-orm";
import type { BatchItem, Db } from "../db/client";
import { membershipSpend, membershipStatus, type users } from "../db/schema";
import { addMonthsKst, kstMonth } from "./calendar";
import { CRON_LIMITS, TIER_WINDOW_MONTHS, TIERS, tierAt } from "./config";

export type StatusRow = typeof membershipStatus.$inferSelect;

export const spendWindowStart = (now: number) => addMonthsKst(now, -TIER_WINDOW_MONTHS);

/** CASE expression: the tier level for a spend amount (highest threshold reached). */
export function tierLevelSql(spend: SQL): SQL {
  const whens = TIERS.map((t, level) => ({ t, level }))
    .reverse()
    .map(({ t, level }) => sql`WHEN ${spend} >= ${t.minSpend} THEN ${level}`);
  return sql`(CASE ${sql.join(whens, sql` `)} ELSE 0 END)`;
}

/** Σ paid of the user's completed, not refunded purchases since `from`. Own alias, so `userIdExpr` may correlate. */
function spendSumSql(userIdExpr: SQL | string, from: number): SQL {
  return sql`(SELECT coalesce(sum(ms.paid), 0) FROM membership_spend ms
    WHERE ms.user_id = ${userIdExpr} AND ms.reversed_at IS NULL AND ms.completed_at >= ${from})`;
}

export async function countedSpend(db: Db, userId: string, now: number): Promise<number> {
  const row = await db
    .select({ s: sql<number>`coalesce(sum(${membershipSpend.paid}), 0)` })
    .from(membershipSpend)
    .where(
      and(
        eq(membershipSpend.userId, userId),
        isNull(membershipSpend.reversedAt),
        gte(membershipSpend.completedAt, spendWindowStart(now)),
      ),
    )
    .get();
  return Number(row?.s ?? 0);
}

export function getStatus(db: Db, userId: string): Promise<StatusRow | undefined> {
  return db.select().from(membershipStatus).where(eq(membershipStatus.userId, userId)).get();
}

/** Status rows per IN (...): stays far below D1's 100 bound parameters. */
const STATUS_READ_CHUNK = 90;

/** currentTier for many users in one query per 90 (a group commit of joins); users without a row are level 0. */
export async function currentTiers(db: Db, userIds: string[]) {
  const unique = [...new Set(userIds)];
  const rows: StatusRow[] = [];
  for (let i = 0; i < unique.length; i += STATUS_READ_CHUNK) {
    const ids = unique.slice(i, i + STATUS_READ_CHUNK);
    rows.push(...(await db.select().from(membershipStatus).where(inArray(membershipStatus.userId, ids)).all()));
  }
  const byUser = new Map(rows.map((r) => [r.userId, r]));
  return new Map(
    unique.map((id) => {
      const level = byUser.get(id)?.tierLevel ?? 0;
      return [id, { level, tier: tierAt(level) }] as const;
    }),
  );
}

/**
 * The tier level read of currentTier, to run in a batch with other reads; no row → level 0. `userId` may be the
 * `users.id` column: the same read as a subquery of a query on users (a join's guards).
 */
export function tierLevelQuery(db: Db, userId: string | Placeholder | typeof users.id) {
  return db
    .select({ level: membershipStatus.tierLevel })
    .from(membershipStatus)
    .where(eq(membershipStatus.userId, userId))
    .limit(1);
}

export async function currentTier(db: Db, userId: string) {
  const row = await getStatus(db, userId);
  return { level: row?.tierLevel ?? 0, tier: tierAt(row?.tierLevel ?? 0), since: row?.tierSince ?? null };
}

/**
 * Upsert: the level from the spend rows now (run it after inserting the new spend row in the same batch), never lower
 * than the current one. A new row counts as this month's recalculation.
 */
export function upgradeTierStatement(db: Db, userId: string, now: number): BatchItem {
  const level = tierLevelSql(spendSumSql(userId, spendWindowStart(now)));
  // keys in table column order (drizzle lists the insert columns in that order); WHERE true lets SQLite parse the upsert
  const row = db
    .select({
      userId: sql<string>`${userId}`.as("user_id"),
      tierLevel: sql<number>`${level}`.as("tier_level"),
      tierSince: sql<number>`${now}`.as("tier_since"),
      recalcMonth: sql<string>`${kstMonth(now)}`.as("recalc_month"),
      updatedAt: sql<number>`${now}`.as("updated_at"),
    })
    .from(sql`(SELECT 1)`)
    .where(sql`true`);
  return db
    .insert(membershipStatus)
    .select(row)
    .onConflictDoUpdate({ target: membershipStatus.userId, set: keepHigherTier(now) });
}

/** An upsert's SET that keeps the higher level and when it was reached: only the monthly recalculation lowers a tier. */
function keepHigherTier(now: number) {
  return {
    tierSince: sql`CASE WHEN excluded.tier_level > ${membershipStatus.tierLevel} THEN excluded.tier_since ELSE ${membershipStatus.tierSince} END`,
    tierLevel: sql`max(${membershipStatus.tierLevel}, excluded.tier_level)`,
    updatedAt: now,
  };
}

/** Writes a tier row from another book's database (a region move, wallet/moveCarry.ts), never lowering the one there. */
export function carryStatusStatement(db: Db, row: StatusRow, now: number): BatchItem {
  return db
    .insert(membershipStatus)
    .values(row)
    .onConflictDoUpdate({ target: membershipStatus.userId, set: keepHigherTier(now) });
}

/**
 * Users per UPDATE. The SET clause binds 28 parameters of its own (the spend window and thresholds, twice) on top of
 * one per user id, and D1 refuses a statement with more than 100 (test/worker/platform-limits.test.ts).
 */
const TIER_CHUNK = 60;

export interface TierChange {
  userId: string;
  from: number;
  to: number;
}

/**
 * Cron: the monthly recalculation (up and down) of every status row not yet recalculated this Korean month, at most
 * `limit` users per call, TIER_CHUNK per statement (D1: ≤ 100 bound parameters). Returns the users whose tier changed.
 */
export async function recalculateTiers(
  db: Db,
  now: number,
  limit: number = CRON_LIMITS.tierUsers,
): Promise<TierChange[]> {
  const month = kstMonth(now);
  const due = await db
    .select({ userId: membershipStatus.userId, level: membershipStatus.tierLevel })
    .from(membershipStatus)
    .where(lt(membershipStatus.recalcMonth, month))
    .limit(limit)
    .all();
  const changes: TierChange[] = [];
  for (let i = 0; i < due.length; i += TIER_CHUNK) {
    const chunk = due.slice(i, i + TIER_CHUNK);
    const level = tierLevelSql(spendSumSql(sql.raw(`"membership_status"."user_id"`), spendWindowStart(now)));
    const updated = await db
      .update(membershipStatus)
      .set({
        tierSince: sql`CASE WHEN ${level} <> ${membershipStatus.tierLevel} THEN ${now} ELSE ${membershipStatus.tierSince} END`,
        tierLevel: level,
        recalcMonth: month,
        updatedAt: now,
      })
      .where(
        and(
          inArray(
            membershipStatus.userId,
            chunk.map((d) => d.userId),
          ),
          lt(membershipStatus.recalcMonth, month),
        ),
      )
      .returning({ userId: membershipStatus.userId, level: membershipStatus.tierLevel })
      .all();
    for (const u of updated) {
      const before = chunk.find((d) => d.userId === u.userId)?.level ?? 0;
      if (before !== u.level) changes.push({ userId: u.userId, from: before, to: u.level });
    }
  }
  return changes;
}
