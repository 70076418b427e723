/**
 * wrangler dev (4.x) turns on "local observability" by default: every invocation of the worker, its Durable Objects and
 * their alarms streams a tail into the local explorer's collector worker, inside the same workerd process and on the
 * same thread as the worker. On this machine it doubled the runtime's CPU for a bare Hono route (0.81 → 0.43 ms per
 * request, 1,234 → 2,347 req/s, Dec 2). Production runs tail workers elsewhere, and no bench reads those traces, so
 * the benches switch it off for every server they start (the peer's too); BENCH_OBSERVABILITY=on keeps wrangler's
 * default. `npm start` keeps the default.
 */
const KEEP = process.env.BENCH_OBSERVABILITY === "on";

/** Environment for a `wrangler dev` a bench starts. */
export const OBSERVABILITY_ENV: Record<string, string> = KEEP ? {} : { X_LOCAL_OBSERVABILITY: "false" };

/** One line for a bench's header. */
export const OBSERVABILITY_NOTE = KEEP
  ? "wrangler dev's local observability: on (its default; a streaming tail of every invocation on the worker's thread)"
  : "wrangler dev's local observability (a streaming tail of every invocation on the worker's thread): off (BENCH_OBSERVABILITY=on: wrangler's default)";
