import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { CHARGE_STATUSES } from "../../../shared/schemas/payments";
import { users } from "./accounts";

// Card payments. Tables that change together with ledger rows (charges, card_blobs, refunds, refund_parts) live in
// the user's book database (worker/wallet/books.ts), so they carry no foreign keys to users: a book may sit in its
// own D1. Consents, billing keys and dead letters are per user/service and live in the main database.
// Nothing here ever holds a card number or CVC: billing keys are gateway tokens (encrypted), card blobs are
// ciphertext only the gateway can open.

export const paymentConsents = sqliteTable(
  "payment_consents",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    kind: text("kind", { enum: ["billing_key", "deferred_charge"] }).notNull(),
    /** Which wording the user saw (shared/schemas/payments.ts CONSENT_TEXTS) and its hash, as proof. */
    textVersion: text("text_version").notNull(),
    textSha256: text("text_sha256").notNull(),
    ip: text("ip").notNull(),
    consentedAt: integer("consented_at").notNull(),
  },
  (t) => [index("payment_consents_user_idx").on(t.userId, t.consentedAt)],
);

export const billingKeys = sqliteTable(
  "billing_keys",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    /** Our random customer id at the gateway (never the user id: the gateway should not learn our ids). */
    customerKey: text("customer_key").notNull(),
    /** AES-GCM under BILLING_KEY_SECRETS version `keyVersion`; AAD binds it to this row and user. */
    keyVersion: integer("key_version").notNull(),
    ciphertext: text("ciphertext").notNull(),
    cardCompany: text("card_company"),
    /** The gateway's mask ("43301234********"), for display only. */
    cardMasked: text("card_masked"),
    consentId: text("consent_id")
      .notNull()
      .references(() => paymentConsents.id),
    createdAt: integer("created_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [
    uniqueIndex("billing_keys_one_active").on(t.userId).where(sql`revoked_at IS NULL`),
    index("billing_keys_version_idx").on(t.keyVersion),
  ],
);

export const charges = sqliteTable(
  "charges",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    /** The book (region) whose ledger got the points. */
    book: text("book").notNull(),
    /** The wallet.charge idempotency key: a retried request resumes this charge instead of starting another. */
    idempotencyKey: text("idempotency_key").notNull(),
    amount: integer("amount").notNull(),
    method: text("method", { enum: ["card", "billing_key", "encrypted_card"] }).notNull(),
    /** The gateway-side idempotency key. */
    orderId: text("order_id").notNull(),
    /** Set for card confirms at once, for the others when the gateway answers. */
    paymentKey: text("payment_key"),
    billingKeyId: text("billing_key_id"),
    consentId: text("consent_id"),
    status: text("status", { enum: CHARGE_STATUSES }).notNull(),
    /** 1 when the points were granted on credit (deferred_receivable → user) before the card was charged. */
    deferred: integer("deferred").notNull().default(0),
    /** Gateway sends so far: after one, the next step always asks the gateway before sending again. */
    attempts: integer("attempts").notNull().default(0),
    lastAttemptAt: integer("last_attempt_at"),
    lastErrorCode: text("last_error_code"),
    lastErrorMessage: text("last_error_message"),
    /** Canceled at the gateway by refunds, including parts still in flight. */
    refundedAmount: integer("refunded_amount").notNull().default(0),
    /** Clawed-back deferred charge: what the user still owes (points were already spent). */
    debtAmount: integer("debt_amount").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    settledAt: integer("settled_at"),
  },
  (t) => [
    uniqueIndex("charges_order_id_unique").on(t.orderId),
    uniqueIndex("charges_user_key_unique").on(t.userId, t.idempotencyKey),
    index("charges_user_created_idx").on(t.userId, t.createdAt),
    index("charges_status_idx").on(t.status, t.updatedAt),
    index("charges_user_debt_idx").on(t.userId).where(sql`debt_amount > 0`),
  ],
);

/** Browser-encrypted card for one deferred charge: forwarded once, then deleted; the cron deletes it after 24 h. */
export const cardBlobs = sqliteTable(
  "card_blobs",
  {
    chargeId: text("charge_id").primaryKey(),
    userId: text("user_id").notNull(),
    blob: text("blob").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("card_blobs_expiry_idx").on(t.expiresAt)],
);

export const refunds = sqliteTable(
  "refunds",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    book: text("book").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    amount: integer("amount").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("refunds_user_key_unique").on(t.userId, t.idempotencyKey)],
);

/**
 * One partial cancel of one original payment. Its points wait in a pending ledger transfer (user → PG clearing)
 * `refund:<id>` until the gateway confirms (post) or refuses (void).
 */
export const refundParts = sqliteTable(
  "refund_parts",
  {
    id: text("id").primaryKey(),
    refundId: text("refund_id").notNull(),
    chargeId: text("charge_id").notNull(),
    userId: text("user_id").notNull(),
    amount: integer("amount").notNull(),
    status: text("status", { enum: ["pending", "succeeded", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastErrorCode: text("last_error_code"),
    lastErrorMessage: text("last_error_message"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("refund_parts_refund_idx").on(t.refundId), index("refund_parts_status_idx").on(t.status)],
);

/**
 * Messages the Queue gave up on (recorded by the DLQ consumer), and group-buy room steps that keep failing
 * (worker/durable/roomRetries.ts: queue "room", a groupbuy.reconcileRoom job, resolved by the room once the step
 * succeeds); admins list and replay them.
 */
export const deadLetters = sqliteTable(
  "dead_letters",
  {
    id: text("id").primaryKey(),
    /** The Queue message id: a redelivered dead message is recorded once. */
    messageId: text("message_id").notNull(),
    queue: text("queue").notNull(),
    body: text("body", { mode: "json" }).notNull(),
    jobType: text("job_type"),
    attempts: integer("attempts").notNull(),
    /** Why, when the recorder knows (a room step's last error); the DLQ consumer is not told. */
    reason: text("reason"),
    createdAt: integer("created_at").notNull(),
    replayedAt: integer("replayed_at"),
    replayedBy: text("replayed_by"),
  },
  (t) => [
    uniqueIndex("dead_letters_message_unique").on(t.messageId),
    index("dead_letters_open_idx").on(t.replayedAt, t.createdAt),
  ],
);
