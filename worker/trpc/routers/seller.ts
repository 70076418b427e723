import { payoutListInput } from "../../../shared/schemas/groupbuy";
import { listSellerPayouts } from "../../groupbuy/payouts";
import { router, sellerProcedure } from "../init";

export const sellerRouter = router({
  /** Payables per completed group buy (gross, fee, net; pending → available → paid) and the payouts. */
  payouts: sellerProcedure
    .input(payoutListInput)
    .query(({ ctx, input }) => listSellerPayouts(ctx.db, ctx.user.id, input.cursor, input.limit)),
});
