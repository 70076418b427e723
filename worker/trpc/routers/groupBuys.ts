import {
  groupBuyCancelInput,
  groupBuyCreateInput,
  groupBuyIdInput,
  groupBuyJoinInput,
  groupBuyLeaveInput,
  groupBuyListInput,
  groupBuyNoShowInput,
  groupBuyRefundPurchaseInput,
  myGroupBuysInput,
} from "../../../shared/schemas/groupbuy";
import { withUnread } from "../../community/rooms";
import {
  joinCaller,
  joinClaimed,
  joinGroupBuy,
  leaveGroupBuy,
  listParticipants,
  myGroupBuys,
  refuseEarly,
  transitionGroupBuy,
} from "../../groupbuy/actions";
import { confirmPickup, markNoShow } from "../../groupbuy/pickup";
import { refundPurchase } from "../../groupbuy/purchaseRefund";
import { createGroupBuy, getGroupBuy, listGroupBuys } from "../../groupbuy/service";
import { withIdempotency } from "../../lib/idempotency";
import { recordView } from "../../recommend/interactions";
import { activeProcedure, authedProcedure, claimProcedure, router } from "../init";

export const groupBuysRouter = router({
  /** With an idempotencyKey (a host's create places their hold), a retry returns the first buy instead of a second. */
  create: activeProcedure.input(groupBuyCreateInput).mutation(({ ctx, input }) => {
    const create = () => createGroupBuy(ctx.db, ctx.env, ctx.user, input, ctx.now);
    if (!input.idempotencyKey) return create();
    return withIdempotency(ctx, { scope: "groupBuys.create", key: input.idempotencyKey, input }, create);
  }),
  list: authedProcedure
    .input(groupBuyListInput)
    .query(({ ctx, input }) => listGroupBuys(ctx.db, ctx.user.id, input, ctx.now)),
  get: authedProcedure.input(groupBuyIdInput).query(async ({ ctx, input }) => {
    const result = await getGroupBuy(ctx.db, ctx.env, ctx.user, input.id, ctx.now);
    // A view is a weak recommendation signal; recorded after the response so reads stay fast. A cookie GET counts only
    // from the app's own pages (another site's link or <img> must not make the user "view" a buy); a bearer token is
    // never sent by the browser on its own.
    if (ctx.auth.kind === "bearer" || ctx.fromAppPage)
      ctx.waitUntil(recordView(ctx.db, ctx.user.id, input.id, ctx.now));
    return result;
  }),
  mine: authedProcedure
    .input(myGroupBuysInput)
    .query(async ({ ctx, input }) =>
      withUnread(ctx.env, ctx.user.id, await myGroupBuys(ctx.db, ctx.user.id, input.cursor, input.limit)),
    ),
  participants: authedProcedure
    .input(groupBuyIdInput)
    .query(({ ctx, input }) => listParticipants(ctx.db, ctx.user, input.id, ctx.now)),
  /**
   * A signed token's claim (context.ts) may take the early refusals before the session is read (a sold-out storm
   * then costs no D1); past them, the buy's room reads the session with the other guards, with activeProcedure's
   * checks, together with its concurrent joins' (joinClaimed). Without a claim the session was read first, as
   * everywhere, and joinCaller reads the guards here.
   */
  join: claimProcedure.input(groupBuyJoinInput).mutation(async ({ ctx, input }) => {
    // once per attempt: a stale closed hint lets exactly one attempt through to refresh it (closedHint.ts); in the
    // procedure's body rather than a middleware of its own, which a sold-out storm paid for on every attempt
    const userId = ctx.claim?.userId ?? ctx.user?.id;
    if (userId) await refuseEarly(ctx.env, userId, input, ctx.now);
    if (ctx.claim) return joinClaimed(ctx.env, ctx.claim, input);
    return joinGroupBuy(ctx.db, ctx.env, await joinCaller(ctx.db, ctx.env, ctx, ctx.now), input, ctx.now);
  }),
  leave: activeProcedure
    .input(groupBuyLeaveInput)
    .mutation(({ ctx, input }) => leaveGroupBuy(ctx.env, ctx.user, input)),
  cancel: activeProcedure
    .input(groupBuyCancelInput)
    .mutation(({ ctx, input }) =>
      transitionGroupBuy(ctx.db, ctx.env, ctx.user, input.id, "CANCELLED", input.reason, ctx.now),
    ),
  /** Seller: the order to the supplier is placed. */
  markOrdered: activeProcedure
    .input(groupBuyIdInput)
    .mutation(({ ctx, input }) => transitionGroupBuy(ctx.db, ctx.env, ctx.user, input.id, "ORDERED", null, ctx.now)),
  /** Seller: goods are at the pickup place. */
  markReady: activeProcedure
    .input(groupBuyIdInput)
    .mutation(({ ctx, input }) => transitionGroupBuy(ctx.db, ctx.env, ctx.user, input.id, "READY", null, ctx.now)),
  confirmPickup: activeProcedure
    .input(groupBuyIdInput)
    .mutation(({ ctx, input }) => confirmPickup(ctx.db, ctx.env, ctx.user, input.id, ctx.now)),
  markNoShow: activeProcedure
    .input(groupBuyNoShowInput)
    .mutation(({ ctx, input }) => markNoShow(ctx.db, ctx.env, ctx.user, input, ctx.now)),
  /** Seller (or an admin): refund one buyer's purchase of a COMPLETED buy in full, funded by the seller. */
  refundPurchase: activeProcedure
    .input(groupBuyRefundPurchaseInput)
    .mutation(({ ctx, input }) =>
      withIdempotency(ctx, { scope: "groupBuys.refundPurchase", key: input.idempotencyKey, input }, () =>
        refundPurchase(ctx.db, ctx.env, ctx.user, input, ctx.now),
      ),
    ),
});
