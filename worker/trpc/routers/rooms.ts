import { TRPCError } from "@trpc/server";
import { chatReportInput, roomHistoryInput, roomIdInput } from "../../../shared/schemas/rooms";
import { issueSocketTicket, requireTicketAllowance } from "../../accounts/socketAuth";
import { reportChatMessage, requireRoomAccess } from "../../community/rooms";
import { ROOM_FULL } from "../../durable/roomSockets";
import { roomStub } from "../../groupbuy/service";
import { ErrorDetails } from "../../lib/errors";
import { activeProcedure, authedProcedure, router } from "../init";

/** The group-buy room's chat over HTTP: tickets for SDK sockets, history pages, reports. */
export const roomsRouter = router({
  /** A single-use, one-minute ticket: open /api/rooms/:id/ws?ticket=… from clients that can't send a cookie. */
  ticket: activeProcedure.input(roomIdInput).mutation(async ({ ctx, input }) => {
    await requireRoomAccess(ctx.db, ctx.user, input.id, ctx.now);
    await requireTicketAllowance(ctx.db, ctx.user.id, ctx.now);
    const { ticket, expiresAt } = await issueSocketTicket(
      ctx.db,
      ctx.user.id,
      ctx.auth.token,
      `room:${input.id}`,
      ctx.now,
    );
    return { ticket, expiresAt, path: `/api/rooms/${input.id}/ws?ticket=${ticket}` };
  }),
  /**
   * Whether the caller's room socket would be taken now, by the upgrade's own rules: its refusal (UNAUTHORIZED,
   * FORBIDDEN with a reason, NOT_FOUND, SERVICE_UNAVAILABLE `room_full`) typed, for clients that cannot read a refused
   * upgrade's answer (a browser's WebSocket only sees it fail). Asked after a failed upgrade, not before each one.
   */
  knock: authedProcedure.input(roomIdInput).query(async ({ ctx, input }) => {
    await requireRoomAccess(ctx.db, ctx.user, input.id, ctx.now);
    if (!(await roomStub(ctx.env, input.id).hasPlace())) {
      throw new TRPCError({
        code: "SERVICE_UNAVAILABLE",
        message: ROOM_FULL.message,
        cause: new ErrorDetails(ROOM_FULL.details),
      });
    }
    return { ok: true as const };
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
