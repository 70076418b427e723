import { moderationDecisionInput, moderationQueueInput } from "../../../shared/schemas/board";
import { decide, moderationQueue } from "../../community/moderation";
import { adminProcedure, router } from "../init";

export const moderationRouter = router({
  queue: adminProcedure.input(moderationQueueInput).query(({ ctx, input }) => moderationQueue(ctx.db, input.limit)),
  approve: adminProcedure.input(moderationDecisionInput).mutation(async ({ ctx, input }) => {
    const { notices, ...result } = await decide(ctx.db, ctx.user, input, "approved", ctx.now);
    ctx.pushLive(notices);
    return result;
  }),
  remove: adminProcedure.input(moderationDecisionInput).mutation(async ({ ctx, input }) => {
    const { notices, ...result } = await decide(ctx.db, ctx.user, input, "removed", ctx.now);
    ctx.pushLive(notices);
    return result;
  }),
});
