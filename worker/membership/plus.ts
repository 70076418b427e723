/**
 * Gonggu Plus: a monthly plan paid with points (reward points first, like every spend), renewed by cron.
 *
 *   subscribe  → pays period 1 now (`plus:<userId>:<periodNo>`), or resumes renewal of a cancelled, still-running plan
 *   cancel     → no renewal; the plan runs to the end of the paid period
 *   cron       → renewal reminder 3 days before the end; at the end: renew (pay), or lapse when points fall short,
 *                or end when cancelled
 *
 * The fee and the subscription row change in ONE batch (spendPoints' `extra`), and the fee's transfer id is unique per
 * period, so two racing subscribes or renewals cannot both pay or both advance the period.
 */
import { and, asc, eq, isNull, lte, sql } from "drizzle-orm";
import type { BatchItem, Db } from "../db/client";
import { plusSubscriptions } from "../db/schema";
import { fail, failWith } from "../lib/errors";
import { platformAccount } from "../wallet/accounts";
import { readSpendable, type Spend, spendPoints } from "../wallet/spend";
import { addMonthsKst } from "./calendar";
import { CRON_LIMITS, PLUS } from "./config";

export type PlusRow = typeof plusSubscriptions.$inferSelect;

export function getPlus(db: Db, userId: string): Promise<PlusRow | undefined> {
  return db.select().from(plusSubscriptions).where(eq(plusSubscriptions.userId, userId)).get();
}

/** Plus benefits apply while a paid period is running. */
export function isPlusActive(row: PlusRow | undefined, now: number): boolean {
  return row?.status === "active" && row.periodStart <= now && now < row.periodEnd;
}

export const plusFeeId = (userId: string, periodNo: number) => `plus:${userId}:${periodNo}`;

function payFee(
  db: Db,
  row: { userId: string; book: string; periodNo: number; periodEnd: number },
  now: number,
  extra: BatchItem[],
): Promise<Spend> {
  return spendPoints(
    db,
    {
      id: plusFeeId(row.userId, row.periodNo),
      userId: row.userId,
      book: row.book,
      amount: PLUS.priceWon,
      credit: platformAccount("membership_revenue", row.book),
      kind: "membership_fee",
      reference: `plus:${row.userId}`,
      description: "Gonggu Plus monthly fee",
      meta: { periodNo: row.periodNo, periodEnd: row.periodEnd },
      now,
    },
    extra,
  );
}

export interface SubscribeResult {
  plus: PlusRow;
  /** The fee paid now; null when an already running plan was only set to renew again. */
  paid: Spend | null;
}

export async function subscribePlus(
  db: Db,
  user: { id: string; homeRegionId: string | null },
  now: number,
): Promise<SubscribeResult> {
  if (!user.homeRegionId) {
    failWith("PRECONDITION_FAILED", "Verify your neighbourhood first: Gonggu Plus is paid from that region's points.", {
      reason: "verify_region",
    });
  }
  const row = await getPlus(db, user.id);
  if (row && isPlusActive(row, now)) {
    if (row.autoRenew) {
      fail("CONFLICT", `You already have Gonggu Plus until ${new Date(row.periodEnd).toISOString().slice(0, 10)}.`);
    }
    await db
      .update(plusSubscriptions)
      .set({ autoRenew: true, cancelledAt: null, updatedAt: now })
      .where(and(eq(plusSubscriptions.userId, user.id), eq(plusSubscriptions.periodNo, row.periodNo)));
    return { plus: (await getPlus(db, user.id))!, paid: null };
  }
  const next = {
    userId: user.id,
    book: user.homeRegionId,
    status: "active" as const,
    autoRenew: true,
    anchorAt: now,
    periodIndex: 1,
    periodNo: (row?.periodNo ?? 0) + 1,
    periodStart: now,
    periodEnd: addMonthsKst(now, 1),
    noticeForPeriod: 0,
    cancelledAt: null,
    endedAt: null,
    createdAt: row?.createdAt ?? now,
    updatedAt: now,
  };
  const upsert = db
    .insert(plusSubscriptions)
    .values(next)
    .onConflictDoUpdate({
      target: plusSubscriptions.userId,
      set: { ...next, createdAt: sql`${plusSubscriptions.createdAt}` },
      setWhere: eq(plusSubscriptions.periodNo, next.periodNo - 1),
    });
  const paid = await payFee(db, next, now, [upsert]);
  return { plus: (await getPlus(db, user.id))!, paid: paid.replayed ? null : paid };
}

/** Stops renewal; the plan stays until the end of the paid period. Repeating it is harmless. */
export async function cancelPlus(db: Db, userId: string, now: number): Promise<PlusRow> {
  const row = await getPlus(db, userId);
  if (!row || !isPlusActive(row, now)) fail("PRECONDITION_FAILED", "You have no running Gonggu Plus plan to cancel.");
  if (row.autoRenew) {
    await db
      .update(plusSubscriptions)
      .set({ autoRenew: false, cancelledAt: now, updatedAt: now })
      .where(and(eq(plusSubscriptions.userId, userId), eq(plusSubscriptions.periodNo, row.periodNo)));
  }
  return (await getPlus(db, userId))!;
}

/** What the cron did, for notifications (sent after the writes commit). */
export type PlusEvent =
  | { kind: "renewal_soon"; userId: string; renewsAt: number; enoughPoints: boolean }
  | { kind: "renewed"; userId: string; periodNo: number; periodEnd: number }
  | { kind: "lapsed"; userId: string; periodNo: number; shortfall: number }
  | { kind: "ended"; userId: string; periodNo: number };

/** Reminders for plans that renew within PLUS.renewalNoticeMs; each period is reminded once. */
export async function plusRenewalNotices(
  db: Db,
  now: number,
  limit: number = CRON_LIMITS.notices,
): Promise<PlusEvent[]> {
  const rows = await db
    .update(plusSubscriptions)
    .set({ noticeForPeriod: sql`${plusSubscriptions.periodNo}`, updatedAt: now })
    .where(
      sql`${plusSubscriptions.userId} IN (SELECT user_id FROM plus_subscriptions
        WHERE status = 'active' AND auto_renew = 1 AND period_end > ${now} AND period_end <= ${now + PLUS.renewalNoticeMs}
          AND notice_for_period < period_no AND move_id IS NULL LIMIT ${limit})`,
    )
    .returning()
    .all();
  const events: PlusEvent[] = [];
  for (const r of rows) {
    const funds = await readSpendable(db, r.userId, r.book);
    events.push({
      kind: "renewal_soon",
      userId: r.userId,
      renewsAt: r.periodEnd,
      enoughPoints: funds.charged + funds.reward >= PLUS.priceWon,
    });
  }
  return events;
}

/** Plans whose period is over: renew, lapse (not enough points) or end (cancelled). */
export async function processPlusRenewals(
  db: Db,
  now: number,
  limit: number = CRON_LIMITS.renewals,
): Promise<PlusEvent[]> {
  const due = await db
    .select()
    .from(plusSubscriptions)
    // a row a region move is carrying (moveId) waits: it renews in the book the points went to
    .where(
      and(
        eq(plusSubscriptions.status, "active"),
        lte(plusSubscriptions.periodEnd, now),
        isNull(plusSubscriptions.moveId),
      ),
    )
    .orderBy(asc(plusSubscriptions.periodEnd))
    .limit(limit)
    .all();
  const events: PlusEvent[] = [];
  for (const row of due) {
    const current = and(
      eq(plusSubscriptions.userId, row.userId),
      eq(plusSubscriptions.periodNo, row.periodNo),
      eq(plusSubscriptions.status, "active"),
    );
    if (!row.autoRenew) {
      const ended = await db
        .update(plusSubscriptions)
        .set({ status: "ended", endedAt: row.periodEnd, updatedAt: now })
        .where(current)
        .returning()
        .get();
      if (ended) events.push({ kind: "ended", userId: row.userId, periodNo: row.periodNo });
      continue;
    }
    const periodIndex = row.periodIndex + 1;
    const next = {
      userId: row.userId,
      book: row.book,
      periodNo: row.periodNo + 1,
      periodEnd: addMonthsKst(row.anchorAt, periodIndex),
    };
    const advance = db
      .update(plusSubscriptions)
      .set({
        periodIndex,
        periodNo: next.periodNo,
        periodStart: row.periodEnd,
        periodEnd: next.periodEnd,
        updatedAt: now,
      })
      .where(current);
    try {
      const paid = await payFee(db, next, now, [advance]);
      if (!paid.replayed)
        events.push({ kind: "renewed", userId: row.userId, periodNo: next.periodNo, periodEnd: next.periodEnd });
    } catch (e) {
      const shortfall = shortfallOf(e);
      if (shortfall === null) throw e;
      const lapsed = await db
        .update(plusSubscriptions)
        .set({ status: "lapsed", autoRenew: false, endedAt: row.periodEnd, updatedAt: now })
        .where(current)
        .returning()
        .get();
      if (lapsed) events.push({ kind: "lapsed", userId: row.userId, periodNo: row.periodNo, shortfall });
    }
  }
  return events;
}

function shortfallOf(e: unknown): number | null {
  const cause = (e as { cause?: { details?: { reason?: string; shortfall?: number } } })?.cause;
  return cause?.details?.reason === "insufficient_points" ? Number(cause.details.shortfall) : null;
}

/** Whether the plan runs now for a user (early access, bonus rewards). */
export async function plusActive(db: Db, userId: string, now: number): Promise<boolean> {
  return isPlusActive(await getPlus(db, userId), now);
}
