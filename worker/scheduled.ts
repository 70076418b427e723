import { lt } from "drizzle-orm";
import { deleteExpiredTickets } from "./accounts/socketAuth";
import { pruneNotifications } from "./community/notifications";
import { getDb } from "./db/client";
import { rateLimits, sessions } from "./db/schema";
import { runGroupBuyCron } from "./groupbuy/cron";
import { errorForLog } from "./lib/errors";
import { cleanupIdempotencyKeys } from "./lib/idempotency";
import { runMembershipCron } from "./membership/cron";
import { recomputeRecommendations } from "./recommend/recompute";
import { bookDbsTakingTurns, queueStrayBalances } from "./wallet/books";
import { SWEEP_BATCH, sweepExpiredHolds } from "./wallet/holds";
import { runPaymentsCron } from "./wallet/paymentsCron";
import { pruneReconciliations } from "./wallet/reconcile";
import { CRON_RUN, startReconciliationRun } from "./wallet/reconcileRuns";

export const DAILY_CRON = "0 18 * * *";
/**
 * Sweep calls per cron run across EVERY book database (each voids up to SWEEP_BATCH holds: ~92 D1 statements). Per
 * database, two databases with a backlog sent 920 statements in one run — with the month's tier notices 1,355
 * subrequests, past the 1,000 of one invocation (https://developers.cloudflare.com/workers/platform/limits/). What is
 * left expires on the next runs (holds already past expiry cannot be posted: postHold checks expiry).
 */
const SWEEP_ROUNDS = 4;

/** Cron: housekeeping and hold expiry every run; ledger reconciliation queued daily (03:00 KST), a job per book. */
export async function handleScheduled(
  controller: ScheduledController,
  env: Env,
  _ctx: ExecutionContext,
): Promise<void> {
  const db = getDb(env);
  const now = controller.scheduledTime;
  await db.delete(sessions).where(lt(sessions.expiresAt, now - 7 * 86_400_000));
  await db.delete(rateLimits).where(lt(rateLimits.windowStart, now - 86_400_000));
  await deleteExpiredTickets(db, now);
  await pruneNotifications(db, now);
  let rounds = SWEEP_ROUNDS;
  for (const book of bookDbsTakingTurns(env, now)) {
    while (rounds > 0) {
      rounds--;
      if ((await sweepExpiredHolds(book, now)) < SWEEP_BATCH) break;
    }
  }
  // Plus renewals, reward expiry, monthly tiers: bounded, idempotent steps that log their own failures.
  await runMembershipCron(env, now);
  if (controller.cron === DAILY_CRON) {
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
  }
  await runGroupBuyCron(env, controller.cron, now);
  // Isolated like the step below: payments housekeeping failing must not stop the other steps (and vice versa).
  await runPaymentsCron(env, now).catch((e) =>
    console.error(JSON.stringify({ level: "error", cron: "payments", error: errorForLog(e) })),
  );
  // Derived data only: a failed recompute is retried by the next run and must not stop the steps above from landing.
  await recomputeRecommendations(db, now).catch((e) =>
    console.error(JSON.stringify({ level: "error", cron: "recommend", error: errorForLog(e) })),
  );
}
