import {
  adminPayablesInput,
  adminPayoutRecheckInput,
  adminPayoutsInput,
  adminTimelineInput,
} from "../../../shared/schemas/console";
import { listAllPayables } from "../../groupbuy/consoleLists";
import { listPayouts, recheckPayout } from "../../groupbuy/payoutAdmin";
import { adminTimeline } from "../../stats/timeline";
import { adminProcedure, router } from "../init";

/** Reads behind the admin console's settlements page and charts. */
export const adminStatsRouter = router({
  timeline: adminProcedure
    .input(adminTimelineInput)
    .query(({ ctx, input }) => adminTimeline(ctx.db, ctx.env, input, ctx.now)),
});

export const adminPayablesRouter = router({
  list: adminProcedure.input(adminPayablesInput).query(({ ctx, input }) => listAllPayables(ctx.db, input)),
});

/** Every seller's payouts, the ones the daily batch left for an operator findable, and the one safe action on them. */
export const adminPayoutsRouter = router({
  list: adminProcedure.input(adminPayoutsInput).query(({ ctx, input }) => listPayouts(ctx.db, input)),
  recheck: adminProcedure
    .input(adminPayoutRecheckInput)
    .mutation(({ ctx, input }) => recheckPayout(ctx.env, ctx.user.id, input.payoutId, ctx.now)),
});
