import { forMeInput, notInterestedInput, setInterestsInput } from "../../../shared/schemas/recommend";
import { getInterests, markNotInterested, setInterests } from "../../recommend/preferences";
import { recommendForUser } from "../../recommend/serve";
import { authedProcedure, router } from "../init";

export const recommendRouter = router({
  /** Suggestions for the caller: OPEN group buys in their verified region, each with a reason. */
  forMe: authedProcedure
    .input(forMeInput)
    .query(({ ctx, input }) => recommendForUser(ctx.db, ctx.user, ctx.now, input.limit)),
  interests: authedProcedure.query(({ ctx }) => getInterests(ctx.db, ctx.user.id)),
  setInterests: authedProcedure
    .input(setInterestsInput)
    .mutation(({ ctx, input }) => setInterests(ctx.db, ctx.user.id, input.categories, ctx.now)),
  notInterested: authedProcedure
    .input(notInterestedInput)
    .mutation(({ ctx, input }) => markNotInterested(ctx.db, ctx.user.id, input.groupBuyId, ctx.now)),
  undoNotInterested: authedProcedure
    .input(notInterestedInput)
    .mutation(({ ctx, input }) => markNotInterested(ctx.db, ctx.user.id, input.groupBuyId, ctx.now, true)),
});
