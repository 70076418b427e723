import { listNotificationsInput, markReadInput } from "../../../shared/schemas/notifications";
import { issueSocketTicket, requireTicketAllowance } from "../../accounts/socketAuth";
import { listNotifications, markRead, unreadCount } from "../../community/notifications";
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
    await requireTicketAllowance(ctx.db, ctx.user.id, ctx.now);
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
