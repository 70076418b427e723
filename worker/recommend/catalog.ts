// The group-buy categories users can pick as interests. TEMPORARY copy until the groupbuy domain's
// shared/schemas/groupbuy.ts (PRODUCT_CATEGORIES) is on main; then this re-exports it.
export const CATEGORY_KEYS = ["fresh", "processed", "household", "kids", "pet", "beauty", "other"] as const;
