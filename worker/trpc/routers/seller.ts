import { sellerGroupBuysInput } from "../../../shared/schemas/console";
import { payoutListInput } from "../../../shared/schemas/groupbuy";
import { payoutAccountInput } from "../../../shared/schemas/payoutAccounts";
import { withUnread } from "../../community/rooms";
import { listSellerGroupBuys } from "../../groupbuy/consoleLists";
import { getPayoutAccount, savePayoutAccount } from "../../groupbuy/payoutAccounts";
import { listSellerPayouts } from "../../groupbuy/payouts";
import { router, sellerProcedure } from "../init";

export const sellerRouter = router({
  /** Payables per completed group buy (gross, fee, net; pending → available → paid) and the payouts. */
  payouts: sellerProcedure
    .input(payoutListInput)
    .query(({ ctx, input }) => listSellerPayouts(ctx.db, ctx.user.id, input.cursor, input.limit)),
  /** The seller's own payout account (정산 계좌) as registered with Toss; there is no id: only their own. */
  payoutAccount: router({
    get: sellerProcedure.query(({ ctx }) => getPayoutAccount(ctx.db, ctx.user.id)),
    save: sellerProcedure
      .input(payoutAccountInput)
      .mutation(({ ctx, input }) => savePayoutAccount(ctx.db, ctx.env, ctx.user.id, input, ctx.now)),
  }),
  /** The seller's own group buys with their states and the actions the state machine allows now. */
  groupBuys: sellerProcedure
    .input(sellerGroupBuysInput)
    .query(async ({ ctx, input }) =>
      withUnread(ctx.env, ctx.user.id, await listSellerGroupBuys(ctx.db, ctx.user.id, input, ctx.now)),
    ),
});
