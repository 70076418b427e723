import { z } from "zod";
import { cursorSchema, limitSchema } from "./common";
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
