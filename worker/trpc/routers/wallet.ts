import {
  adminGrantInput,
  reconciliationListInput,
  walletHistoryInput,
  walletStatementInput,
} from "../../../shared/schemas/wallet";
import type { Db } from "../../db/client";
import { withIdempotency } from "../../lib/idempotency";
import { bookDb } from "../../wallet/books";
import { deferredOutstanding } from "../../wallet/charges";
import { listReconciliations } from "../../wallet/reconcile";
import { startReconciliationRun } from "../../wallet/reconcileRuns";
import { grantPromotion, walletHistory, walletStatement, walletSummary } from "../../wallet/wallet";
import { adminProcedure, authedProcedure, router } from "../init";
import { walletPaymentProcedures } from "./walletPayments";

// The user's points live in their home region's book.
const userBook = (ctx: { env: Env; db: Db; user: { homeRegionId: string | null } }) =>
  ctx.user.homeRegionId ? bookDb(ctx.env, ctx.user.homeRegionId) : ctx.db;

export const walletRouter = router({
  get: authedProcedure.query(async ({ ctx }) => {
    const summary = await walletSummary(userBook(ctx), ctx.user.id, ctx.user.homeRegionId);
    return { ...summary, pendingCharges: await deferredOutstanding(userBook(ctx), ctx.user.id) };
  }),
  history: authedProcedure
    .input(walletHistoryInput)
    .query(({ ctx, input }) => walletHistory(userBook(ctx), ctx.user.id, ctx.user.homeRegionId, input)),
  statement: authedProcedure
    .input(walletStatementInput)
    .query(({ ctx, input }) => walletStatement(userBook(ctx), ctx.user.id, ctx.user.homeRegionId, input.month)),
  ...walletPaymentProcedures,
});

export const walletAdminRouter = router({
  /** Promotional reward points for a user (seed, support, tests). */
  grant: adminProcedure.input(adminGrantInput).mutation(({ ctx, input }) =>
    withIdempotency(ctx, { scope: "admin.wallet.grant", key: input.idempotencyKey, input }, () =>
      grantPromotion(ctx.db, (regionId) => bookDb(ctx.env, regionId), {
        userId: input.userId,
        amount: input.amount,
        reason: input.reason,
        actorId: ctx.user.id,
        transferId: `grant:${ctx.user.id}:${input.idempotencyKey}`,
        now: ctx.now,
      }),
    ),
  ),
  /** The latest rows, or one run's (`run.at`: what reconcile returned as runAt), from every book database. */
  reconciliations: adminProcedure
    .input(reconciliationListInput)
    .query(({ ctx, input }) => listReconciliations(ctx.env, input)),
  /**
   * Starts a reconciliation run now, as the daily cron does: a queued job per book (one request could not check
   * more than ~330 books within D1's 1,000 queries). Each job stores its book's row; read them with
   * reconciliations({ run: { at: runAt } }) — `books` rows once every job ran. While the last on-demand run is in
   * progress, another start returns that run with `alreadyRunning: true` and queues nothing.
   */
  reconcile: adminProcedure.mutation(({ ctx }) => startReconciliationRun(ctx.env, ctx.db, ctx.user.id, ctx.now)),
});
