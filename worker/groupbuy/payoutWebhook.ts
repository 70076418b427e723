import type { Context } from "hono";
import { getDb } from "../db/client";
import type { AppEnv } from "../env";
import { SIGNATURE_HEADER, TRANSMISSION_TIME_HEADER, verifyWebhook } from "../payments/webhookSignature";
import { refreshPayoutAccount } from "./payoutAccounts";
import { resumePayout } from "./payouts";

export const PAYOUT_WEBHOOK_PATH = "/api/webhooks/toss/payouts";

/**
 * Toss 지급대행 webhooks (seller.changed, payout.changed), registered in Toss's developer centre at
 * PAYOUT_WEBHOOK_PATH. A bad or missing signature is 401 and nothing is read or written. A signed event only says
 * WHICH seller or payout changed: its new state is asked of the gateway, so neither a replayed nor an out-of-order
 * event can move money or set a status Toss does not hold. Answered 200 once handled (Toss retries anything else).
 */
export async function payoutWebhook(c: Context<AppEnv>) {
  const payload = await c.req.text();
  const signed = await verifyWebhook(
    payload,
    c.req.header(SIGNATURE_HEADER) ?? null,
    c.req.header(TRANSMISSION_TIME_HEADER) ?? null,
    c.env.TOSS_SECURITY_KEY,
  );
  if (!signed) return c.json({ code: "INVALID_SIGNATURE", message: "The webhook signature does not verify." }, 401);
  let event: { eventType?: unknown; data?: unknown; entityBody?: unknown };
  try {
    event = JSON.parse(payload);
  } catch {
    return c.json({ code: "INVALID_REQUEST", message: "The webhook body is not JSON." }, 400);
  }
  const entity = (event.data ?? event.entityBody ?? {}) as { id?: unknown; refPayoutId?: unknown };
  const id = typeof entity.id === "string" && entity.id.length <= 100 ? entity.id : undefined;
  const now = Date.now();
  if (event.eventType === "seller.changed" && id) {
    await refreshPayoutAccount(getDb(c.env), c.env, id, now);
  } else if (event.eventType === "payout.changed") {
    const refPayoutId =
      typeof entity.refPayoutId === "string" && entity.refPayoutId.length <= 100 ? entity.refPayoutId : undefined;
    await resumePayout(c.env, { gatewayId: id, refPayoutId }, now);
  }
  return c.json({ ok: true });
}
