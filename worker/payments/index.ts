import type { PaymentGateway } from "./gateway";
import { TossGateway } from "./toss";

const TOSS_API = "https://api.tosspayments.com";
/** Any origin works for the sandbox: requests go to the Durable Object, never the network. */
const SANDBOX_API = "https://sandbox-pg.gonggu.internal";

export function sandboxGateway(env: Env) {
  return env.SANDBOX_PG.get(env.SANDBOX_PG.idFromName("default"));
}

/** The gateway for this deployment: PG_MODE "toss" talks to Toss Payments, anything else to the sandbox. */
export function getGateway(env: Env): PaymentGateway {
  const timeoutMs = Number(env.PG_TIMEOUT_MS) || 10_000;
  if (env.PG_MODE === "toss") {
    return new TossGateway({
      baseUrl: TOSS_API,
      secretKey: env.TOSS_SECRET_KEY,
      securityKey: env.TOSS_SECURITY_KEY,
      fetch: (request) => fetch(request),
      timeoutMs,
      encryptedCard: false,
    });
  }
  const stub = sandboxGateway(env);
  return new TossGateway(
    {
      baseUrl: SANDBOX_API,
      secretKey: env.TOSS_SECRET_KEY,
      securityKey: env.TOSS_SECURITY_KEY,
      fetch: (r) => stub.fetch(r),
      timeoutMs,
      encryptedCard: true,
    },
    "sandbox",
  );
}
