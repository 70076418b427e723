import type { MessageKey } from "../i18n/ko";
import { errorDetails } from "./api";
import { formatWon } from "./format";

type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** Refusals the server explains with a stable `details.reason`, and the won amounts each one carries. */
const REFUSALS = {
  insufficient_points: ["shortfall"],
  payment_debt: ["debt"],
  outstanding_debt: [],
  daily_limit: ["remaining", "limit"],
  monthly_limit: ["remaining", "limit"],
  deferred_cap: ["remaining", "cap"],
  deferred_debt: ["debt"],
  deferred_unverified: [],
  card_declined: [],
  refund_exceeds_refundable: ["refundable"],
} as const satisfies Record<string, readonly string[]>;
type Reason = keyof typeof REFUSALS;

/**
 * A refusal in the reader's language, from its reason code and amounts (the server's English message is for SDK
 * callers); the limits it quotes come with it. null when the reason is not one we word.
 */
export function refusalText(error: unknown, t: Translate): string | null {
  const details = errorDetails(error);
  const reason = typeof details?.reason === "string" ? details.reason : null;
  if (!reason || !(reason in REFUSALS)) return null;
  const params: Record<string, string> = {};
  for (const name of REFUSALS[reason as Reason]) params[name] = formatWon(Number(details?.[name] ?? 0));
  return t(`refusal.${reason as Reason}`, params);
}
