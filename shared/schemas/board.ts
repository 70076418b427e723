import { z } from "zod";
import { idSchema, reasonSchema, regionIdSchema } from "./common";

/** Stable codes; labels live in the client's i18n files (board.category.<code>). */
export const BOARD_CATEGORIES = ["proposal", "sharing", "question", "review"] as const;
export type BoardCategory = (typeof BOARD_CATEGORIES)[number];
export const boardCategorySchema = z.enum(BOARD_CATEGORIES);

export const POST_TITLE_MIN = 2;
export const POST_TITLE_MAX = 80;
export const POST_BODY_MAX = 5000;
export const COMMENT_BODY_MAX = 1000;
export const SEARCH_QUERY_MAX = 100;
export const SUPPLY_MESSAGE_MAX = 500;
export const BOARD_PAGE_MAX = 50;
/** A thread is bounded so one post can never make get/comments unbounded. */
export const MAX_COMMENTS_PER_POST = 500;

const titleSchema = z
  .string()
  .trim()
  .min(POST_TITLE_MIN, `Title must be ${POST_TITLE_MIN}–${POST_TITLE_MAX} characters`)
  .max(POST_TITLE_MAX, `Title must be ${POST_TITLE_MIN}–${POST_TITLE_MAX} characters`);
const bodySchema = z
  .string()
  .trim()
  .min(1, "Write something in the post")
  .max(POST_BODY_MAX, `A post is at most ${POST_BODY_MAX} characters`);

export const boardListInput = z.object({
  regionId: regionIdSchema,
  category: boardCategorySchema.optional(),
  query: z.string().trim().max(SEARCH_QUERY_MAX, `Search is at most ${SEARCH_QUERY_MAX} characters`).optional(),
  sort: z.enum(["newest", "popular"]).default("newest"),
  cursor: z.string().max(64).optional(),
  limit: z.number().int().min(1).max(BOARD_PAGE_MAX).default(20),
});

export const postIdInput = z.object({ id: idSchema });

export const createPostInput = z.object({
  regionId: regionIdSchema,
  category: boardCategorySchema,
  title: titleSchema,
  body: bodySchema,
});

export const updatePostInput = z
  .object({
    id: idSchema,
    category: boardCategorySchema.optional(),
    title: titleSchema.optional(),
    body: bodySchema.optional(),
  })
  .refine(
    (v) => v.category !== undefined || v.title !== undefined || v.body !== undefined,
    "Change at least one field",
  );

export const deletePostInput = z.object({ id: idSchema, reason: reasonSchema.optional() });

export const commentInput = z.object({
  postId: idSchema,
  /** Reply to this top-level comment (one level of replies only). */
  parentId: idSchema.optional(),
  body: z
    .string()
    .trim()
    .min(1, "Write a comment")
    .max(COMMENT_BODY_MAX, `A comment is at most ${COMMENT_BODY_MAX} characters`),
});

export const commentsInput = z.object({
  postId: idSchema,
  cursor: idSchema.optional(),
  limit: z.number().int().min(1).max(BOARD_PAGE_MAX).default(30),
});

export const deleteCommentInput = z.object({ id: idSchema, reason: reasonSchema.optional() });

export const likeInput = z.object({ postId: idSchema, liked: z.boolean() });

export const REPORT_REASONS = ["spam", "abuse", "fraud", "illegal", "other"] as const;
export const reportInput = z.object({
  targetType: z.enum(["post", "comment"]),
  targetId: idSchema,
  reason: z.enum(REPORT_REASONS),
  note: z.string().trim().max(500).optional(),
});

/** A seller's "I can supply this" on a 공구 제안 post. */
export const supplyOfferInput = z.object({
  postId: idSchema,
  message: z
    .string()
    .trim()
    .min(2, `Tell the neighbours what you can offer (2–${SUPPLY_MESSAGE_MAX} characters)`)
    .max(SUPPLY_MESSAGE_MAX, `Tell the neighbours what you can offer (2–${SUPPLY_MESSAGE_MAX} characters)`),
});

export const linkGroupBuyInput = z.object({ postId: idSchema, groupBuyId: idSchema });

export const moderationQueueInput = z
  // ≤ 40 so the report lookup for posts + comments stays under 100 bound parameters
  .object({ limit: z.number().int().min(1).max(40).default(30) })
  .default({ limit: 30 });

export const moderationDecisionInput = z.object({
  targetType: z.enum(["post", "comment"]),
  targetId: idSchema,
  reason: reasonSchema,
  /** Also suspend the author for this many days. */
  suspendDays: z.number().int().min(1).max(365).optional(),
});
