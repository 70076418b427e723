import { moderationDecisionInput, moderationQueueInput } from "../../../shared/schemas/board";
import { chatModerationInput } from "../../../shared/schemas/rooms";
import { decide, moderationQueue } from "../../community/moderation";
import { chatReportQueue, decideChatMessage, kickFromRooms } from "../../community/rooms";
import { adminProcedure, router } from "../init";

export const moderationRouter = router({
  /** Reported posts, comments and chat messages; hidden content first. */
  queue: adminProcedure.input(moderationQueueInput).query(async ({ ctx, input }) => ({
    ...(await moderationQueue(ctx.db, input.limit)),
    chatMessages: await chatReportQueue(ctx.db, input.limit),
  })),
  approve: adminProcedure.input(moderationDecisionInput).mutation(async ({ ctx, input }) => {
    const { notices, ...result } = await decide(ctx.db, ctx.user, input, "approved", ctx.now);
    ctx.pushLive(notices);
    if (result.suspendedUntil) ctx.waitUntil(kickFromRooms(ctx.env, ctx.db, result.authorId));
    return result;
  }),
  remove: adminProcedure.input(moderationDecisionInput).mutation(async ({ ctx, input }) => {
    const { notices, ...result } = await decide(ctx.db, ctx.user, input, "removed", ctx.now);
    ctx.pushLive(notices);
    if (result.suspendedUntil) ctx.waitUntil(kickFromRooms(ctx.env, ctx.db, result.authorId));
    return result;
  }),
  /** Deletes a chat message from its room (others see "deleted by admin"), resolving its reports. */
  deleteChatMessage: adminProcedure.input(chatModerationInput).mutation(async ({ ctx, input }) => {
    const { notices, ...result } = await decideChatMessage(ctx.db, ctx.env, ctx.user, input, "deleted", ctx.now);
    ctx.pushLive(notices);
    return result;
  }),
  /** Dismisses the reports of a chat message that breaks no rule. */
  keepChatMessage: adminProcedure.input(chatModerationInput).mutation(async ({ ctx, input }) => {
    const { notices: _none, ...result } = await decideChatMessage(ctx.db, ctx.env, ctx.user, input, "kept", ctx.now);
    return result;
  }),
});
