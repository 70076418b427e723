import { and, eq, lt } from "drizzle-orm";
import { getDb } from "../db/client";
import { groupBuys } from "../db/schema";
import { DAILY_CRON } from "../scheduled";
import { autoConfirmPickups, releaseDuePayables, runPayoutBatch } from "./payouts";
import { roomStub } from "./service";

/** A room whose deadline passed this long ago and is still OPEN in D1 gets poked (alarms are reliable; this is a net). */
const OVERDUE_MS = 10 * 60_000;

export async function runGroupBuyCron(env: Env, cron: string, now: number): Promise<void> {
  // The daily run (03:00 KST) pays sellers; every 5-minute run does the rest.
  if (cron === DAILY_CRON) {
    await runPayoutBatch(env, now);
    return;
  }
  await autoConfirmPickups(env, now);
  await releaseDuePayables(env, now);
  const overdue = await getDb(env)
    .select({ id: groupBuys.id })
    .from(groupBuys)
    .where(and(eq(groupBuys.status, "OPEN"), lt(groupBuys.deadline, now - OVERDUE_MS)))
    .limit(25)
    .all();
  for (const { id } of overdue) await roomStub(env, id).reconcile(id);
}
