import { and, count, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { ledgerReconciliations, reconciliationRuns } from "../db/schema";
import { enqueueMany } from "../queue/send";
import type { BookEnv } from "./books";
import { bookDbsByBinding } from "./books";
import { reconciliationJobs } from "./reconcile";

/**
 * How long a run counts as in progress while some of its books have no row yet. Its jobs normally finish in seconds
 * to minutes; a job that dead-letters would otherwise block new runs (the daily cron's too) for good.
 */
export const RECONCILIATION_RUN_GUARD_MS = 15 * 60_000;

/** The one row: the latest run, the cron's or an admin's. */
const LATEST_RUN = "latest";
/** `startedBy` of the daily cron's runs (an admin's is their user id). */
export const CRON_RUN = "cron";

export interface ReconciliationRun {
  runAt: number;
  books: number;
  /** True: a run in progress answered this start, nothing was queued (watch its rows by `runAt`). */
  alreadyRunning: boolean;
}

/**
 * Starts a run (a job per book of every book database) for admin.wallet.reconcile and the daily cron, unless the last
 * run — whoever started it — is still in progress: then answers with that one, so a double click, a script calling in
 * a loop or a cron tick during a run never queues every book again. Answering (rather than refusing) hands the caller
 * the run to watch. Two starts at once: the conditional upsert lets one of them claim the row; the other answers with
 * the winner's run.
 */
export async function startReconciliationRun(
  env: BookEnv & Pick<Env, "JOBS">,
  db: Db,
  startedBy: string,
  now: number,
): Promise<ReconciliationRun> {
  const t = reconciliationRuns;
  const last = await db.select().from(t).where(eq(t.id, LATEST_RUN)).get();
  if (last && (await inProgress(env, last, now))) return { runAt: last.runAt, books: last.books, alreadyRunning: true };
  const jobs = await reconciliationJobs(env, now);
  const claimed = await db
    .insert(t)
    .values({ id: LATEST_RUN, runAt: now, books: jobs.length, startedBy })
    .onConflictDoUpdate({
      target: t.id,
      set: { runAt: now, books: jobs.length, startedBy },
      // only over the run this call saw finished (none seen: only the insert may win)
      setWhere: eq(t.runAt, last?.runAt ?? -1),
    })
    .returning({ runAt: t.runAt })
    .get();
  if (!claimed) {
    const winner = await db.select().from(t).where(eq(t.id, LATEST_RUN)).get();
    if (winner) return { runAt: winner.runAt, books: winner.books, alreadyRunning: true };
    throw new Error("reconciliation run: lost the start to a run that is gone");
  }
  try {
    await enqueueMany(env, jobs);
  } catch (e) {
    // nothing (or not all) queued: free the row so the next start queues the run again
    await db.delete(t).where(and(eq(t.id, LATEST_RUN), eq(t.runAt, now)));
    throw e;
  }
  return { runAt: now, books: jobs.length, alreadyRunning: false };
}

/** Recent, and some book's job has stored no row yet (one count per book database). */
async function inProgress(env: BookEnv, run: { runAt: number; books: number }, now: number): Promise<boolean> {
  if (now - run.runAt >= RECONCILIATION_RUN_GUARD_MS) return false;
  let stored = 0;
  for (const { db } of bookDbsByBinding(env)) {
    const row = await db
      .select({ n: count() })
      .from(ledgerReconciliations)
      .where(eq(ledgerReconciliations.ranAt, run.runAt))
      .get();
    stored += row?.n ?? 0;
  }
  return stored < run.books;
}
