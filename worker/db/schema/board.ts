import { sql } from "drizzle-orm";
import {
  type AnySQLiteColumn,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import { BOARD_CATEGORIES, REPORT_REASONS } from "../../../shared/schemas/board";
import { regions, users } from "./accounts";

/** visible → hidden (enough reports, pending review) → visible (approved) | removed (by a moderator); deleted = by author/admin. */
export const CONTENT_STATUSES = ["visible", "hidden", "removed", "deleted"] as const;
export type ContentStatus = (typeof CONTENT_STATUSES)[number];

export const boardPosts = sqliteTable(
  "board_posts",
  {
    // INTEGER PRIMARY KEY = the rowid, stable across VACUUM: the FTS5 index (migrations/NNNN_board_fts.sql) keys on it.
    seq: integer("seq").primaryKey(),
    id: text("id").notNull(),
    regionId: text("region_id")
      .notNull()
      .references(() => regions.id),
    authorId: text("author_id")
      .notNull()
      .references(() => users.id),
    category: text("category", { enum: BOARD_CATEGORIES }).notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    status: text("status", { enum: CONTENT_STATUSES }).notNull().default("visible"),
    likeCount: integer("like_count").notNull().default(0),
    commentCount: integer("comment_count").notNull().default(0),
    /** Unresolved reports; reaching the threshold hides the post. */
    reportCount: integer("report_count").notNull().default(0),
    /** Popularity: 2 × likes + comments, kept in step with the counters. */
    score: integer("score").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    deletedAt: integer("deleted_at"),
  },
  (t) => [
    uniqueIndex("board_posts_id_unique").on(t.id),
    index("board_posts_region_idx").on(t.regionId, t.status, t.id),
    index("board_posts_region_cat_idx").on(t.regionId, t.category, t.status, t.id),
    index("board_posts_popular_idx").on(t.regionId, t.status, t.score, t.id),
    index("board_posts_author_idx").on(t.authorId, t.id),
    index("board_posts_reported_idx").on(t.reportCount).where(sql`report_count > 0`),
  ],
);

export const boardComments = sqliteTable(
  "board_comments",
  {
    id: text("id").primaryKey(),
    postId: text("post_id")
      .notNull()
      .references(() => boardPosts.id),
    authorId: text("author_id")
      .notNull()
      .references(() => users.id),
    /** A top-level comment's id for a reply; replies cannot be replied to. */
    parentId: text("parent_id").references((): AnySQLiteColumn => boardComments.id),
    body: text("body").notNull(),
    status: text("status", { enum: CONTENT_STATUSES }).notNull().default("visible"),
    reportCount: integer("report_count").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    deletedAt: integer("deleted_at"),
  },
  (t) => [
    index("board_comments_post_idx").on(t.postId, t.parentId, t.id),
    index("board_comments_reported_idx").on(t.reportCount).where(sql`report_count > 0`),
  ],
);

export const boardLikes = sqliteTable(
  "board_likes",
  {
    postId: text("post_id")
      .notNull()
      .references(() => boardPosts.id),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.postId, t.userId] })],
);

export const boardReports = sqliteTable(
  "board_reports",
  {
    id: text("id").primaryKey(),
    targetType: text("target_type", { enum: ["post", "comment"] }).notNull(),
    targetId: text("target_id").notNull(),
    reporterId: text("reporter_id")
      .notNull()
      .references(() => users.id),
    reason: text("reason", { enum: REPORT_REASONS }).notNull(),
    note: text("note"),
    createdAt: integer("created_at").notNull(),
    /** Set when a moderator decides; resolved reports no longer count towards hiding. */
    resolvedAt: integer("resolved_at"),
  },
  (t) => [
    // one report per person per target: a second report changes nothing
    uniqueIndex("board_reports_once").on(t.targetType, t.targetId, t.reporterId),
    index("board_reports_target_idx").on(t.targetType, t.targetId, t.resolvedAt),
  ],
);

/** A seller's "I can supply this" on a proposal post, later linked to the group buy it became. */
export const boardSupplyOffers = sqliteTable(
  "board_supply_offers",
  {
    id: text("id").primaryKey(),
    postId: text("post_id")
      .notNull()
      .references(() => boardPosts.id),
    sellerId: text("seller_id")
      .notNull()
      .references(() => users.id),
    message: text("message").notNull(),
    groupBuyId: text("group_buy_id"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("board_supply_offers_once").on(t.postId, t.sellerId),
    index("board_supply_offers_group_buy_idx").on(t.groupBuyId),
  ],
);
