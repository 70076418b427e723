import type { RateLimitRule } from "../lib/rateLimit";

/** Explicit limits of the board; sizes are in shared/schemas/board.ts so the client shows the same numbers. */
export const POST_RULE: RateLimitRule = { limit: 10, windowMs: 3_600_000 };
export const COMMENT_RULE: RateLimitRule = { limit: 5, windowMs: 60_000 };
export const REPORT_RULE: RateLimitRule = { limit: 20, windowMs: 3_600_000 };
/** How a report over REPORT_RULE is refused, of a post, a comment or a chat message alike. */
export const REPORT_REFUSAL = { reason: "report_limit", what: "Too many reports." };
/** "Popular" ranks posts of the last 30 days so old hits don't sit on top forever. */
export const POPULAR_WINDOW_MS = 30 * 86_400_000;
export const EXCERPT_CHARS = 160;
export const DEFAULT_REPORT_THRESHOLD = 3;

/** Unresolved reports that hide a post or comment pending review (wrangler var BOARD_REPORT_THRESHOLD). */
export function reportThreshold(env: { BOARD_REPORT_THRESHOLD?: string }): number {
  const n = Number(env.BOARD_REPORT_THRESHOLD);
  return Number.isInteger(n) && n >= 1 ? n : DEFAULT_REPORT_THRESHOLD;
}
