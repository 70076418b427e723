import { countingD1 } from "../../worker/db/queryCount";
import { countingCalls } from "../../worker/queue/budget";

/**
 * What one invocation sends that counts against Workers' subrequest limit (1,000 per invocation on Workers Paid, 50 on
 * Free, https://developers.cloudflare.com/workers/platform/limits/) and D1's 1,000 queries per invocation
 * (https://developers.cloudflare.com/d1/platform/limits/): every D1 statement (a batch: each of its statements, as
 * this repo counts them), every Durable Object stub (one call each), every Queue send or sendBatch. Local workerd enforces
 * none of them, so a test runs a handler with `env` and asserts on `total`.
 */
export interface SubrequestMeter {
  env: Env;
  d1: number;
  durableObjects: number;
  queueSends: number;
  readonly total: number;
}

export function meterSubrequests(base: Env, d1Bindings: string[] = ["DB", "BOOKS_TEST"]): SubrequestMeter {
  const meter: SubrequestMeter = {
    env: base,
    d1: 0,
    durableObjects: 0,
    queueSends: 0,
    get total() {
      return meter.d1 + meter.durableObjects + meter.queueSends;
    },
  };
  const bindings = base as unknown as Record<string, unknown>;
  // every binding as an own property, also those `base` inherits (Object.create(env) + overrides): the consumer
  // spreads its env ({ ...env }), which copies own properties only
  const env: Record<string, unknown> = {};
  for (let o: object | null = base; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.keys(o)) if (!(key in env)) env[key] = bindings[key];
  }
  for (const name of d1Bindings) {
    const d1 = bindings[name] as D1Database | undefined;
    if (d1) env[name] = countingD1(d1, (statements) => (meter.d1 += statements));
  }
  // A stub is counted when it is made: this code gets a stub for each call it sends (`ns.get(id).method()`), and a
  // wrapped stub would not pass for one where the test harness needs it (runInDurableObject).
  const stub = () => meter.durableObjects++;
  const send = () => meter.queueSends++;
  for (const name of ["GROUP_BUY", "USER_CHANNEL", "SANDBOX_PG"]) {
    if (bindings[name]) env[name] = countingCalls(bindings[name] as object, ["get", "getByName"], stub);
  }
  for (const name of ["JOBS", "JOBS_DLQ", "RECORDED_JOBS"]) {
    if (bindings[name]) env[name] = countingCalls(bindings[name] as object, ["send", "sendBatch"], send);
  }
  meter.env = env as unknown as Env;
  return meter;
}
