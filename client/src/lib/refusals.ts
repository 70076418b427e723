import { reasonOf } from "../../../shared/sdkErrors";
import type { Translate } from "../i18n/ko";
import { formatDateTime, formatDistance, formatWon } from "./format";
import type { Locale } from "./i18n";

/** How a refusal's detail reads: won, a plain count, an instant (in Korean time), or metres as m / km. */
type Kind = "won" | "count" | "time" | "distance";

/** Refusals the server explains with a stable `details.reason`, and the details each one carries. */
const REFUSALS = {
  insufficient_points: { shortfall: "won" },
  payment_debt: { debt: "won" },
  outstanding_debt: {},
  daily_limit: { remaining: "won", limit: "won" },
  monthly_limit: { remaining: "won", limit: "won" },
  deferred_cap: { remaining: "won", cap: "won" },
  deferred_debt: { debt: "won" },
  deferred_unverified: {},
  card_declined: {},
  refund_exceeds_refundable: { refundable: "won" },
  // A group buy's room refusing a join or a leave (worker/durable/GroupBuyRoom.ts, membership/hooks.ts).
  closed: {},
  sold_out: {},
  region: {},
  // a host picking a product whose seller sells in another 시·도 (groupbuy/service.ts createGroupBuy)
  seller_area: {},
  // a first payout-account save that lost the race to another one (groupbuy/payoutAccounts.ts)
  payout_account_exists: {},
  max_per_person: { max: "count", current: "count" },
  not_enough_shares: { remaining: "count" },
  in_progress: {},
  // A money request (charge, refund, host's create) sent again while the first is still running (lib/idempotency.ts).
  request_in_progress: {},
  timeout: {},
  plus_early_access: { opensAt: "time" },
  verify_region: {},
  residents_only: {},
  // Verification from outside the neighbourhood's circle (worker/regions/verification.ts).
  too_far: { distanceM: "distance", radiusM: "distance" },
  email_taken: {},
  // Rate limits, each saying when it opens again (lib/rateLimit.ts requireUnderRateLimits): sign-ups and logins
  // (accounts/auth.ts), verification (regions/verification.ts), the board's posts, comments and reports of posts,
  // comments and chat messages (community/), socket tickets (accounts/socketAuth.ts), payout account changes
  // (groupbuy/payoutAccounts.ts) and card registrations (wallet/billingKeys.ts).
  signup_limit: { retryAt: "time" },
  login_limit: { retryAt: "time" },
  verify_limit: { retryAt: "time" },
  post_limit: { retryAt: "time" },
  comment_limit: { retryAt: "time" },
  report_limit: { retryAt: "time" },
  ticket_limit: { retryAt: "time" },
  payout_account_limit: { retryAt: "time" },
  card_limit: { retryAt: "time" },
  // A suspended account doing what only active accounts may (worker/trpc/init.ts, groupbuy/actions.ts).
  suspended: { until: "time" },
  // A group buy's chat room closed to a reader once the buy stopped taking joins, or to someone not of the buy.
  room_closed: {},
  room_members_only: {},
  // A message the room turned down for its sender's pace or the whole room's (worker/durable/chat.ts), and a room
  // whose socket cap refuses one more (worker/durable/roomSockets.ts).
  chat_too_fast: { seconds: "count" },
  chat_room_busy: { seconds: "count" },
  room_full: {},
  // Leaving once the buy stopped taking joins (GroupBuyRoom.leave); pickups and no-shows (groupbuy/pickup.ts).
  leave_closed: {},
  marked_no_show: {},
  already_picked_up: {},
  // A seller's refund of a completed purchase (groupbuy/purchaseRefund.ts).
  not_completed: {},
  refund_window_closed: {},
  not_settled: {},
  book_elsewhere: {},
  seller_balance_short: { shortfall: "won" },
  refund_raced: {},
  // A board post that is no longer visible, and one whose comments are full (community/).
  under_review: {},
  comments_full: { max: "count" },
} as const satisfies Record<string, Record<string, Kind>>;
type Reason = keyof typeof REFUSALS;

function detailText(value: unknown, kind: Kind, locale: Locale): string {
  const n = Number(value ?? 0);
  if (kind === "won") return formatWon(n, locale);
  if (kind === "time") return formatDateTime(n, locale);
  if (kind === "distance") return formatDistance(n, locale);
  return String(n);
}

/**
 * A refusal in the reader's language, from its reason code and details (`error.data.details`; the server's English
 * message is for SDK callers); the limits it quotes come with it. null when the reason is not one we word.
 */
export function refusalText(
  details: Record<string, unknown> | null,
  t: Translate,
  locale: Locale = "ko",
): string | null {
  const reason = reasonOf(details);
  if (!reason || !Object.hasOwn(REFUSALS, reason)) return null;
  const params: Record<string, string> = {};
  for (const [name, kind] of Object.entries(REFUSALS[reason as Reason]) as [string, Kind][]) {
    params[name] = detailText(details?.[name], kind, locale);
  }
  return t(`refusal.${reason as Reason}`, params);
}
