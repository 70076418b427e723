import { sellerApplyInput } from "../../../shared/schemas/accounts";
import { applyAsSeller, myApplications } from "../../accounts/sellers";
import { activeProcedure, authedProcedure, router } from "../init";

export const sellersRouter = router({
  // `apply` is reserved in tRPC routers (the client proxy would shadow Function.prototype.apply).
  applyToSell: activeProcedure
    .input(sellerApplyInput)
    .mutation(({ ctx, input }) => applyAsSeller(ctx.db, ctx.user, input, ctx.now)),
  myApplications: authedProcedure.query(({ ctx }) => myApplications(ctx.db, ctx.user.id)),
});
