import { chargeInput, refundInput } from "../../../shared/schemas/payments";
import type { Db } from "../../db/client";
import { withIdempotency } from "../../lib/idempotency";
import { bookDb } from "../../wallet/books";
import { chargeWallet } from "../../wallet/charge";
import { pendingChargesOf } from "../../wallet/charges";
import { refundable, refundWallet } from "../../wallet/refund";
import { activeProcedure, authedProcedure } from "../init";

const userBook = (ctx: { env: Env; db: Db; user: { homeRegionId: string | null } }) =>
  ctx.user.homeRegionId ? bookDb(ctx.env, ctx.user.homeRegionId) : ctx.db;

/** The wallet's card procedures (spread into the wallet router): charge, refund, and the charges still pending. */
export const walletPaymentProcedures = {
  /** Buy points by card (1,000–2,000,000 won in 1,000 steps). Idempotent by idempotencyKey. */
  charge: activeProcedure
    .input(chargeInput)
    .mutation(({ ctx, input }) =>
      withIdempotency(ctx, { scope: "wallet.charge", key: input.idempotencyKey, input }, () =>
        chargeWallet(ctx.env, ctx.db, userBook(ctx), ctx.user, input, ctx.ip, ctx.now),
      ),
    ),

  /** Refund charged points (not reward, held or unpaid ones) to the original cards, newest payment first. */
  refund: activeProcedure
    .input(refundInput)
    .mutation(({ ctx, input }) =>
      withIdempotency(ctx, { scope: "wallet.refund", key: input.idempotencyKey, input }, () =>
        refundWallet(ctx.env, ctx.db, userBook(ctx), ctx.user, input, ctx.now),
      ),
    ),

  /**
   * Deferred and unknown charges with their state, the debt left by declined deferred charges, the cap, the latest
   * finished charges, and how many charged points a refund could return now.
   */
  pendingCharges: authedProcedure.query(async ({ ctx }) => {
    const db = userBook(ctx);
    const book = ctx.user.homeRegionId;
    const [pending, refund] = await Promise.all([
      pendingChargesOf(db, ctx.user.id, ctx.now),
      book ? refundable(db, ctx.user.id, book) : null,
    ]);
    return { ...pending, refundable: refund?.amount ?? 0 };
  }),
};
