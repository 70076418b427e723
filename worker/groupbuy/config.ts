// Group-buy policy numbers in one place. Money math itself lives in shared/money.ts.

/** Platform fee on a completed group buy's escrow, in basis points (500 = 5 %), rounded half-up by applyBps. */
export const PLATFORM_FEE_BPS = 500;

/** A reservation that has not become a confirmed hold within this long is reconciled by the DO alarm. */
export const RESERVATION_TTL_MS = 30_000;
/** A released reservation is checked against the ledger once more after this, in case a late hold landed. */
export const RELEASE_RECHECK_MS = 5 * 60_000;
/** Retry delay for the DO's D1 mirror / queue outbox when a flush fails. */
export const FLUSH_RETRY_MS = 10_000;

/** Buyers who have not confirmed pickup this long after READY are confirmed automatically (cron). */
export const AUTO_CONFIRM_MS = 7 * 86_400_000;
/** A seller's payable stays pending this long after completion (disputes), then becomes available (cron). */
export const PAYABLE_HOLD_MS = 3 * 86_400_000;
/** Smallest payout a batch sends; smaller balances wait for the next batch. */
export const MIN_PAYOUT_WON = 1_000;

/** Queue settlement messages are sent in chunks of this many (Queue sendBatch allows 100); a room's settlement
 * message carries up to SETTLE_HOLDS_MAX holds (shared/schemas/jobs.ts). */
export const SETTLE_CHUNK = 100;
/** Claimed joins whose guards a room reads in one D1 round trip (one statement each; D1 allows 1,000 per invocation). */
export const GUARD_GROUP_MAX = 50;
/**
 * A seller may refund a completed buy's purchase this long after completion (groupBuys.refundPurchase): past the
 * 7 days within which a Korean buyer may withdraw from a distance sale (전자상거래법 청약철회) with a week's margin for
 * the seller to look into a complaint, and short enough that a seller's balance is not exposed without end.
 */
export const REFUND_WINDOW_MS = 14 * 86_400_000;
