import { and, desc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { REPORT_REASONS } from "../../shared/schemas/board";
import { forgetCachedUser } from "../accounts/sessionCache";
import { suspensionStatements } from "../accounts/suspension";
import { type BatchItem, type Db, runBatch } from "../db/client";
import { auditLog, boardComments, boardPosts, boardReports, type ContentStatus, users } from "../db/schema";
import { trustEventStatement } from "../groupbuy/trust";
import { fail } from "../lib/errors";
import { newId } from "../lib/ids";
import { requireUnderRateLimits } from "../lib/rateLimit";
import { canSee, type Viewer } from "./board";
import { recountComments } from "./comments";
import { EXCERPT_CHARS, REPORT_REFUSAL, REPORT_RULE } from "./config";
import { notify } from "./notifications";

type TargetType = "post" | "comment";
type Target = {
  type: TargetType;
  id: string;
  authorId: string;
  status: ContentStatus;
  reportCount: number;
  postId: string;
};

async function loadTarget(db: Db, type: TargetType, id: string): Promise<Target | null> {
  if (type === "post") {
    const p = await db
      .select({ authorId: boardPosts.authorId, status: boardPosts.status, reportCount: boardPosts.reportCount })
      .from(boardPosts)
      .where(eq(boardPosts.id, id))
      .get();
    return p ? { type, id, postId: id, ...p } : null;
  }
  const c = await db
    .select({
      authorId: boardComments.authorId,
      status: boardComments.status,
      reportCount: boardComments.reportCount,
      postId: boardComments.postId,
    })
    .from(boardComments)
    .where(eq(boardComments.id, id))
    .get();
  return c ? { type, id, ...c } : null;
}

function unresolvedCount(type: TargetType, id: string) {
  return sql<number>`(SELECT count(*) FROM ${boardReports} WHERE ${boardReports.targetType} = ${type} AND ${boardReports.targetId} = ${id} AND ${boardReports.resolvedAt} IS NULL)`;
}

/** Sets a target's status and report counter; a comment's post gets its comment count redone in the same batch. */
function setTarget(db: Db, t: Target, set: { status: ContentStatus | SQL; reportCount: number | SQL }) {
  const statements: BatchItem[] = [
    t.type === "post"
      ? db.update(boardPosts).set(set).where(eq(boardPosts.id, t.id))
      : db.update(boardComments).set(set).where(eq(boardComments.id, t.id)),
  ];
  if (t.type === "comment") statements.push(recountComments(db, t.postId));
  return statements;
}

/**
 * One report per person per target. The counter is recounted from the unresolved reports, and reaching `threshold`
 * hides the content pending review, all in one batch, so concurrent reports can't skip the threshold.
 */
export async function report(
  db: Db,
  reporter: Viewer,
  args: { targetType: TargetType; targetId: string; reason: (typeof REPORT_REASONS)[number]; note?: string },
  threshold: number,
  now: number,
) {
  const target = await loadTarget(db, args.targetType, args.targetId);
  if (!target || target.status === "deleted" || target.status === "removed" || !canSee(target, reporter)) {
    fail("NOT_FOUND", `This ${args.targetType} does not exist or was removed.`);
  }
  if (target.authorId === reporter.id) fail("BAD_REQUEST", `You can't report your own ${args.targetType}.`);
  const limitKey = `report:${reporter.id}`;
  await requireUnderRateLimits(db, [{ key: limitKey, rule: REPORT_RULE }], now, REPORT_REFUSAL);
  const count = unresolvedCount(target.type, target.id);
  const col = target.type === "post" ? boardPosts : boardComments;
  const [inserted] = await runBatch(db, [
    db
      .insert(boardReports)
      .values({
        id: newId(now),
        targetType: target.type,
        targetId: target.id,
        reporterId: reporter.id,
        reason: args.reason,
        note: args.note ?? null,
        createdAt: now,
      })
      .onConflictDoNothing()
      .returning({ id: boardReports.id }),
    ...setTarget(db, target, {
      reportCount: count,
      status: sql`CASE WHEN ${col.status} = 'visible' AND ${count} >= ${threshold} THEN 'hidden' ELSE ${col.status} END`,
    }),
  ]);
  return { reported: true as const, alreadyReported: (inserted as unknown[]).length === 0 };
}

/** Reported content, hidden first, then by how often it was reported; each with its open reports. */
export async function moderationQueue(db: Db, limit: number) {
  const openFirst = [sql`CASE status WHEN 'hidden' THEN 0 ELSE 1 END`] as const;
  const [posts, comments] = await Promise.all([
    db
      .select({
        id: boardPosts.id,
        regionId: boardPosts.regionId,
        authorId: boardPosts.authorId,
        title: boardPosts.title,
        excerpt: sql<string>`substr(${boardPosts.body}, 1, ${EXCERPT_CHARS})`,
        status: boardPosts.status,
        reportCount: boardPosts.reportCount,
        createdAt: boardPosts.createdAt,
      })
      .from(boardPosts)
      .where(and(sql`${boardPosts.reportCount} > 0`, inArray(boardPosts.status, ["visible", "hidden"])))
      .orderBy(...openFirst, desc(boardPosts.reportCount), boardPosts.id)
      .limit(limit)
      .all(),
    db
      .select({
        id: boardComments.id,
        postId: boardComments.postId,
        authorId: boardComments.authorId,
        excerpt: sql<string>`substr(${boardComments.body}, 1, ${EXCERPT_CHARS})`,
        status: boardComments.status,
        reportCount: boardComments.reportCount,
        createdAt: boardComments.createdAt,
      })
      .from(boardComments)
      .where(and(sql`${boardComments.reportCount} > 0`, inArray(boardComments.status, ["visible", "hidden"])))
      .orderBy(...openFirst, desc(boardComments.reportCount), boardComments.id)
      .limit(limit)
      .all(),
  ]);
  const ids = [...posts.map((p) => p.id), ...comments.map((c) => c.id)];
  const authorIds = [...new Set([...posts, ...comments].map((x) => x.authorId))];
  const [reports, authors] = await Promise.all([
    ids.length
      ? db
          .select({
            targetId: boardReports.targetId,
            reason: boardReports.reason,
            note: boardReports.note,
            createdAt: boardReports.createdAt,
          })
          .from(boardReports)
          .where(and(inArray(boardReports.targetId, ids), isNull(boardReports.resolvedAt)))
          .orderBy(boardReports.id)
          .all()
      : [],
    authorIds.length
      ? db
          .select({ id: users.id, displayName: users.displayName, suspendedUntil: users.suspendedUntil })
          .from(users)
          .where(inArray(users.id, authorIds))
          .all()
      : [],
  ]);
  const withDetail = <T extends { id: string; authorId: string }>(x: T) => ({
    ...x,
    author: authors.find((a) => a.id === x.authorId) ?? null,
    reports: reports.filter((r) => r.targetId === x.id).map(({ targetId: _t, ...r }) => r),
  });
  return { posts: posts.map(withDetail), comments: comments.map(withDetail) };
}

/**
 * A moderator's decision: approve (visible again, reports resolved) or remove, optionally suspending the author.
 * Logged in audit_log with who and why; the author is told the outcome.
 */
export async function decide(
  db: Db,
  admin: { id: string },
  args: { targetType: TargetType; targetId: string; reason: string; suspendDays?: number },
  outcome: "approved" | "removed",
  now: number,
) {
  const target = await loadTarget(db, args.targetType, args.targetId);
  if (!target) fail("NOT_FOUND", `No ${args.targetType} with that id.`);
  if (target.status === "deleted" || target.status === "removed") {
    fail("PRECONDITION_FAILED", `This ${args.targetType} was already ${target.status}.`);
  }
  if (outcome === "approved" && target.status !== "hidden" && target.reportCount === 0) {
    fail("PRECONDITION_FAILED", `This ${args.targetType} has no open reports to review.`);
  }
  const statements: BatchItem[] = [
    ...setTarget(db, target, { status: outcome === "approved" ? "visible" : "removed", reportCount: 0 }),
    db
      .update(boardReports)
      .set({ resolvedAt: now })
      .where(
        and(
          eq(boardReports.targetType, target.type),
          eq(boardReports.targetId, target.id),
          isNull(boardReports.resolvedAt),
        ),
      ),
    db.insert(auditLog).values({
      id: newId(now),
      actorId: admin.id,
      action: `moderation.${outcome === "approved" ? "approve" : "remove"}`,
      targetId: target.id,
      detail: {
        targetType: target.type,
        authorId: target.authorId,
        reason: args.reason,
        previousStatus: target.status,
        reportCount: target.reportCount,
        suspendDays: args.suspendDays ?? null,
      },
      createdAt: now,
    }),
  ];
  // A removal upholds the reports: it goes on the author's trust record (once per post or comment).
  if (outcome === "removed") statements.push(upheldReport(db, target.authorId, `${target.type}:${target.id}`, now));
  let suspendedUntil: number | undefined;
  if (args.suspendDays) {
    const suspension = await suspensionStatements(db, admin.id, target.authorId, args.suspendDays, args.reason, now, {
      targetType: target.type,
      targetId: target.id,
    });
    statements.push(...suspension.statements);
    suspendedUntil = suspension.suspendedUntil;
  }
  // An approved post the author never saw hidden needs no message.
  const tell = outcome === "removed" || target.status === "hidden";
  const notices = tell
    ? [
        notify(db, {
          userId: target.authorId,
          now,
          kind: "moderation.outcome",
          params: { targetType: target.type, targetId: target.id, outcome, reason: args.reason, suspendedUntil },
        }),
      ]
    : [];
  await runBatch(db, [...statements, ...notices]);
  if (suspendedUntil !== undefined) forgetCachedUser(target.authorId);
  return {
    targetType: target.type,
    targetId: target.id,
    status: outcome === "approved" ? ("visible" as const) : ("removed" as const),
    suspendedUntil: suspendedUntil ?? null,
    authorId: target.authorId,
    notices,
  };
}

/** The trust event of a moderator upholding reports against `userId`'s content (`target` names it, e.g. post:<id>). */
export function upheldReport(db: Db, userId: string, target: string, now: number) {
  return trustEventStatement(db, { id: `report:${target}`, userId, kind: "report", reference: target, at: now });
}
