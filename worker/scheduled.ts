import { lt } from "drizzle-orm";
import { deleteExpiredTickets } from "./accounts/socketAuth";
import { pruneNotifications } from "./community/notifications";
import { getDb } from "./db/client";
import { rateLimits, sessions } from "./db/schema";

/** Cron: housekeeping now; reconciliation and deadline sweeps join as their features land. */
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
}
