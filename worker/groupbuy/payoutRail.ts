/**
 * PAYOUT HOOK — how money reaches a seller's bank account. The payments feature's PaymentGateway covers card
 * charges and cancels but has no payout call yet (Toss offers payouts as a separate API). Until one exists this
 * "manual" rail accepts every payout and returns a reference for the operator who wires it; replace the body with a
 * gateway call that is idempotent by `payoutId` (the batch retries with the same id after any failure).
 */
export type PayoutOutcome = { ok: true; ref: string } | { ok: false; message: string };

export async function sendPayout(
  _env: Env,
  req: { payoutId: string; sellerId: string; amount: number },
): Promise<PayoutOutcome> {
  return { ok: true, ref: `manual:${req.payoutId}` };
}
