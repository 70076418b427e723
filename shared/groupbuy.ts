// The group-buy vocabulary without zod: the SPA's home feed needs these lists, and importing them from
// shared/schemas/groupbuy.ts would put the whole schema library on the feed's critical path.

export const PRODUCT_CATEGORIES = ["fresh", "processed", "household", "kids", "pet", "beauty", "other"] as const;
export type ProductCategory = (typeof PRODUCT_CATEGORIES)[number];

export const GROUP_BUY_STATUSES = [
  "OPEN",
  "FILLED",
  "TIPPED",
  "ORDERED",
  "READY",
  "COMPLETED",
  "FAILED",
  "CANCELLED",
] as const;
export type GroupBuyStatus = (typeof GROUP_BUY_STATUSES)[number];
