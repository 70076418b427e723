import { sellerDecisionInput, suspendUserInput } from "../../../shared/schemas/accounts";
import { adminSellersListInput } from "../../../shared/schemas/console";
import { listSellers } from "../../accounts/sellerList";
import { decideApplication, pendingApplications } from "../../accounts/sellers";
import { suspendUser } from "../../accounts/suspension";
import { kickFromRooms } from "../../community/rooms";
import { adminProcedure, router } from "../init";
import { adminPayablesRouter, adminPayoutsRouter, adminStatsRouter } from "./adminConsole";
import { chargesAdminRouter, dlqAdminRouter, gatewayAdminRouter } from "./adminPayments";
import { moderationRouter } from "./moderation";
import { walletAdminRouter } from "./wallet";

export const adminRouter = router({
  sellers: router({
    pending: adminProcedure.query(({ ctx }) => pendingApplications(ctx.db)),
    list: adminProcedure.input(adminSellersListInput).query(({ ctx, input }) => listSellers(ctx.db, input, ctx.now)),
    approve: adminProcedure
      .input(sellerDecisionInput)
      .mutation(({ ctx, input }) =>
        decideApplication(ctx.db, ctx.user.id, input.applicationId, "approved", input.reason, ctx.now, ctx.pushLive),
      ),
    reject: adminProcedure
      .input(sellerDecisionInput)
      .mutation(({ ctx, input }) =>
        decideApplication(ctx.db, ctx.user.id, input.applicationId, "rejected", input.reason, ctx.now, ctx.pushLive),
      ),
  }),
  moderation: moderationRouter,
  users: router({
    suspend: adminProcedure.input(suspendUserInput).mutation(async ({ ctx, input }) => {
      const result = await suspendUser(ctx.db, ctx.user.id, input.userId, input.days, input.reason, ctx.now);
      // a suspended user is disconnected from every group-buy room (the room gateway refuses them from now on)
      ctx.waitUntil(kickFromRooms(ctx.env, ctx.db, input.userId));
      return result;
    }),
  }),
  gateway: gatewayAdminRouter,
  dlq: dlqAdminRouter,
  charges: chargesAdminRouter,
  wallet: walletAdminRouter,
  stats: adminStatsRouter,
  payables: adminPayablesRouter,
  payouts: adminPayoutsRouter,
});
