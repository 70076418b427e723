import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// Conventions: ids are sortable random text ids (see worker/lib/ids.ts), timestamps are epoch milliseconds,
// money is integer won. Every table here must also run on libSQL.

export const regions = sqliteTable("regions", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  nameEn: text("name_en").notNull(),
  city: text("city").notNull(),
  lat: real("lat").notNull(),
  lng: real("lng").notNull(),
  radiusM: integer("radius_m").notNull(),
});

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    displayName: text("display_name").notNull(),
    role: text("role", { enum: ["buyer", "seller", "admin"] })
      .notNull()
      .default("buyer"),
    homeRegionId: text("home_region_id").references(() => regions.id),
    suspendedUntil: integer("suspended_until"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("users_email_unique").on(t.email)],
);

export const sessions = sqliteTable(
  "sessions",
  {
    // SHA-256 of the token, hex: the token itself is never stored.
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    kind: text("kind", { enum: ["cookie", "bearer"] }).notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

export const rateLimits = sqliteTable("rate_limits", {
  key: text("key").primaryKey(),
  count: integer("count").notNull(),
  windowStart: integer("window_start").notNull(),
});

export const regionVerifications = sqliteTable(
  "region_verifications",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    regionId: text("region_id")
      .notNull()
      .references(() => regions.id),
    distanceM: integer("distance_m").notNull(),
    verifiedAt: integer("verified_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("region_verifications_user_idx").on(t.userId, t.verifiedAt)],
);

export const sellerApplications = sqliteTable(
  "seller_applications",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    businessName: text("business_name").notNull(),
    businessNumber: text("business_number").notNull(),
    status: text("status", { enum: ["pending", "approved", "rejected"] }).notNull(),
    decisionReason: text("decision_reason"),
    decidedBy: text("decided_by").references(() => users.id),
    createdAt: integer("created_at").notNull(),
    decidedAt: integer("decided_at"),
  },
  (t) => [
    index("seller_applications_status_idx").on(t.status, t.createdAt),
    // at most one pending application per user
    uniqueIndex("seller_applications_one_pending").on(t.userId).where(sql`status = 'pending'`),
  ],
);

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    actorId: text("actor_id").references(() => users.id),
    action: text("action").notNull(),
    targetId: text("target_id"),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("audit_log_target_idx").on(t.targetId, t.createdAt)],
);
