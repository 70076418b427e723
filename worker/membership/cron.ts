import type { NotifyArgs } from "../community/notifications";
import type { Db } from "../db/client";
import { errorForLog } from "../lib/errors";
import { bookDbsTakingTurns } from "../wallet/books";
import { CRON_LIMITS, CRON_RUN_UNITS } from "./config";
import { type ExpiredLot, expireDueLots, rewardExpiryNotices } from "./expiry";
import { deliver, expiryNotice, plusNotice, tierChangeNotice } from "./notices";
import { plusRenewalNotices, processPlusRenewals } from "./plus";
import { recalculateTiers } from "./tiers";

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
export async function runMembershipCron(env: Env, now: number): Promise<MembershipCronReport> {
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
  // One allowance for the invocation, not per database: each step gets at most what is left of it (CRON_RUN_UNITS).
  let left = CRON_RUN_UNITS;
  const take = (limit: number) => Math.min(limit, left);
  const spend = <T>(done: T[]) => {
    left -= done.length;
    return done;
  };
  for (const db of bookDbsTakingTurns(env, now)) {
    if (left <= 0) break;
    const plus = [
      ...spend((await step("plusNotices", db, (d) => plusRenewalNotices(d, now, take(CRON_LIMITS.notices)))) ?? []),
      ...spend((await step("plusRenewals", db, (d) => processPlusRenewals(d, now, take(CRON_LIMITS.renewals)))) ?? []),
    ];
    report.plusEvents += plus.length;
    notices.push(...plus.map((e) => plusNotice(e, now)));
    const lots = (await step("lotExpiry", db, (d) => expireDueLots(d, now, take(CRON_LIMITS.lotExpiries)))) ?? [];
    report.expiredLots.push(...spend(lots));
    const expiring =
      (await step("expiryNotices", db, (d) => rewardExpiryNotices(d, now, take(CRON_LIMITS.expiryNotices)))) ?? [];
    report.expiryNotices += spend(expiring).length;
    notices.push(...expiring.map((n) => expiryNotice(n, now)));
    const tiers = (await step("tiers", db, (d) => recalculateTiers(d, now, take(CRON_LIMITS.tierUsers)))) ?? [];
    report.tierChanges += spend(tiers).length;
    notices.push(...tiers.map((c) => tierChangeNotice(c, now)));
  }
  await deliver(env, notices);
  return report;
}
