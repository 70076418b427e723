import { z } from "zod";
import { cursorSchema, idSchema, limitSchema } from "./common";
import { GROUP_BUY_STATUSES } from "./groupbuy";

// Inputs of the seller and admin consoles' own reads (the actions reuse the domain procedures' inputs).

/** A seller's own group buys, optionally one status. */
export const sellerGroupBuysInput = z
  .object({ status: z.enum(GROUP_BUY_STATUSES).optional(), cursor: cursorSchema, limit: limitSchema })
  .default({ limit: 20 });

/** Approved sellers for admins (to suspend one). */
export const adminSellersListInput = z.object({ cursor: cursorSchema, limit: limitSchema }).default({ limit: 20 });

export const PAYABLE_STATUSES = ["pending", "available", "paid"] as const;

/** Every seller's payables (settlements) for admins. */
export const adminPayablesInput = z
  .object({ status: z.enum(PAYABLE_STATUSES).optional(), cursor: cursorSchema, limit: limitSchema })
  .default({ limit: 20 });

export const PAYOUT_STATUSES = ["requested", "paid", "failed"] as const;

const instant = (what: string) =>
  z
    .number()
    .int(`${what} is a time in milliseconds since 1970`)
    .min(0, `${what} is a time in milliseconds since 1970`)
    .max(8_640_000_000_000_000, `${what} is too far in the future`);

/**
 * Every seller's payouts for admins: one status, only those the batch left for an operator, one seller, requested
 * from `from` (inclusive) to `to` (exclusive), newest first.
 */
export const adminPayoutsInput = z
  .object({
    status: z.enum(PAYOUT_STATUSES, "Status is requested, paid or failed").optional(),
    needsOperator: z.boolean("needsOperator is true or false").optional(),
    sellerId: idSchema.optional(),
    from: instant("from").optional(),
    to: instant("to").optional(),
    cursor: cursorSchema,
    limit: limitSchema,
  })
  .refine((v) => v.from === undefined || v.to === undefined || v.from < v.to, {
    message: "from must be before to",
    path: ["to"],
  })
  .default({ limit: 20 });

/** An admin asks the gateway now how a payout that is still requested ended (what the daily batch would do). */
export const adminPayoutRecheckInput = z.object({ payoutId: idSchema });

export const TIMELINE_BUCKETS = { hour: 3_600_000, day: 86_400_000 } as const;
export type TimelineBucket = keyof typeof TIMELINE_BUCKETS;

/** Counts over time for the admin charts: `points` buckets ending with the current one. */
export const adminTimelineInput = z
  .object({
    bucket: z.enum(["hour", "day"], "Bucket is hour or day").default("hour"),
    points: z
      .number()
      .int("Points is a whole number")
      .min(2, "Ask for 2–168 points")
      .max(168, "Ask for 2–168 points")
      .default(48),
  })
  .default({ bucket: "hour", points: 48 });
