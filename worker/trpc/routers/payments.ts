import { TRPCError } from "@trpc/server";
import { registerBillingKeyInput } from "../../../shared/schemas/payments";
import { getGateway } from "../../payments";
import { activeBillingKey, billingKeySummary, registerBillingKey, removeBillingKey } from "../../wallet/billingKeys";
import { activeProcedure, authedProcedure, router } from "../init";

export const paymentsRouter = router({
  /** Exchanges the gateway's card-registration authKey for a billing key (stored encrypted) and records consent. */
  registerBillingKey: activeProcedure
    .input(registerBillingKeyInput)
    .mutation(({ ctx, input }) => registerBillingKey(ctx.db, ctx.env, ctx.user.id, input, ctx.ip, ctx.now)),

  /** The registered card (company and masked number), or null. */
  billingKey: authedProcedure.query(async ({ ctx }) => {
    const row = await activeBillingKey(ctx.db, ctx.user.id);
    return row ? billingKeySummary(row) : null;
  }),

  removeBillingKey: authedProcedure.mutation(({ ctx }) => removeBillingKey(ctx.db, ctx.user.id, ctx.now)),

  /**
   * The gateway's public key for encrypting a card in the browser (shared/payments/card.ts encryptCardForGateway).
   * null when the configured gateway does not take encrypted cards.
   */
  gatewayPublicKey: authedProcedure.query(async ({ ctx }) => {
    const key = await getGateway(ctx.env).publicKey();
    if (key.kind === "ok") return key.value;
    throw new TRPCError({
      code: "SERVICE_UNAVAILABLE",
      message: "The card gateway is not answering right now, so its encryption key cannot be fetched. Try again soon.",
    });
  }),
});
