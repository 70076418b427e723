import { and, asc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import { MAX_COMMENTS_PER_POST } from "../../shared/schemas/board";
import { type BatchItem, type Db, runBatch } from "../db/client";
import { boardComments, boardPosts } from "../db/schema";
import { fail, failWith } from "../lib/errors";
import { newId } from "../lib/ids";
import { requireUnderRateLimits } from "../lib/rateLimit";
import { requireCurrentVerification } from "../regions/verification";
import { authorCards, unknownAuthor } from "./authors";
import { adminDeletion, canSee, loadPost, type Viewer } from "./board";
import { COMMENT_RULE } from "./config";
import { type NotifyStatement, notify } from "./notifications";

type CommentRow = typeof boardComments.$inferSelect;

/** The post's counters recounted from the comments table in the same batch as the change. */
export function recountComments(db: Db, postId: string) {
  const visible = sql`(SELECT count(*) FROM ${boardComments} WHERE ${boardComments.postId} = ${postId} AND ${boardComments.status} = 'visible')`;
  return db
    .update(boardPosts)
    .set({ commentCount: visible, score: sql`${boardPosts.likeCount} * 2 + ${visible}` })
    .where(eq(boardPosts.id, postId));
}

export async function addComment(
  db: Db,
  author: { id: string; displayName: string },
  args: { postId: string; parentId?: string; body: string },
  now: number,
) {
  const post = await loadPost(db, args.postId, { id: author.id, role: "buyer" });
  if (post.status !== "visible") {
    failWith("PRECONDITION_FAILED", "This post is under review; comments are closed.", { reason: "under_review" });
  }
  await requireCurrentVerification(db, author.id, post.regionId, now);
  let parent: CommentRow | undefined;
  if (args.parentId) {
    parent = await db.select().from(boardComments).where(eq(boardComments.id, args.parentId)).get();
    if (!parent || parent.postId !== post.id || parent.status !== "visible") {
      fail("NOT_FOUND", "The comment you are replying to does not exist on this post.");
    }
    if (parent.parentId) fail("BAD_REQUEST", "Replies can't be replied to; reply to the original comment.");
  }
  const total = await db
    .select({ n: sql<number>`count(*)` })
    .from(boardComments)
    .where(eq(boardComments.postId, post.id))
    .get();
  if ((total?.n ?? 0) >= MAX_COMMENTS_PER_POST) {
    failWith("PRECONDITION_FAILED", `This post has reached ${MAX_COMMENTS_PER_POST} comments; start a new post.`, {
      reason: "comments_full",
      max: MAX_COMMENTS_PER_POST,
    });
  }
  const limitKey = `comment:${author.id}`;
  await requireUnderRateLimits(db, [{ key: limitKey, rule: COMMENT_RULE }], now, {
    reason: "comment_limit",
    what: "Too many comments.",
  });
  const id = newId(now);
  const notices: NotifyStatement[] = [];
  const params = { postId: post.id, postTitle: post.title, commentId: id, commenterName: author.displayName };
  if (post.authorId !== author.id) {
    notices.push(notify(db, { userId: post.authorId, now, kind: "board.comment", params }));
  }
  if (parent && parent.authorId !== author.id && parent.authorId !== post.authorId) {
    notices.push(notify(db, { userId: parent.authorId, now, kind: "board.reply", params }));
  }
  await runBatch(db, [
    db.insert(boardComments).values({
      id,
      postId: post.id,
      authorId: author.id,
      parentId: args.parentId ?? null,
      body: args.body,
      createdAt: now,
    }),
    recountComments(db, post.id),
    ...notices,
  ]);
  return { id, notices };
}

/** A comment as a reader sees it: the body of hidden, removed or deleted comments is withheld from everyone else. */
function present(c: CommentRow, viewer: Viewer, authors: Map<string, ReturnType<typeof unknownAuthor>>) {
  const readable = canSee(c, viewer);
  return {
    id: c.id,
    parentId: c.parentId,
    status: c.status,
    body: readable ? c.body : null,
    author: readable ? (authors.get(c.authorId) ?? unknownAuthor(c.authorId)) : null,
    mine: c.authorId === viewer.id,
    createdAt: c.createdAt,
  };
}

/** Top-level comments oldest first, each with all of its replies (bounded by MAX_COMMENTS_PER_POST). */
export async function listComments(
  db: Db,
  viewer: Viewer,
  args: { postId: string; cursor?: string; limit: number },
  now: number,
) {
  const post = await loadPost(db, args.postId, viewer);
  const tops = await db
    .select()
    .from(boardComments)
    .where(
      and(
        eq(boardComments.postId, post.id),
        isNull(boardComments.parentId),
        args.cursor ? gt(boardComments.id, args.cursor) : undefined,
      ),
    )
    .orderBy(asc(boardComments.id))
    .limit(args.limit + 1)
    .all();
  const page = tops.slice(0, args.limit);
  const replies = page.length
    ? await db
        .select()
        .from(boardComments)
        .where(
          and(
            eq(boardComments.postId, post.id),
            inArray(
              boardComments.parentId,
              page.map((c) => c.id),
            ),
          ),
        )
        .orderBy(asc(boardComments.id))
        .all()
    : [];
  const authors = await authorCards(
    db,
    [...page, ...replies].map((c) => c.authorId),
    post.regionId,
    now,
  );
  return {
    items: page.map((c) => ({
      ...present(c, viewer, authors),
      replies: replies.filter((r) => r.parentId === c.id).map((r) => present(r, viewer, authors)),
    })),
    nextCursor: tops.length > args.limit ? page[page.length - 1].id : null,
  };
}

export async function deleteComment(db: Db, actor: Viewer, id: string, reason: string | undefined, now: number) {
  const comment = await db.select().from(boardComments).where(eq(boardComments.id, id)).get();
  if (!comment || comment.status === "deleted" || !canSee(comment, actor)) {
    fail("NOT_FOUND", "This comment does not exist or was already deleted.");
  }
  const byAuthor = comment.authorId === actor.id;
  if (!byAuthor && actor.role !== "admin") fail("FORBIDDEN", "Only the author or an admin can delete this comment.");
  if (!byAuthor && !reason)
    fail("BAD_REQUEST", "Say why you delete someone else's comment; it is logged and sent to them.");
  const statements: BatchItem[] = [
    db.update(boardComments).set({ status: "deleted", deletedAt: now }).where(eq(boardComments.id, id)),
    recountComments(db, comment.postId),
  ];
  const extra = byAuthor
    ? { statements: [], notices: [] }
    : adminDeletion(
        db,
        actor,
        { type: "comment", id, authorId: comment.authorId, postId: comment.postId },
        reason,
        now,
      );
  await runBatch(db, [...statements, ...extra.statements, ...extra.notices]);
  return { id, notices: extra.notices };
}
