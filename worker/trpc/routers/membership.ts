import { membershipQuoteInput, membershipSubscribeInput } from "../../../shared/schemas/membership";
import type { Db } from "../../db/client";
import { withIdempotency } from "../../lib/idempotency";
import { cancelPlus, subscribePlus } from "../../membership/plus";
import { membershipQuote, membershipSummary } from "../../membership/view";
import { bookDb } from "../../wallet/books";
import { activeProcedure, authedProcedure, router } from "../init";

// Membership rows live beside the user's points, in their home region's book database.
const userBook = (ctx: { env: Env; db: Db; user: { homeRegionId: string | null } }) =>
  ctx.user.homeRegionId ? bookDb(ctx.env, ctx.user.homeRegionId) : ctx.db;

export const membershipRouter = router({
  get: authedProcedure.query(({ ctx }) => membershipSummary(userBook(ctx), ctx.user, ctx.now)),
  quote: authedProcedure
    .input(membershipQuoteInput)
    .query(({ ctx, input }) => membershipQuote(userBook(ctx), ctx.user.id, input.amount, ctx.now)),
  /** Gonggu Plus, paid with points now and renewed monthly; resumes renewal of a cancelled, still-running plan. */
  subscribe: activeProcedure.input(membershipSubscribeInput).mutation(({ ctx, input }) =>
    withIdempotency(ctx, { scope: "membership.subscribe", key: input.idempotencyKey, input }, async () => {
      const { plus, paid } = await subscribePlus(userBook(ctx), ctx.user, ctx.now);
      return {
        status: plus.status,
        autoRenew: plus.autoRenew,
        periodStart: plus.periodStart,
        periodEnd: plus.periodEnd,
        paid: paid ? { amount: paid.amount, fromReward: paid.fromReward, fromCharged: paid.fromCharged } : null,
      };
    }),
  ),
  /** Stops renewal; Plus stays until the end of the paid period. */
  cancel: authedProcedure.mutation(async ({ ctx }) => {
    const plus = await cancelPlus(userBook(ctx), ctx.user.id, ctx.now);
    return { status: plus.status, autoRenew: plus.autoRenew, periodEnd: plus.periodEnd };
  }),
});
