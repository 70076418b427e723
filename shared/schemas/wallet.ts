import { z } from "zod";
import { cursorSchema, idempotencyKeySchema, idSchema, reasonSchema, regionIdSchema } from "./common";
import { bookDatabaseSchema } from "./jobs";

/**
 * What a ledger line is about. The client renders a localized sentence from `kind` + `meta`; the server also stores a
 * short English `description`. Add kinds here (not in the database: the column is text).
 */
export const TRANSFER_KINDS = [
  "grant", // promotional points from the platform
  "charge", // points bought with a card
  "charge_deferred", // points granted before a deferred card charge
  "charge_clawback", // deferred charge definitively declined
  "refund", // charged points refunded to the card
  "hold", // points reserved (join)
  "hold_capture", // reserved points taken (group buy confirmed)
  "hold_release", // reservation cancelled
  "hold_expire", // reservation timed out
  "escrow_refund", // group buy failed/cancelled after capture: points back from escrow
  "settlement", // escrow → seller payable
  "platform_fee", // escrow → fee revenue
  "seller_refund", // a completed purchase refunded by its seller: seller payable → escrow
  "platform_fee_refund", // the fee on that purchase back: fee revenue → escrow
  "payout_release", // seller payable pending → available
  "payout", // seller payable available → paid out to the seller
  "reward", // membership reward points
  "reward_expire", // reward points expired
  "reward_clawback", // reward taken back after a refund of the purchase that earned it
  "discount", // membership discount at join, paid by the platform into escrow
  "discount_reversal", // that discount back from escrow when the join is refunded
  "membership_fee", // Gonggu Plus paid with points
  "write_off",
  "book_move", // points moving with a user to another region
] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

/** Largest single movement we accept anywhere (10 billion won) — far below 2^53, catches unit mistakes. */
export const MAX_TRANSFER_WON = 10_000_000_000;

/** A positive whole number of won. */
export const wonSchema = z
  .number({ error: "Amount must be a number of won" })
  .int("Amount must be a whole number of won")
  .min(1, "Amount must be at least 1 won")
  .max(MAX_TRANSFER_WON, `Amount must be at most ${MAX_TRANSFER_WON.toLocaleString("en-US")} won`);

export const walletHistoryInput = z.object({
  cursor: cursorSchema,
  limit: z.number().int().min(1).max(100).default(20),
});

export const walletStatementInput = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "Month is YYYY-MM, e.g. 2026-03")
    .refine((m) => Number(m.slice(0, 4)) >= 2020 && Number(m.slice(0, 4)) <= 2100, "Month is out of range"),
});

/** Admin promotional grant (reward points, paid from promotion expense). */
export const adminGrantInput = z.object({
  userId: idSchema,
  amount: wonSchema.max(1_000_000, "A promotional grant is at most 1,000,000 won"),
  reason: reasonSchema,
  idempotencyKey: idempotencyKeySchema,
});

/**
 * Reconciliation rows of every book database: the latest ones, or (`run`) the rows of the run started at `run.at` by
 * book, a page at a time — `after` is the last row of the previous page (its book and database).
 */
export const reconciliationListInput = z.object({
  limit: z.number().int().min(1).max(100).default(20),
  run: z
    .strictObject({
      at: z.number().int().nonnegative(),
      after: z.strictObject({ book: regionIdSchema, database: bookDatabaseSchema }).optional(),
    })
    .optional(),
});
export type ReconciliationListInput = z.infer<typeof reconciliationListInput>;

export const HOLD_STATUSES = ["pending", "posted", "voided", "expired"] as const;
export type HoldStatus = (typeof HOLD_STATUSES)[number];
