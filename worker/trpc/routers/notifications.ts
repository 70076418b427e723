import { listNotificationsInput, markReadInput } from "../../../shared/schemas/notifications";
import { issueSocketTicket, SOCKET_TICKET_RULE } from "../../accounts/socketAuth";
import { listNotifications, markRead, unreadCount } from "../../community/notifications";
import { fail } from "../../lib/errors";
import { takeRateLimits } from "../../lib/rateLimit";
import { authedProcedure, router } from "../init";

export const notificationsRouter = router({
  list: authedProcedure
    .input(listNotificationsInput)
    .query(({ ctx, input }) => listNotifications(ctx.db, ctx.user.id, input)),
  unreadCount: authedProcedure.query(async ({ ctx }) => ({ unread: await unreadCount(ctx.db, ctx.user.id) })),
  markRead: authedProcedure
    .input(markReadInput)
    .mutation(({ ctx, input }) => markRead(ctx.db, ctx.user.id, input, ctx.now)),
  /** For SDK clients that cannot send a cookie on a WebSocket: open /api/notifications/ws?ticket=… within a minute. */
  ticket: authedProcedure.mutation(async ({ ctx }) => {
    // counted in one atomic step before the ticket is issued, so tickets asked for at once cannot all pass
    if ((await takeRateLimits(ctx.db, [`ticket:${ctx.user.id}`], SOCKET_TICKET_RULE, ctx.now)).limited) {
      fail("TOO_MANY_REQUESTS", "Too many connection tickets; wait a minute.");
    }
    const { ticket, expiresAt } = await issueSocketTicket(
      ctx.db,
      ctx.user.id,
      ctx.auth.token,
      "notifications",
      ctx.now,
    );
    return { ticket, expiresAt, path: `/api/notifications/ws?ticket=${ticket}` };
  }),
});
