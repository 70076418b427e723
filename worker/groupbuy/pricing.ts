import { splitTotal } from "../../shared/money";
import { LIMITS } from "../../shared/schemas/groupbuy";
import { fail } from "../lib/errors";

/**
 * Price per share = total / shares rounded half-up to the won. The difference (perShare × shares − total) is shown
 * and belongs to the seller: escrow always holds exactly what buyers paid, and the seller receives all of it minus
 * the fee, so no won is lost either way.
 */
export function sharePricing(totalPrice: number, totalShares: number) {
  const split = splitTotal(totalPrice, totalShares);
  if (split.perShare < LIMITS.perShareMin) {
    fail(
      "BAD_REQUEST",
      `Each share would cost ${split.perShare} won; use fewer shares (a share costs at least 100 won).`,
    );
  }
  return {
    pricePerShare: split.perShare,
    /** What buyers pay in total when every share is taken. */
    collectedIfFilled: split.perShare * totalShares,
    /** + means buyers pay that much more than the listed total (seller keeps it); − means the seller absorbs it. */
    roundingDifference: split.perShare * totalShares - totalPrice,
  };
}

export function holdAmount(pricePerShare: number, shares: number): number {
  return pricePerShare * shares;
}
