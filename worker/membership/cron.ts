import type { NotifyArgs } from "../community/notifications";
import type { Db } from "../db/client";
import { errorForLog } from "../lib/errors";
import { bookDbsTakingTurns } from "../wallet/books";
import { CRON_LIMITS, CRON_RUN_UNITS } from "./config";
import { type ExpiredLot, expireDueLots, rewardExpiryNotices } from "./expiry";
import { deliver, expiryNotice, plusNotice, tierChangeNotice } from "./notices";
import { plusRenewalNotices, processPlusRenewals } from "./plus";
import { recalculateTiers } from "./tiers";

/**
 * Subrequests of one unit at most: ≤ 4 D1 queries (CRON_LIMITS) and its notice, and of a notice alone: its insert and
 * the live push to the user's channel (a Durable Object call); plus one read per 90 notices (counted as the 1 kept).
 */
const UNIT_SUBREQUESTS = 6;
const NOTICE_SUBREQUESTS = 2;

export interface MembershipCronReport {
  plusEvents: number;
  expiredLots: ExpiredLot[];
  expiryNotices: number;
  tierChanges: number;
  errors: string[];
}

/**
 * Every cron run (each step is bounded by CRON_LIMITS, the whole run by CRON_RUN_UNITS; most runs find nothing to do):
 * Plus reminders and renewals, reward-lot expiry and reminders, the monthly tier recalculation (rows behind the current
 * Korean month).
 * Each step is idempotent and re-runs next time, so one failing step is logged and does not stop the others.
 */
export async function runMembershipCron(
  env: Env,
  now: number,
  subrequestsLeft: () => number = () => Number.POSITIVE_INFINITY,
): Promise<MembershipCronReport> {
  const report: MembershipCronReport = { plusEvents: 0, expiredLots: [], expiryNotices: 0, tierChanges: 0, errors: [] };
  const notices: NotifyArgs[] = [];
  const step = async <T>(name: string, db: Db, run: (db: Db) => Promise<T>): Promise<T | null> => {
    try {
      return await run(db);
    } catch (e) {
      report.errors.push(`${name}: ${errorForLog(e)}`);
      console.error(JSON.stringify({ level: "error", cron: `membership.${name}`, error: errorForLog(e) }));
      return null;
    }
  };
  // One allowance for the invocation, not per database: each step gets at most what is left of it (CRON_RUN_UNITS),
  // and of the cron's subrequest budget (scheduled.ts), keeping what the notices found so far will send.
  let left = CRON_RUN_UNITS;
  const take = (limit: number) =>
    Math.max(
      0,
      Math.min(
        limit,
        left,
        Math.floor((subrequestsLeft() - notices.length * NOTICE_SUBREQUESTS - 1) / UNIT_SUBREQUESTS),
      ),
    );
  // A page of one step in one database: skipped (not even its read) when nothing is left for a unit.
  const page = async <T>(name: string, db: Db, limit: number, run: (d: Db, n: number) => Promise<T[]>) => {
    const n = take(limit);
    const done = n > 0 ? ((await step(name, db, (d) => run(d, n))) ?? []) : [];
    left -= done.length;
    return done;
  };
  for (const db of bookDbsTakingTurns(env, now)) {
    if (take(left) <= 0) break;
    for (const [name, limit, run] of [
      ["plusNotices", CRON_LIMITS.notices, plusRenewalNotices],
      ["plusRenewals", CRON_LIMITS.renewals, processPlusRenewals],
    ] as const) {
      const plus = await page(name, db, limit, (d, n) => run(d, now, n));
      report.plusEvents += plus.length;
      notices.push(...plus.map((e) => plusNotice(e, now)));
    }
    report.expiredLots.push(
      ...(await page("lotExpiry", db, CRON_LIMITS.lotExpiries, (d, n) => expireDueLots(d, now, n))),
    );
    const expiring = await page("expiryNotices", db, CRON_LIMITS.expiryNotices, (d, n) =>
      rewardExpiryNotices(d, now, n),
    );
    report.expiryNotices += expiring.length;
    notices.push(...expiring.map((n) => expiryNotice(n, now)));
    const tiers = await page("tiers", db, CRON_LIMITS.tierUsers, (d, n) => recalculateTiers(d, now, n));
    report.tierChanges += tiers.length;
    notices.push(...tiers.map((c) => tierChangeNotice(c, now)));
  }
  await deliver(env, notices);
  return report;
}
