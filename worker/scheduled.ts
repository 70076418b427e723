import { lt } from "drizzle-orm";
import { deleteExpiredTickets } from "./accounts/socketAuth";
import { pruneNotifications } from "./community/notifications";
import { getDb } from "./db/client";
import { rateLimits, sessions } from "./db/schema";
import { runGroupBuyCron } from "./groupbuy/cron";
import { errorForLog } from "./lib/errors";
import { cleanupIdempotencyKeys } from "./lib/idempotency";
import { runMembershipCron } from "./membership/cron";
import { budgetedEnv, QueryBudget } from "./queue/budget";
import { recomputeRecommendations } from "./recommend/recompute";
import { allBookDbs, bookDbsTakingTurns, queueStrayBalances, takingTurns } from "./wallet/books";
import { SWEEP_BATCH, SWEEP_ROUND_MAX, sweepExpiredHolds } from "./wallet/holds";
import { PAYMENTS_CRON_PER_DB, PAYMENTS_CRON_RESEAL, runPaymentsCron } from "./wallet/paymentsCron";
import { pruneReconciliations } from "./wallet/reconcile";
import { CRON_RUN, startReconciliationRun } from "./wallet/reconcileRuns";

export const DAILY_CRON = "0 18 * * *";

/**
 * What ONE cron invocation may send, all its steps together: D1 statements (a batch: each), Durable Object calls and
 * Queue sends, counted as the queue consumer counts them (budgetedEnv). Workers Paid allowed 1,000 subrequests per
 * invocation and D1 still documents 1,000 queries per invocation (https://developers.cloudflare.com/workers/platform/limits/,
 * https://developers.cloudflare.com/d1/platform/limits/); the rest of the 1,000 is margin. Each step had its own bound
 * before, and together they could pass it (test/worker/cron-subrequests.test.ts "every step near its own bound …").
 */
export const CRON_SUBREQUESTS = 900;

/** Expired-hold sweep calls per run at most (each voids ≤ SWEEP_BATCH holds); fewer when the budget has less left. */
const SWEEP_ROUNDS = 4;

/**
 * A step of the cron. A bounded step sends at most `reserve` (its own limits: LIMIT n, chunks of 90, sends of 100) and
 * starts only when that much is left; a paged step pages through what is due, taking what the budget has left, and
 * starts when `reserve` (one page) is left. Every step is idempotent and finds its work again in D1, so a step that
 * did not start or stopped early does the rest on a later run.
 */
interface CronStep {
  name: string;
  reserve: number;
  paged?: true;
  /** Failures are logged only (derived data, housekeeping that must not fail the run's other steps). */
  quiet?: true;
  run(env: Env, budget: QueryBudget, now: number): Promise<unknown>;
}

/**
 * Housekeeping, hold expiry, membership, group buys, payments and recommendations every run; ledger reconciliation,
 * stray balances and seller payouts daily (03:00 KST). One budget for the invocation (CRON_SUBREQUESTS): the daily
 * steps first (their one turn a day), then the other bounded steps in an order that changes every run (one the budget
 * could not afford starts the order within as many runs as there are steps), then the paged ones, the two taking turns
 * at going first, on what is left. A step that throws is logged and the others still run; the first error is rethrown
 * at the end so the invocation shows as failed.
 */
export async function handleScheduled(
  controller: ScheduledController,
  env: Env,
  _ctx: ExecutionContext,
): Promise<void> {
  const now = controller.scheduledTime;
  const daily = controller.cron === DAILY_CRON;
  const budget = new QueryBudget(CRON_SUBREQUESTS);
  const counted = budgetedEnv(env, budget);
  const books = allBookDbs(env).length;
  const bounded = takingTurns([housekeeping, groupBuyStep(controller.cron), paymentsStep(books), recommendStep], now);
  const steps = [...(daily ? [dailyStep(books)] : []), ...bounded, ...takingTurns([holdSweeps, membership], now)];
  const deferred: string[] = [];
  const spent: Record<string, number> = {};
  let failure: unknown = null;
  for (const step of steps) {
    if (budget.left < step.reserve) {
      deferred.push(step.name);
      continue;
    }
    const before = budget.used;
    try {
      await step.run(counted, budget, now);
    } catch (e) {
      if (!step.quiet) failure ??= e;
      console.error(JSON.stringify({ level: "error", cron: step.name, error: errorForLog(e) }));
    }
    spent[step.name] = budget.used - before;
    if (!step.paged && spent[step.name] > step.reserve) {
      // a bound in the code changed without its reserve: the budget is no longer a promise
      console.warn(
        JSON.stringify({ level: "warn", event: "cron.over_reserve", step: step.name, spent: spent[step.name] }),
      );
    }
  }
  console.info(
    JSON.stringify({ level: "info", event: "cron.budget", cron: controller.cron, used: budget.used, spent, deferred }),
  );
  if (failure) throw failure;
}

/** Four DELETEs. */
const housekeeping: CronStep = {
  name: "housekeeping",
  reserve: 4,
  async run(env, _budget, now) {
    const db = getDb(env);
    await db.delete(sessions).where(lt(sessions.expiresAt, now - 7 * 86_400_000));
    await db.delete(rateLimits).where(lt(rateLimits.windowStart, now - 86_400_000));
    await deleteExpiredTickets(db, now);
    await pruneNotifications(db, now);
  },
};

/**
 * Idempotency-key cleanup, reconciliation pruning and start, stray balances: a few statements per book database and
 * a send per 100 jobs.
 */
const dailyStep = (books: number): CronStep => ({
  name: "daily",
  reserve: 10 + 6 * books,
  async run(env, _budget, now) {
    const db = getDb(env);
    await cleanupIdempotencyKeys(db, now);
    await pruneReconciliations(env, now);
    // A run in progress (an admin's started minutes ago) checks every book already: the day's check is that run's
    // rows, not a second run of every book; a stuck one stops counting after RECONCILIATION_RUN_GUARD_MS.
    const run = await startReconciliationRun(env, db, CRON_RUN, now);
    if (run.alreadyRunning) {
      console.info(
        JSON.stringify({ level: "info", event: "ledger.reconciliation_joined", cronAt: now, runAt: run.runAt }),
      );
    }
    await queueStrayBalances(env, env.JOBS, now);
  },
});

/**
 * 5-minute runs: 25 auto-confirmed pickups (an update and a room call each), 25 payables released (a 3-statement
 * ledger batch and an update each), 25 overdue rooms poked, and their three reads: 180. Daily: 25 payouts resumed and
 * 25 started (each a gateway call, a ledger transfer, a few updates) and 25 blocked sellers told: 650.
 */
const groupBuyStep = (cron: string): CronStep => ({
  name: "groupBuys",
  reserve: cron === DAILY_CRON ? 650 : 180,
  run: (env, _budget, now) => runGroupBuyCron(env, cron, now),
});

const paymentsStep = (books: number): CronStep => ({
  name: "payments",
  reserve: PAYMENTS_CRON_PER_DB * books + PAYMENTS_CRON_RESEAL,
  quiet: true,
  run: (env, _budget, now) => runPaymentsCron(env, now),
});

/** Derived data: reads, the users' models, and the popularity tables' ≤ 40 statements (store.ts). */
const recommendStep: CronStep = {
  name: "recommend",
  reserve: 100,
  quiet: true,
  run: (env, _budget, now) => recomputeRecommendations(getDb(env), now),
};

/** Sweep calls across every book database, databases taking turns; each call ≤ SWEEP_ROUND_MAX statements. */
const holdSweeps: CronStep = {
  name: "holdSweeps",
  reserve: SWEEP_ROUND_MAX,
  paged: true,
  async run(env, budget, now) {
    let rounds = SWEEP_ROUNDS;
    for (const book of bookDbsTakingTurns(env, now)) {
      while (rounds > 0 && budget.left >= SWEEP_ROUND_MAX) {
        rounds--;
        if ((await sweepExpiredHolds(book, now)) < SWEEP_BATCH) break;
      }
    }
  },
};

/** Plus renewals, reward expiry, monthly tiers: units of work sized to what the budget has left (membership/cron.ts). */
const membership: CronStep = {
  name: "membership",
  reserve: 20,
  paged: true,
  run: (env, budget, now) => runMembershipCron(env, now, () => budget.left),
};
