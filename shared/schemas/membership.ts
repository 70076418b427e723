import { z } from "zod";
import { idempotencyKeySchema } from "./common";
import { wonSchema } from "./wallet";

/** Tier ids, lowest first. Names are UI strings (i18n: 새싹 / 이웃 / 단골 / VIP); thresholds live in the worker config. */
export const TIER_IDS = ["sprout", "neighbor", "regular", "vip"] as const;
export type TierId = (typeof TIER_IDS)[number];

export const PLUS_STATUSES = ["active", "ended", "lapsed"] as const;
export type PlusStatus = (typeof PLUS_STATUSES)[number];

export const membershipSubscribeInput = z.object({ idempotencyKey: idempotencyKeySchema });

/** What a join of `amount` won would cost with the caller's tier (shown before joining). */
export const membershipQuoteInput = z.object({ amount: wonSchema });
