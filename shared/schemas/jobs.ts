import { z } from "zod";
import { GROUP_BUY_STATUSES } from "../groupbuy";
import { idSchema, regionIdSchema } from "./common";

/**
 * Holds per `groupbuy.settleHolds` job: its per-hold fallback (~12 D1 queries a hold) stays under D1's 1,000 queries
 * per invocation, and the body (≈ 30 bytes an id) far under a queue message's 128 KB.
 */
export const SETTLE_HOLDS_MAX = 50;

/** A ledger book's database, by its binding: DB (the main one) or one LEDGER_BOOKS names (worker/wallet/books.ts). */
export const bookDatabaseSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "Not a D1 binding name");

/**
 * Every Queue message body. Features add variants here; the consumer switches on `type`. Bodies are strict (unknown
 * keys are refused): a job carries ids only, never card data or amounts the consumer would trust.
 */
export const jobMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ping"), at: z.number().int() }),
  // Drive a charge we still owe an outcome: deferred (the gateway was down) or unknown (it did not answer).
  z.strictObject({ type: z.literal("charge.settle"), chargeId: idSchema, book: regionIdSchema }),
  // Finish one partial cancel of a refund (the gateway was down or did not answer).
  z.strictObject({ type: z.literal("refund.settle"), partId: idSchema, book: regionIdSchema }),
  // Group buys (worker/groupbuy/settlement.ts): converge one hold on its buy's status; settle a completed buy.
  // One hold (what rooms sent before Dec 2026; still accepted), or a chunk of one buy's holds in one job.
  z.strictObject({ type: z.literal("groupbuy.settleHold"), groupBuyId: idSchema, holdId: idSchema }),
  z.strictObject({
    type: z.literal("groupbuy.settleHolds"),
    groupBuyId: idSchema,
    holdIds: z.array(idSchema).min(1).max(SETTLE_HOLDS_MAX),
  }),
  z.strictObject({ type: z.literal("groupbuy.complete"), groupBuyId: idSchema }),
  // Run a buy's room alarm now (GroupBuyRoom.reconcile): the replay of a room step marked for operators.
  z.strictObject({ type: z.literal("groupbuy.reconcileRoom"), groupBuyId: idSchema }),
  z.strictObject({ type: z.literal("groupbuy.purchaseCompleted"), groupBuyId: idSchema, holdId: idSchema }),
  // Relay the members' status notices written at `at` to their open sockets (worker/community/groupBuyNotices.ts).
  z.strictObject({
    type: z.literal("groupbuy.pushNotices"),
    groupBuyId: idSchema,
    status: z.enum(GROUP_BUY_STATUSES),
    at: z.number().int(),
    /** The page after this member (user id); absent for the first page. */
    after: idSchema.optional(),
  }),
  /**
   * Check one ledger book for the daily run at `runAt` (worker/wallet/reconcile.ts): `database` is the binding of the
   * database that holds it (DB: the main one). One row per book and run, whatever the deliveries.
   */
  z.strictObject({
    type: z.literal("wallet.reconcileBook"),
    database: bookDatabaseSchema,
    book: regionIdSchema,
    runAt: z.number().int(),
  }),
  /**
   * Close a suspended (no session) or logged-out (session: its token's SHA-256) user's sockets in the next page of
   * their rooms, those with ids below `before` (worker/community/rooms.ts kickFromRooms).
   */
  z.strictObject({
    type: z.literal("rooms.kick"),
    userId: idSchema,
    session: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    before: idSchema,
  }),
  /** Move a user's points from one region book to another (worker/wallet/books.ts); idempotent by moveId. */
  z.object({
    type: z.literal("wallet.moveBook"),
    moveId: z.string().regex(/^[0-9A-Z]{26}$/),
    userId: idSchema,
    fromRegion: regionIdSchema,
    toRegion: regionIdSchema,
  }),
]);
export type JobMessage = z.infer<typeof jobMessageSchema>;
