import { sellerDecisionInput, suspendUserInput } from "../../../shared/schemas/accounts";
import { decideApplication, pendingApplications } from "../../accounts/sellers";
import { suspendUser } from "../../accounts/suspension";
import { adminProcedure, router } from "../init";
import { adminPayablesRouter, adminStatsRouter } from "./adminConsole";
import { chargesAdminRouter, dlqAdminRouter, gatewayAdminRouter } from "./adminPayments";
import { moderationRouter } from "./moderation";
import { walletAdminRouter } from "./wallet";

export const adminRouter = router({
  sellers: router({
    pending: adminProcedure.query(({ ctx }) => pendingApplications(ctx.db)),
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
    suspend: adminProcedure
      .input(suspendUserInput)
      .mutation(({ ctx, input }) => suspendUser(ctx.db, ctx.user.id, input.userId, input.days, input.reason, ctx.now)),
  }),
  gateway: gatewayAdminRouter,
  dlq: dlqAdminRouter,
  charges: chargesAdminRouter,
  wallet: walletAdminRouter,
  stats: adminStatsRouter,
  payables: adminPayablesRouter,
});
