import {
  adminChargeActionInput,
  adminChargesListInput,
  adminDlqListInput,
  adminDlqReplayInput,
  gatewaySetInput,
} from "../../../shared/schemas/payments";
import { fail } from "../../lib/errors";
import { sandboxGateway } from "../../payments";
import { listDeadLetters, replayDeadLetter } from "../../queue/deadLetters";
import { cancelCharge, listCharges, retryCharge } from "../../wallet/chargeAdmin";
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
  get: adminProcedure.query(async ({ ctx }) => {
    if (ctx.env.PG_MODE === "toss") return { pgMode: "toss" as const, switches: null, stats: null };
    const sandbox = sandboxOnly(ctx);
    return { pgMode: "sandbox" as const, switches: await sandbox.getSwitches(), stats: await sandbox.stats() };
  }),
  set: adminProcedure.input(gatewaySetInput).mutation(async ({ ctx, input }) => ({
    pgMode: "sandbox" as const,
    switches: await sandboxOnly(ctx).setSwitches(input),
  })),
});

/** Jobs the Queue gave up on (after its retry limit): look, fix the cause, replay. Jobs are idempotent. */
export const dlqAdminRouter = router({
  list: adminProcedure.input(adminDlqListInput).query(({ ctx, input }) => listDeadLetters(ctx.db, input)),
  replay: adminProcedure
    .input(adminDlqReplayInput)
    .mutation(({ ctx, input }) => replayDeadLetter(ctx.db, ctx.env, input.id, ctx.user.id, ctx.now)),
});

/** Charges stuck between states (deferred, unknown, processing) and what to do about them. */
export const chargesAdminRouter = router({
  list: adminProcedure.input(adminChargesListInput).query(({ ctx, input }) => listCharges(ctx.env, input)),
  retry: adminProcedure
    .input(adminChargeActionInput)
    .mutation(({ ctx, input }) => retryCharge(ctx.env, ctx.db, ctx.user.id, input.chargeId, input.reason, ctx.now)),
  cancel: adminProcedure
    .input(adminChargeActionInput)
    .mutation(({ ctx, input }) => cancelCharge(ctx.env, ctx.db, ctx.user.id, input.chargeId, input.reason, ctx.now)),
});
