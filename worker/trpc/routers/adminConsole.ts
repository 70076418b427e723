import { adminPayablesInput, adminTimelineInput } from "../../../shared/schemas/console";
import { listAllPayables } from "../../groupbuy/consoleLists";
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
