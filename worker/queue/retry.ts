/** A job that should run again later (gateway down, outcome not known yet); `minDelayMs` is the gateway's hint. */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly minDelayMs = 0,
    /** Wait exactly the hint, without exponential backoff: a rate limit is pacing, not an outage. */
    readonly paced = false,
  ) {
    super(message);
    this.name = "RetryLater";
  }
}

/**
 * Exponential backoff for attempt n (1-based): base·2^(n−1) seconds, capped, never below the job's own hint.
 * QUEUE_RETRY_BASE_S / QUEUE_RETRY_MAX_S tune it (benchmarks shorten it; production keeps the defaults).
 */
export function retryDelaySeconds(attempts: number, error: unknown, env: Partial<Env>): number {
  const base = Number(env.QUEUE_RETRY_BASE_S) || 5;
  const max = Number(env.QUEUE_RETRY_MAX_S) || 600;
  const backoff = backoff2x(attempts, base, max);
  const hint = error instanceof RetryLater ? Math.ceil(error.minDelayMs / 1000) : 0;
  if (error instanceof RetryLater && error.paced) return Math.max(1, hint) + Math.floor(Math.random() * 2);
  return Math.min(Math.max(backoff, hint), 43_200); // Queues accept at most 12 h
}

/** Bounded exponential backoff, in whatever unit `base` is: base·2^(n−1) for attempt n (1-based), at most `max`. */
export function backoff2x(attempts: number, base: number, max: number): number {
  return Math.min(base * 2 ** Math.max(0, attempts - 1), max);
}
