import { and, desc, eq, gt, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import type { BoardCategory } from "../../shared/schemas/board";
import { type BatchItem, type Db, runBatch } from "../db/client";
import { auditLog, boardLikes, boardPosts, boardSupplyOffers, type ContentStatus, users } from "../db/schema";
import { fail, failWith } from "../lib/errors";
import { newId } from "../lib/ids";
import { requireUnderRateLimits } from "../lib/rateLimit";
import { postLikeSignal } from "../recommend/interactions";
import { requireCurrentVerification } from "../regions/verification";
import { authorCards, unknownAuthor } from "./authors";
import { EXCERPT_CHARS, POPULAR_WINDOW_MS, POST_RULE } from "./config";
import { type NotifyStatement, notify } from "./notifications";
import { toFtsQuery } from "./search";

export type Viewer = { id: string; role: "buyer" | "seller" | "admin" };
type PostRow = typeof boardPosts.$inferSelect;

/** Hidden and removed content stays visible to its author (so they know) and to admins; deleted content to admins. */
export function canSee(content: { status: ContentStatus; authorId: string }, viewer: Viewer): boolean {
  if (content.status === "visible" || viewer.role === "admin") return true;
  return content.authorId === viewer.id && content.status !== "deleted";
}

/** The post a caller may see, or NOT_FOUND (hidden content is indistinguishable from none for everyone else). */
export async function loadPost(db: Db, id: string, viewer: Viewer): Promise<PostRow> {
  const post = await db.select().from(boardPosts).where(eq(boardPosts.id, id)).get();
  if (!post || !canSee(post, viewer)) fail("NOT_FOUND", "This post does not exist or was removed.");
  return post;
}

function popularCursor(cursor: string): { score: number; id: string } {
  const m = /^(\d{1,9})\.([0-9A-HJKMNP-TV-Z]{26})$/.exec(cursor);
  if (!m) fail("BAD_REQUEST", "That page cursor is not valid; start from the first page.");
  return { score: Number(m[1]), id: m[2] };
}

export async function listPosts(
  db: Db,
  args: {
    regionId: string;
    category?: BoardCategory;
    query?: string;
    sort: "newest" | "popular";
    cursor?: string;
    limit: number;
  },
  now: number,
) {
  const filters: (SQL | undefined)[] = [
    eq(boardPosts.regionId, args.regionId),
    eq(boardPosts.status, "visible"),
    args.category ? eq(boardPosts.category, args.category) : undefined,
  ];
  if (args.query) {
    const match = toFtsQuery(args.query);
    if (!match) return { items: [], nextCursor: null };
    filters.push(
      inArray(boardPosts.seq, sql`(SELECT rowid FROM board_posts_fts WHERE board_posts_fts MATCH ${match})`),
    );
  }
  if (args.sort === "popular") {
    filters.push(gt(boardPosts.createdAt, now - POPULAR_WINDOW_MS));
    if (args.cursor) {
      const c = popularCursor(args.cursor);
      filters.push(or(lt(boardPosts.score, c.score), and(eq(boardPosts.score, c.score), lt(boardPosts.id, c.id))));
    }
  } else if (args.cursor) {
    if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(args.cursor)) fail("BAD_REQUEST", "That page cursor is not valid.");
    filters.push(lt(boardPosts.id, args.cursor));
  }
  const rows = await db
    .select({
      id: boardPosts.id,
      regionId: boardPosts.regionId,
      authorId: boardPosts.authorId,
      category: boardPosts.category,
      title: boardPosts.title,
      excerpt: sql<string>`substr(${boardPosts.body}, 1, ${EXCERPT_CHARS})`,
      likeCount: boardPosts.likeCount,
      commentCount: boardPosts.commentCount,
      score: boardPosts.score,
      createdAt: boardPosts.createdAt,
      updatedAt: boardPosts.updatedAt,
    })
    .from(boardPosts)
    .where(and(...filters))
    .orderBy(...(args.sort === "popular" ? [desc(boardPosts.score), desc(boardPosts.id)] : [desc(boardPosts.id)]))
    .limit(args.limit + 1)
    .all();
  const page = rows.slice(0, args.limit);
  const authors = await authorCards(
    db,
    page.map((r) => r.authorId),
    args.regionId,
    now,
  );
  const last = page[page.length - 1];
  return {
    items: page.map(({ authorId, score: _score, ...r }) => ({
      ...r,
      author: authors.get(authorId) ?? unknownAuthor(authorId),
    })),
    nextCursor: rows.length > args.limit ? (args.sort === "popular" ? `${last.score}.${last.id}` : last.id) : null,
  };
}

export async function getPost(db: Db, id: string, viewer: Viewer, now: number) {
  const post = await loadPost(db, id, viewer);
  const [authors, liked, offers] = await Promise.all([
    authorCards(db, [post.authorId], post.regionId, now),
    db
      .select({ userId: boardLikes.userId })
      .from(boardLikes)
      .where(and(eq(boardLikes.postId, id), eq(boardLikes.userId, viewer.id)))
      .get(),
    db
      .select({
        id: boardSupplyOffers.id,
        sellerId: boardSupplyOffers.sellerId,
        sellerName: users.displayName,
        message: boardSupplyOffers.message,
        groupBuyId: boardSupplyOffers.groupBuyId,
        createdAt: boardSupplyOffers.createdAt,
      })
      .from(boardSupplyOffers)
      .innerJoin(users, eq(users.id, boardSupplyOffers.sellerId))
      .where(eq(boardSupplyOffers.postId, id))
      .orderBy(boardSupplyOffers.id)
      .all(),
  ]);
  return {
    id: post.id,
    regionId: post.regionId,
    category: post.category,
    title: post.title,
    body: post.body,
    status: post.status,
    likeCount: post.likeCount,
    commentCount: post.commentCount,
    createdAt: post.createdAt,
    updatedAt: post.updatedAt,
    author: authors.get(post.authorId) ?? unknownAuthor(post.authorId),
    likedByMe: Boolean(liked),
    mine: post.authorId === viewer.id,
    supplyOffers: offers,
  };
}

export async function createPost(
  db: Db,
  author: { id: string },
  args: { regionId: string; category: BoardCategory; title: string; body: string },
  now: number,
) {
  await requireCurrentVerification(db, author.id, args.regionId, now);
  const key = `post:${author.id}`;
  // counted in one atomic step just before the write, so posts sent at once cannot all pass
  await requireUnderRateLimits(db, [{ key, rule: POST_RULE }], now, { reason: "post_limit", what: "Too many posts." });
  const id = newId(now);
  await db.insert(boardPosts).values({ id, authorId: author.id, ...args, createdAt: now, updatedAt: now });
  return { id };
}

export async function updatePost(
  db: Db,
  editor: Viewer,
  args: { id: string; category?: BoardCategory; title?: string; body?: string },
  now: number,
) {
  const post = await loadPost(db, args.id, editor);
  if (post.authorId !== editor.id) fail("FORBIDDEN", "Only the author can edit this post.");
  if (post.status === "removed") fail("PRECONDITION_FAILED", "A moderator removed this post; it can't be edited.");
  if (args.category && args.category !== "proposal" && post.category === "proposal") {
    const offer = await db
      .select({ id: boardSupplyOffers.id })
      .from(boardSupplyOffers)
      .where(eq(boardSupplyOffers.postId, post.id))
      .get();
    if (offer) fail("PRECONDITION_FAILED", "Sellers have offered to supply this proposal, so it stays a proposal.");
  }
  const { id, ...changes } = args;
  await db
    .update(boardPosts)
    .set({ ...changes, updatedAt: now })
    .where(and(eq(boardPosts.id, id), eq(boardPosts.authorId, editor.id)));
  return { id };
}

/**
 * Soft delete by the author, or by an admin (who must say why; logged and the author notified). Comments stay in the
 * table but the post no longer lists or opens for anyone but admins.
 */
export async function deletePost(db: Db, actor: Viewer, id: string, reason: string | undefined, now: number) {
  const post = await loadPost(db, id, actor);
  const byAuthor = post.authorId === actor.id;
  if (!byAuthor && actor.role !== "admin") fail("FORBIDDEN", "Only the author or an admin can delete this post.");
  if (post.status === "deleted") fail("NOT_FOUND", "This post is already deleted.");
  if (!byAuthor && !reason)
    fail("BAD_REQUEST", "Say why you delete someone else's post; it is logged and sent to them.");
  const statements: BatchItem[] = [
    db.update(boardPosts).set({ status: "deleted", deletedAt: now }).where(eq(boardPosts.id, id)),
  ];
  const extra = byAuthor
    ? { statements: [], notices: [] }
    : adminDeletion(db, actor, { type: "post", id, authorId: post.authorId }, reason, now);
  await runBatch(db, [...statements, ...extra.statements, ...extra.notices]);
  return { id, notices: extra.notices };
}

/**
 * An admin deleting someone else's post or comment: the audit row (who, why) and the author's notification, as
 * statements for the deletion's batch.
 */
export function adminDeletion(
  db: Db,
  actor: { id: string },
  target: { type: "post" | "comment"; id: string; authorId: string; postId?: string },
  reason: string | undefined,
  now: number,
): { statements: BatchItem[]; notices: NotifyStatement[] } {
  const audit = db.insert(auditLog).values({
    id: newId(now),
    actorId: actor.id,
    action: `board.${target.type}.delete`,
    targetId: target.id,
    detail: { authorId: target.authorId, postId: target.postId ?? null, reason },
    createdAt: now,
  });
  const notice = notify(db, {
    userId: target.authorId,
    now,
    kind: "moderation.outcome",
    params: { targetType: target.type, targetId: target.id, outcome: "removed", reason: reason ?? "" },
    dedupeKey: `moderation:${target.type}:${target.id}:deleted`,
  });
  return { statements: [audit], notices: [notice] };
}

/** One like per user: the counter is recounted from the likes table, so repeats and races can't skew it. */
export async function setLike(db: Db, user: { id: string }, postId: string, liked: boolean, now: number) {
  const post = await loadPost(db, postId, { id: user.id, role: "buyer" });
  if (post.status !== "visible")
    failWith("PRECONDITION_FAILED", "This post is under review.", { reason: "under_review" });
  await requireCurrentVerification(db, user.id, post.regionId, now);
  const likeCount = sql`(SELECT count(*) FROM ${boardLikes} WHERE ${boardLikes.postId} = ${postId})`;
  await runBatch(db, [
    liked
      ? db.insert(boardLikes).values({ postId, userId: user.id, createdAt: now }).onConflictDoNothing()
      : db.delete(boardLikes).where(and(eq(boardLikes.postId, postId), eq(boardLikes.userId, user.id))),
    db
      .update(boardPosts)
      .set({ likeCount, score: sql`${likeCount} * 2 + ${boardPosts.commentCount}` })
      .where(eq(boardPosts.id, postId)),
    postLikeSignal(db, { userId: user.id, postId, liked, at: now }),
  ]);
  const row = await db
    .select({ likeCount: boardPosts.likeCount })
    .from(boardPosts)
    .where(eq(boardPosts.id, postId))
    .get();
  return { liked, likeCount: row?.likeCount ?? 0 };
}
