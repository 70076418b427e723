import { and, desc, eq } from "drizzle-orm";
import { type NotifyStatement, notify } from "../community/notifications";
import { type BatchItem, type Db, runBatch } from "../db/client";
import { auditLog, sellerApplications, users } from "../db/schema";
import { fail } from "../lib/errors";
import { newId } from "../lib/ids";

export async function applyAsSeller(
  db: Db,
  user: { id: string; role: string },
  args: { businessName: string; businessNumber: string },
  now: number,
) {
  if (user.role !== "buyer") fail("PRECONDITION_FAILED", "Only buyers can apply; your account already has a role.");
  const pending = await db
    .select({ id: sellerApplications.id })
    .from(sellerApplications)
    .where(and(eq(sellerApplications.userId, user.id), eq(sellerApplications.status, "pending")))
    .get();
  if (pending) fail("CONFLICT", "You already have an application waiting for review.");
  const application = { id: newId(now), userId: user.id, ...args, status: "pending" as const, createdAt: now };
  await db.insert(sellerApplications).values(application);
  return application;
}

export function myApplications(db: Db, userId: string) {
  return db
    .select()
    .from(sellerApplications)
    .where(eq(sellerApplications.userId, userId))
    .orderBy(desc(sellerApplications.createdAt))
    .all();
}

export function pendingApplications(db: Db) {
  return db
    .select({ application: sellerApplications, displayName: users.displayName, email: users.email })
    .from(sellerApplications)
    .innerJoin(users, eq(users.id, sellerApplications.userId))
    .where(eq(sellerApplications.status, "pending"))
    .orderBy(sellerApplications.createdAt)
    .all();
}

/**
 * Approve or reject exactly once: the status condition makes a second decision a no-op that we report. The applicant
 * is notified in the same batch; `deliver` relays the notification live once the batch has committed.
 */
export async function decideApplication(
  db: Db,
  adminId: string,
  applicationId: string,
  decision: "approved" | "rejected",
  reason: string | undefined,
  now: number,
  deliver: (statements: NotifyStatement[]) => void = () => {},
) {
  const application = await db.select().from(sellerApplications).where(eq(sellerApplications.id, applicationId)).get();
  if (!application) fail("NOT_FOUND", "No seller application with that id.");
  if (application.status !== "pending")
    fail("PRECONDITION_FAILED", `This application was already ${application.status}.`);
  if (decision === "rejected" && !reason)
    fail("BAD_REQUEST", "Say why the application is rejected; the applicant sees it.");
  const statements: BatchItem[] = [
    db
      .update(sellerApplications)
      .set({ status: decision, decisionReason: reason ?? null, decidedBy: adminId, decidedAt: now })
      .where(and(eq(sellerApplications.id, applicationId), eq(sellerApplications.status, "pending"))),
    db.insert(auditLog).values({
      id: newId(now),
      actorId: adminId,
      action: `seller.${decision}`,
      targetId: application.userId,
      detail: { applicationId, reason: reason ?? null },
      createdAt: now,
    }),
  ];
  const base = { userId: application.userId, now, dedupeKey: `seller.decision:${applicationId}` };
  const notice =
    decision === "approved"
      ? notify(db, {
          ...base,
          kind: "seller.approved",
          params: { applicationId, businessName: application.businessName },
        })
      : notify(db, {
          ...base,
          kind: "seller.rejected",
          params: { applicationId, businessName: application.businessName, reason: reason ?? "" },
        });
  statements.push(notice);
  if (decision === "approved") {
    statements.push(
      db
        .update(users)
        .set({ role: "seller" })
        .where(and(eq(users.id, application.userId), eq(users.role, "buyer"))),
    );
  }
  await runBatch(db, statements);
  deliver([notice]);
  return { ...application, status: decision };
}

export async function suspendUser(db: Db, adminId: string, userId: string, days: number, reason: string, now: number) {
  const target = await db.select({ id: users.id, role: users.role }).from(users).where(eq(users.id, userId)).get();
  if (!target) fail("NOT_FOUND", "No user with that id.");
  if (target.role === "admin") fail("FORBIDDEN", "Admins cannot be suspended here.");
  const suspendedUntil = now + days * 86_400_000;
  await runBatch(db, [
    db.update(users).set({ suspendedUntil }).where(eq(users.id, userId)),
    db.insert(auditLog).values({
      id: newId(now),
      actorId: adminId,
      action: "user.suspend",
      targetId: userId,
      detail: { days, reason },
      createdAt: now,
    }),
  ]);
  return { userId, suspendedUntil };
}
