import { gatewaySetInput } from "../../../shared/schemas/payments";
import { fail } from "../../lib/errors";
import { sandboxGateway } from "../../payments";
import type { Context } from "../context";
import { adminProcedure, router } from "../init";

function sandboxOnly(ctx: Pick<Context, "env">) {
  if (ctx.env.PG_MODE === "toss") {
    fail("PRECONDITION_FAILED", 'Gateway switches exist only for the sandbox gateway (PG_MODE is "toss").');
  }
  return sandboxGateway(ctx.env);
}

/** The sandbox gateway's switches: rehearse outages (down, slow, decline, timeout after success) and rate limits. */
export const gatewayAdminRouter = router({
  get: adminProcedure.query(async ({ ctx }) => ({
    pgMode: ctx.env.PG_MODE === "toss" ? ("toss" as const) : ("sandbox" as const),
    switches: ctx.env.PG_MODE === "toss" ? null : await sandboxOnly(ctx).getSwitches(),
  })),
  set: adminProcedure.input(gatewaySetInput).mutation(async ({ ctx, input }) => ({
    pgMode: "sandbox" as const,
    switches: await sandboxOnly(ctx).setSwitches(input),
  })),
});
