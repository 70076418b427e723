import { and, desc, eq, exists, sql } from "drizzle-orm";
import { type NotifyStatement, notify } from "../community/notifications";
import { type BatchItem, type Db, runBatch } from "../db/client";
import { auditLog, sellerApplications, users } from "../db/schema";
import { fail } from "../lib/errors";
import { newId } from "../lib/ids";

const PENDING_EXISTS = "You already have an application waiting for review.";

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
  if (pending) fail("CONFLICT", PENDING_EXISTS);
  const application = { id: newId(now), userId: user.id, ...args, status: "pending" as const, createdAt: now };
  // The partial unique index (one pending per user) decides a double submit that raced past the check above.
  const inserted = await db
    .insert(sellerApplications)
    .values(application)
    .onConflictDoNothing()
    .returning({ id: sellerApplications.id });
  if (inserted.length === 0) fail("CONFLICT", PENDING_EXISTS);
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
 * Approve or reject exactly once. Every statement of the batch is conditioned on the application still being pending
 * (the notification by its dedupe key) and the status update runs last, so of two racing decisions (a double click,
 * two admins) exactly one takes effect: the loser changes nothing, writes no audit row and is told so. The applicant
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
  if (application.status !== "pending") {
    fail("PRECONDITION_FAILED", `This application was already ${application.status}.`);
  }
  if (decision === "rejected" && !reason) {
    fail("BAD_REQUEST", "Say why the application is rejected; the applicant sees it.");
  }
  const stillPending = and(eq(sellerApplications.id, applicationId), eq(sellerApplications.status, "pending"));
  const detail = JSON.stringify({ applicationId, reason: reason ?? null });
  const statements: BatchItem[] = [
    // INSERT … SELECT: the audit row exists only if the application is still pending inside this batch.
    db.insert(auditLog).select(
      db
        .select({
          id: sql`${newId(now)}`.as("id"),
          actorId: sql`${adminId}`.as("actor_id"),
          action: sql`${`seller.${decision}`}`.as("action"),
          targetId: sellerApplications.userId,
          detail: sql`${detail}`.as("detail"),
          createdAt: sql`${now}`.as("created_at"),
        })
        .from(sellerApplications)
        .where(stillPending),
    ),
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
        .where(
          and(
            eq(users.id, application.userId),
            eq(users.role, "buyer"),
            exists(db.select({ one: sql`1` }).from(sellerApplications).where(stillPending)),
          ),
        ),
    );
  }
  statements.push(
    db
      .update(sellerApplications)
      .set({ status: decision, decisionReason: reason ?? null, decidedBy: adminId, decidedAt: now })
      .where(stillPending)
      .returning({ id: sellerApplications.id }),
  );
  const results = await runBatch(db, statements);
  if ((results.at(-1) as unknown[]).length === 0) {
    fail("PRECONDITION_FAILED", "Another admin decided this application a moment ago; reload to see the outcome.");
  }
  deliver([notice]);
  return { ...application, status: decision, decisionReason: reason ?? null, decidedBy: adminId, decidedAt: now };
}
