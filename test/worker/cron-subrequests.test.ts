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
import { and, eq, like } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { getDb } from "../../worker/db/client";
import * as schema from "../../worker/db/schema";
import { ledgerPending, membershipStatus, notifications, users } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { kstMonth } from "../../worker/membership/calendar";
import { handleScheduled } from "../../worker/scheduled";
import { platformAccount, userChargedAccount } from "../../worker/wallet/accounts";
import { HOLD_GROUP_MAX, placeHoldsTogether } from "../../worker/wallet/holds";
import { transfer } from "../../worker/wallet/ledger";
import { uniqueEmail } from "./helpers";
import { meterSubrequests } from "./subrequest-meter";

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

  it("expired holds in two book databases and the month's tier changes at once: each run inside 1,000; every hold voided over the next runs", async () => {
    const at = T + 40 * 86_400_000; // the next month: its recalculation is due again
    const booksD1 = (env as unknown as { BOOKS_TEST: D1Database }).BOOKS_TEST;
    const apartBook = "cron-subrequests-holds";
    const mainBook = `cron-main-${crypto.randomUUID().slice(0, 8)}`;
    const cronEnv = Object.assign(Object.create(env), {
      LEDGER_BOOKS: JSON.stringify({ [apartBook]: "BOOKS_TEST" }),
    }) as Env;
    const main = getDb(env);
    const apart = drizzle(booksD1, { schema }) as unknown as ReturnType<typeof getDb>;
    await applyD1Migrations(booksD1, env.TEST_MIGRATIONS);
    await expiringHolds(main, mainBook, 500, at - 60_000);
    await expiringHolds(apart, apartBook, 500, at - 60_000);
    await dueTierChanges(main, 200);
    const totals: number[] = [];
    for (let run = 0; run < 12; run++) {
      const meter = await runMetered(cronEnv, at + run * 5 * 60_000);
      totals.push(meter.total);
      if ((await pendingHolds(main, mainBook)) + (await pendingHolds(apart, apartBook)) === 0) break;
    }
    expect(Math.max(...totals), `subrequests per run: ${totals.join(", ")}`).toBeLessThanOrEqual(
      SUBREQUESTS_PER_INVOCATION,
    );
    console.log(`expired holds + tier changes, subrequests per cron run: ${totals.join(", ")}`);
    expect(await pendingHolds(main, mainBook)).toBe(0);
    expect(await pendingHolds(apart, apartBook)).toBe(0);
  });
});
