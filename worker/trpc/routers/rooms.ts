import { chatReportInput, roomHistoryInput, roomIdInput } from "../../../shared/schemas/rooms";
import { issueSocketTicket, SOCKET_TICKET_RULE } from "../../accounts/socketAuth";
import { assertUnderLimit } from "../../community/board";
import { reportChatMessage, requireRoomAccess } from "../../community/rooms";
import { roomStub } from "../../groupbuy/service";
import { countRateLimitHit } from "../../lib/rateLimit";
import { activeProcedure, authedProcedure, router } from "../init";

/** The group-buy room's chat over HTTP: tickets for SDK sockets, history pages, reports. */
export const roomsRouter = router({
  /** A single-use, one-minute ticket: open /api/rooms/:id/ws?ticket=… from clients that can't send a cookie. */
  ticket: activeProcedure.input(roomIdInput).mutation(async ({ ctx, input }) => {
    await requireRoomAccess(ctx.db, ctx.user, input.id, ctx.now);
    const key = `ticket:${ctx.user.id}`;
    await assertUnderLimit(ctx.db, key, SOCKET_TICKET_RULE, ctx.now, "connection tickets");
    await countRateLimitHit(ctx.db, key, SOCKET_TICKET_RULE, ctx.now);
    const { ticket, expiresAt } = await issueSocketTicket(
      ctx.db,
      ctx.user.id,
      ctx.auth.token,
      `room:${input.id}`,
      ctx.now,
    );
    return { ticket, expiresAt, path: `/api/rooms/${input.id}/ws?ticket=${ticket}` };
  }),
  /** Older messages, oldest first (the socket sends the latest 50 on connect). */
  history: authedProcedure.input(roomHistoryInput).query(async ({ ctx, input }) => {
    await requireRoomAccess(ctx.db, ctx.user, input.id, ctx.now);
    return roomStub(ctx.env, input.id).chatHistory(input.before ?? null, input.limit);
  }),
  report: activeProcedure
    .input(chatReportInput)
    .mutation(({ ctx, input }) => reportChatMessage(ctx.db, ctx.env, ctx.user, input, ctx.now)),
});
