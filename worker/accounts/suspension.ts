import { eq } from "drizzle-orm";
import { type BatchItem, type Db, runBatch } from "../db/client";
import { auditLog, users } from "../db/schema";
import { fail } from "../lib/errors";
import { newId } from "../lib/ids";
import { forgetCachedUser } from "./sessionCache";

const DAY_MS = 86_400_000;

/**
 * The statements that suspend `userId` for `days` (and log who and why), for callers that batch the suspension with
 * their own change, e.g. a moderator removing a post. Checks the target first; admins cannot be suspended.
 */
export async function suspensionStatements(
  db: Db,
  adminId: string,
  userId: string,
  days: number,
  reason: string,
  now: number,
  context: Record<string, unknown> = {},
): Promise<{ statements: BatchItem[]; suspendedUntil: number }> {
  const target = await db.select({ id: users.id, role: users.role }).from(users).where(eq(users.id, userId)).get();
  if (!target) fail("NOT_FOUND", "No user with that id.");
  if (target.role === "admin") fail("FORBIDDEN", "Admins cannot be suspended here.");
  const suspendedUntil = now + days * DAY_MS;
  return {
    suspendedUntil,
    statements: [
      db.update(users).set({ suspendedUntil }).where(eq(users.id, userId)),
      db.insert(auditLog).values({
        id: newId(now),
        actorId: adminId,
        action: "user.suspend",
        targetId: userId,
        detail: { days, reason, ...context },
        createdAt: now,
      }),
    ],
  };
}

export async function suspendUser(db: Db, adminId: string, userId: string, days: number, reason: string, now: number) {
  const { statements, suspendedUntil } = await suspensionStatements(db, adminId, userId, days, reason, now);
  await runBatch(db, statements);
  forgetCachedUser(userId);
  return { userId, suspendedUntil };
}
