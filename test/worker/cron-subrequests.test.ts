/**
 * One cron invocation's subrequests (D1 statements, Durable Object calls, Queue sends: test/worker/subrequest-meter.ts)
 * stay under the 1,000 a Workers Paid invocation may send, whatever the data, and the work the cron pages through
 * still completes over the following runs. Local workerd enforces no such limit; these tests do.
 */
import {
  applyD1Migrations,
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, count, eq, like, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { getDb } from "../../worker/db/client";
import * as schema from "../../worker/db/schema";
import {
  cardBlobs,
  ledgerPending,
  membershipStatus,
  notifications,
  plusSubscriptions,
  sellerPayables,
  users,
} from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { kstMonth } from "../../worker/membership/calendar";
import { CRON_SUBREQUESTS, handleScheduled } from "../../worker/scheduled";
import { platformAccount, sellerPayablePendingAccount, userChargedAccount } from "../../worker/wallet/accounts";
import { HOLD_GROUP_MAX, placeHoldsTogether } from "../../worker/wallet/holds";
import { transfer } from "../../worker/wallet/ledger";
import { insertUser } from "./fixtures";
import { fixtureBuy } from "./groupbuy-fixtures";
import { uniqueEmail } from "./helpers";
import { meterSubrequests } from "./subrequest-meter";
import { ensureRegion } from "./wallet-helpers";

const SUBREQUESTS_PER_INVOCATION = 1000;
/**
 * The membership step's share of one invocation, whatever the number of book databases, leaving the other half to the
 * other steps. Before CRON_RUN_UNITS its limits were per database: 848 with two databases (424 each), ~1,270 with three.
 */
const MEMBERSHIP_SHARE = SUBREQUESTS_PER_INVOCATION / 2;
/** 2026-04-02 12:00 KST: the first days of a month, when every status row is due for its monthly recalculation. */
const T = Date.UTC(2026, 3, 2, 3, 0, 0);

/** `count` users (main database: notifications need the users row) whose status row in `book` is due and will drop. */
async function dueTierChanges(book: ReturnType<typeof getDb>, count: number): Promise<string[]> {
  const ids: string[] = [];
  const main = getDb(env);
  for (let start = 0; start < count; start += 40) {
    const rows = Array.from({ length: Math.min(40, count - start) }, (_, i) => ({
      id: newId(T),
      // (a UUID's all-digit groups after the counter can read as a card number to the run's card-data scan)
      email: uniqueEmail("tier"),
      passwordHash: "!",
      displayName: `등급${start + i}`,
      createdAt: T - 90 * 86_400_000,
    }));
    ids.push(...rows.map((r) => r.id));
    for (let i = 0; i < rows.length; i += 10) await main.insert(users).values(rows.slice(i, i + 10));
    const status = rows.map((r) => ({
      userId: r.id,
      tierLevel: 2,
      tierSince: T - 60 * 86_400_000,
      recalcMonth: "2026-02",
      updatedAt: T,
    }));
    for (let i = 0; i < status.length; i += 16) await book.insert(membershipStatus).values(status.slice(i, i + 16));
  }
  return ids;
}

/** `count` holds of one funded user in `book` (held in `db`), placed at `at` and expiring 10 ms later. */
async function expiringHolds(db: ReturnType<typeof getDb>, book: string, count: number, at: number) {
  const userId = newId(at);
  await transfer(db, {
    id: `fund:${newId(at)}`,
    book,
    debit: platformAccount("pg_clearing", book),
    credit: userChargedAccount(userId, book),
    amount: count,
    kind: "charge",
    now: at,
  });
  for (let start = 0; start < count; start += HOLD_GROUP_MAX) {
    const group = Array.from({ length: Math.min(HOLD_GROUP_MAX, count - start) }, (_, i) => ({
      holdId: `sweep:${book}:${start + i}`,
      userId,
      regionId: book,
      amount: 1,
      expiresAt: at + 10,
      now: at,
    }));
    await placeHoldsTogether(db, group);
  }
}

async function pendingHolds(db: ReturnType<typeof getDb>, book: string) {
  return (
    await db.select({ id: ledgerPending.transferId }).from(ledgerPending).where(eq(ledgerPending.book, book)).all()
  ).length;
}

async function runMetered(cronEnv: Env, at: number) {
  const meter = meterSubrequests(cronEnv);
  const ctx = createExecutionContext();
  await handleScheduled(createScheduledController({ scheduledTime: at, cron: "*/5 * * * *" }), meter.env, ctx);
  await waitOnExecutionContext(ctx);
  return meter;
}

describe("the 5-minute cron's subrequests", { timeout: 240_000 }, () => {
  it("the month's tier recalculation over two book databases: each run stays inside half of 1,000; every user recalculated and told once over the next runs", async () => {
    const booksD1 = (env as unknown as { BOOKS_TEST: D1Database }).BOOKS_TEST;
    await applyD1Migrations(booksD1, env.TEST_MIGRATIONS);
    const cronEnv = Object.assign(Object.create(env), {
      LEDGER_BOOKS: JSON.stringify({ "cron-subrequests-apart": "BOOKS_TEST" }),
    }) as Env;
    const main = getDb(env);
    const apart = drizzle(booksD1, { schema }) as unknown as ReturnType<typeof getDb>;
    const users = [...(await dueTierChanges(main, 300)), ...(await dueTierChanges(apart, 300))];
    const totals: number[] = [];
    for (let run = 0; run < 12; run++) {
      const meter = await runMetered(cronEnv, T + run * 5 * 60_000);
      totals.push(meter.total);
      const due = [
        ...(await main
          .select({ id: membershipStatus.userId })
          .from(membershipStatus)
          .where(eq(membershipStatus.recalcMonth, "2026-02"))
          .all()),
        ...(await apart
          .select({ id: membershipStatus.userId })
          .from(membershipStatus)
          .where(eq(membershipStatus.recalcMonth, "2026-02"))
          .all()),
      ];
      if (due.length === 0) break;
    }
    expect(Math.max(...totals), `subrequests per run: ${totals.join(", ")}`).toBeLessThanOrEqual(MEMBERSHIP_SHARE);
    expect(totals.length).toBeGreaterThan(2);
    const told = await main
      .select({ userId: notifications.userId })
      .from(notifications)
      .where(
        and(
          eq(notifications.kind, "membership.tier_changed"),
          like(notifications.dedupeKey, `tier:%:${kstMonth(T)}:%`),
        ),
      )
      .all();
    expect(told.map((t) => t.userId).sort()).toEqual([...users].sort());
  });

  /**
   * Each step inside its own bound, together past 1,000 on the code before the one budget: 1,003 in the first run (4
   * sweeps of 92, 200 membership units, 25 payables; the expired blobs were not bounded at all: their charges read 90
   * at a time). With it: 775, 717, 384, 52, 41 (776, 720, 387, 57, 43 in another run).
   */
  it("every step near its own bound in the same run (sweeps in two databases, tier changes, ended Plus plans, 25 payables, 9,000 expired card blobs): one budget keeps each run inside it; every unit done over the next runs", async () => {
    const at = T + 80 * 86_400_000; // a month whose recalculation is due for every status row
    const booksD1 = (env as unknown as { BOOKS_TEST: D1Database }).BOOKS_TEST;
    const apartBook = "cron-budget-holds";
    const mainBook = `cron-budget-${crypto.randomUUID().slice(0, 8)}`;
    const cronEnv = Object.assign(Object.create(env), {
      LEDGER_BOOKS: JSON.stringify({ [apartBook]: "BOOKS_TEST" }),
    }) as Env;
    const main = getDb(env);
    const apart = drizzle(booksD1, { schema }) as unknown as ReturnType<typeof getDb>;
    await applyD1Migrations(booksD1, env.TEST_MIGRATIONS);
    await expiringHolds(main, mainBook, 500, at - 60_000);
    await expiringHolds(apart, apartBook, 500, at - 60_000);
    const members = await dueTierChanges(main, 200);
    // 40 Plus plans per database whose period ended without renewal (each: its update and its notice)
    for (const [book, db, ids] of [
      [mainBook, main, members.slice(0, 40)],
      [apartBook, apart, members.slice(40, 80)],
    ] as const) {
      const plans = ids.map((userId) => ({
        userId,
        book,
        status: "active" as const,
        autoRenew: false,
        anchorAt: at - 31 * 86_400_000,
        periodIndex: 0,
        periodNo: 1,
        periodStart: at - 31 * 86_400_000,
        periodEnd: at - 60_000,
        createdAt: at - 31 * 86_400_000,
        updatedAt: at - 31 * 86_400_000,
      }));
      for (let i = 0; i < plans.length; i += 8) await db.insert(plusSubscriptions).values(plans.slice(i, i + 8));
    }
    // 25 payables whose confirmation window passed (the group-buy step's 25 a run), their money in the seller's pending
    await ensureRegion(mainBook);
    const seller = (await insertUser(main, "seller")).id;
    const buys = [];
    for (let i = 0; i < 25; i++) buys.push(await fixtureBuy(main, mainBook, seller));
    await transfer(main, {
      id: `fund:${newId(at)}`,
      book: mainBook,
      debit: platformAccount("pg_clearing", mainBook),
      credit: sellerPayablePendingAccount(seller, mainBook),
      amount: 25 * 950,
      kind: "settlement",
      now: at - 60_000,
    });
    const payableIds = buys.map((gb) => `cron-budget-payable:${gb.id}`);
    const payables = buys.map((gb, i) => ({
      id: payableIds[i],
      sellerId: seller,
      groupBuyId: gb.id,
      regionId: mainBook,
      gross: 1000,
      fee: 50,
      net: 950,
      status: "pending" as const,
      availableAt: at - 1,
      createdAt: at - 1,
      updatedAt: at - 1,
    }));
    // 6 rows a statement: a payable row binds 14 parameters (D1 allows 100)
    for (let i = 0; i < payables.length; i += 6) await main.insert(sellerPayables).values(payables.slice(i, i + 6));
    // a day's deferred charges' card blobs expiring together (their charges settled: nothing to queue)
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 9000)
       INSERT INTO card_blobs (charge_id, user_id, blob, created_at, expires_at)
       SELECT 'cron-budget-blob-' || i, 'cron-budget-user', 'sealed', ?1, ?2 FROM n`,
    )
      .bind(at - 86_400_000, at - 1)
      .run();
    // rows still to do: drizzle's count() of each where, in the databases named
    const rows = async (table: SQLiteTable, where: SQL | undefined, dbs = [main]) => {
      let n = 0;
      for (const db of dbs) n += (await db.select({ n: count() }).from(table).where(where).get())?.n ?? 0;
      return n;
    };
    const left = async () => ({
      holds: (await pendingHolds(main, mainBook)) + (await pendingHolds(apart, apartBook)),
      plus: await rows(plusSubscriptions, eq(plusSubscriptions.status, "active"), [main, apart]),
      tiers: await rows(membershipStatus, eq(membershipStatus.recalcMonth, "2026-02")),
      payables: await rows(
        sellerPayables,
        and(eq(sellerPayables.sellerId, seller), eq(sellerPayables.status, "pending")),
      ),
      blobs: await rows(cardBlobs, like(cardBlobs.chargeId, "cron-budget-blob-%")),
    });
    const totals: number[] = [];
    for (let run = 0; run < 20; run++) {
      const meter = await runMetered(cronEnv, at + run * 5 * 60_000);
      totals.push(meter.total);
      const rest = await left();
      if (Object.values(rest).every((n) => n === 0)) break;
    }
    console.log(`every step near its bound, subrequests per cron run: ${totals.join(", ")}`);
    expect(Math.max(...totals), `subrequests per run: ${totals.join(", ")}`).toBeLessThanOrEqual(CRON_SUBREQUESTS);
    expect(await left()).toEqual({ holds: 0, plus: 0, tiers: 0, payables: 0, blobs: 0 });
  });
});
