/**
 * The one place for money math. Money is integer won (KRW has no minor unit): every amount is a safe integer, never a
 * float. Rates are integer basis points (1 bp = 0.01 %), so no float ever enters a calculation.
 *
 * Rounding rule (the only one): HALF-UP TO THE WON. A fractional result rounds to the nearest won, and exactly .5
 * rounds up (away from zero for the non-negative amounts we handle). Fees, discounts and rewards all use it.
 *
 * Formatting is not here: the client uses Intl.NumberFormat('ko-KR').
 */

export const MAX_WON = Number.MAX_SAFE_INTEGER;
/** 100 % in basis points. */
export const FULL_BPS = 10_000;

export class MoneyError extends Error {
  override name = "MoneyError";
}

export function isWon(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value);
}

/** Asserts a safe-integer won amount (may be negative, e.g. a signed delta). */
export function assertWon(value: unknown, label = "amount"): number {
  if (!isWon(value)) throw new MoneyError(`${label} must be a whole number of won, got ${String(value)}`);
  return value;
}

/** Asserts a won amount ≥ min (default 0). */
export function assertNonNegativeWon(value: unknown, label = "amount", min = 0): number {
  const won = assertWon(value, label);
  if (won < min) throw new MoneyError(`${label} must be at least ${min} won, got ${won}`);
  return won;
}

/** Sum with a safe-integer check on the result (a sum can leave the safe range even when every term is in it). */
export function sumWon(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total = assertWon(total + assertWon(v), "sum");
  return total;
}

/** Percent (up to two decimals, e.g. 3.5) → basis points, refusing anything finer than 0.01 %. */
export function percentToBps(percent: number): number {
  const bps = Math.round(percent * 100);
  if (!Number.isFinite(percent) || Math.abs(bps - percent * 100) > 1e-9) {
    throw new MoneyError(`percent must have at most two decimals, got ${percent}`);
  }
  if (bps < 0 || bps > FULL_BPS) throw new MoneyError(`percent must be between 0 and 100, got ${percent}`);
  return bps;
}

/** round-half-up(numerator / denominator) for non-negative bigints. */
function divHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/**
 * amount × bps / 10 000, rounded half-up to the won. Used for platform fees, membership discounts and rewards.
 * BigInt inside so amount × bps never loses precision.
 */
export function applyBps(amount: number, bps: number): number {
  assertNonNegativeWon(amount);
  if (!Number.isInteger(bps) || bps < 0 || bps > FULL_BPS) {
    throw new MoneyError(`rate must be 0–${FULL_BPS} basis points, got ${bps}`);
  }
  return Number(divHalfUp(BigInt(amount) * BigInt(bps), BigInt(FULL_BPS)));
}

/** Convenience: applyBps with a percent such as 3.5. */
export function applyPercent(amount: number, percent: number): number {
  return applyBps(amount, percentToBps(percent));
}

export interface Split {
  /** Price of one share, total / shares rounded half-up. */
  perShare: number;
  shares: number;
  /** total − perShare × shares: positive = left over (seller keeps / platform absorbs), negative = over-collected. */
  remainder: number;
}

/** Splits a bulk price into equal shares at the half-up per-share price, and says what rounding left over. */
export function splitTotal(total: number, shares: number): Split {
  assertNonNegativeWon(total, "total");
  if (!Number.isSafeInteger(shares) || shares < 1) throw new MoneyError(`shares must be a positive integer`);
  const perShare = Number(divHalfUp(BigInt(total), BigInt(shares)));
  return { perShare, shares, remainder: total - perShare * shares };
}

/**
 * Allocates a total into n parts that sum to it exactly, proportionally to integer weights (largest remainder;
 * ties go to the earlier part). For refunds split over several payments or proportional fee shares.
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  assertNonNegativeWon(total, "total");
  if (weights.length === 0) throw new MoneyError("allocate needs at least one weight");
  for (const w of weights) assertNonNegativeWon(w, "weight");
  const weightSum = weights.reduce((a, b) => a + BigInt(b), 0n);
  if (weightSum === 0n) throw new MoneyError("allocate needs a positive weight");
  const big = BigInt(total);
  const parts = weights.map((w) => (big * BigInt(w)) / weightSum);
  const rests = weights.map((w, i) => ({ i, rest: (big * BigInt(w)) % weightSum }));
  let left = big - parts.reduce((a, b) => a + b, 0n);
  rests.sort((a, b) => (b.rest > a.rest ? 1 : b.rest < a.rest ? -1 : a.i - b.i));
  for (const { i } of rests) {
    if (left === 0n) break;
    parts[i] += 1n;
    left -= 1n;
  }
  return parts.map(Number);
}

/**
 * The platform fee given back when `refund` won of a settled buy's gross is refunded, after `refundedBefore` won of it
 * already were: the fee on what remains before minus the fee on what remains after, each by the fee's own rule
 * (applyBps, half-up, as worker/wallet/settlement.ts charges it). The parts telescope: refunding every purchase, in
 * any order, gives back exactly the fee that was taken (the last one brings the fee to applyBps(0) = 0), and what is
 * left is always the fee the buy would have been charged on its remaining gross. No won is created or lost by rounding.
 * Never negative: applyBps is monotone in the amount.
 */
export function refundFeeShare(a: { gross: number; refundedBefore: number; refund: number; feeBps: number }): number {
  const before = assertNonNegativeWon(a.gross - a.refundedBefore, "remaining gross");
  const after = assertNonNegativeWon(before - assertNonNegativeWon(a.refund, "refund", 1), "gross left after refund");
  return applyBps(before, a.feeBps) - applyBps(after, a.feeBps);
}
