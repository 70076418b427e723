/**
 * An open-loop load schedule (wrk2-style constant throughput) and its coordinated-omission-corrected statistics.
 *
 * Closed loop (N clients, each sending its next request when its last answer arrives) slows its own sending whenever
 * the server stalls, so a stall delays only the few requests in flight: the requests that would have arrived during
 * it are never sent, and their waiting is never measured ("coordinated omission"). Open loop fixes the arrival times
 * instead: attempt i is due at t0 + i / rate whatever the server does. Attempts go out over a bounded pool of
 * keep-alive connections; when none is free the attempt waits in a FIFO, and its latency is STILL taken from its
 * scheduled time, so a stall shows up as the backlog it would cause for real users.
 *
 * An attempt not answered when the storm stops (the time bound) gets the time it had waited by then as its latency:
 * a lower bound, so every percentile is then a lower bound too (`censored` says how many, `lowerBound` whether the
 * printed percentiles are bounds).
 *
 * The statistics are pure (`openLoopStats`) so they are tested without a server (test/node/openLoop.test.ts).
 */

/** The scheduled send time of attempt i (ms after t0) at `rate` attempts per second. */
export const scheduledAt = (i: number, rate: number): number => (i * 1000) / rate;

/** One attempt of an open-loop storm; all times in ms after t0 (the first attempt's scheduled time). */
export interface OpenAttempt {
  scheduled: number;
  /** When it was written to a connection (null: never sent, the storm stopped first). */
  sent: number | null;
  /** When its answer arrived (null: none before the storm stopped). */
  answered: number | null;
  outcome: string;
}

export interface OpenLoopStats {
  offeredPerSec: number;
  attempts: number;
  answered: number;
  /** Attempts the storm never sent, or sent but saw no answer before it stopped. */
  censored: number;
  /** answers / (last answer − t0): what the server delivered against the schedule. */
  achievedPerSec: number;
  /** Latency from the scheduled time (coordinated omission corrected). */
  p50: number;
  p99: number;
  max: number;
  mean: number;
  /** Some attempts were cut off: the percentiles above are lower bounds. */
  lowerBound: boolean;
  /** Attempts whose latency (from the schedule) reached `slowMs`, and how many of them were due after the fill. */
  slow: number;
  slowAfterFill: number;
  /** When the last successful answer arrived (ms after t0; 0 when none). */
  fillEnd: number;
  /** The successful attempts' median and slowest latency. */
  okP50: number;
  okMax: number;
  /** The most attempts due but not answered yet at any answer's arrival (the queue the server and the pool held). */
  peakBacklog: number;
  /** How late the client itself wrote the attempts that found a free connection (timer lateness), p99 ms. */
  sendLagP99: number;
  /** Attempts that found every connection busy and waited for one, and the longest such wait (ms). */
  waitedForConnection: number;
  maxConnectionWait: number;
}

/** The nearest-rank percentile the other join storms print: sorted[floor(p × n)]. */
export const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

/**
 * The storm's figures from its attempts. `stopAt` is when the storm stopped sending (ms after t0): an attempt without
 * an answer counts as having waited until then (a lower bound). `waited[i]`: attempt i found every connection busy
 * (its send lag is a queueing wait, not the client's timer lateness).
 */
export function openLoopStats(
  attempts: readonly OpenAttempt[],
  options: { rate: number; stopAt: number; slowMs: number; ok?: (outcome: string) => boolean; waited?: boolean[] },
): OpenLoopStats {
  const isOk = options.ok ?? ((o: string) => o === "ok");
  const latencies: number[] = [];
  const okLatencies: number[] = [];
  let answered = 0;
  let lastAnswer = 0;
  let fillEnd = 0;
  for (const a of attempts) {
    if (a.answered === null) {
      latencies.push(Math.max(0, options.stopAt - a.scheduled));
      continue;
    }
    answered++;
    const ms = a.answered - a.scheduled;
    latencies.push(ms);
    lastAnswer = Math.max(lastAnswer, a.answered);
    if (isOk(a.outcome)) {
      okLatencies.push(ms);
      fillEnd = Math.max(fillEnd, a.answered);
    }
  }
  const lags: number[] = [];
  let waitedForConnection = 0;
  let maxConnectionWait = 0;
  attempts.forEach((a, i) => {
    if (a.sent === null) return;
    if (options.waited?.[i]) {
      waitedForConnection++;
      maxConnectionWait = Math.max(maxConnectionWait, a.sent - a.scheduled);
    } else lags.push(a.sent - a.scheduled);
  });
  const sorted = [...latencies].sort((x, y) => x - y);
  okLatencies.sort((x, y) => x - y);
  lags.sort((x, y) => x - y);
  const slowMask = attempts.map((_, i) => latencies[i] >= options.slowMs);
  // attempts due by time t: those with scheduled ≤ t (the schedule is sorted)
  const answerTimes = attempts.flatMap((a) => (a.answered === null ? [] : [a.answered])).sort((x, y) => x - y);
  let peakBacklog = 0;
  let due = 0;
  answerTimes.forEach((t, k) => {
    while (due < attempts.length && attempts[due].scheduled <= t) due++;
    peakBacklog = Math.max(peakBacklog, due - k);
  });
  const censored = attempts.length - answered;
  return {
    offeredPerSec: options.rate,
    attempts: attempts.length,
    answered,
    censored,
    achievedPerSec: lastAnswer > 0 ? answered / (lastAnswer / 1000) : 0,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? 0,
    mean: sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length),
    lowerBound: censored > 0,
    slow: slowMask.filter(Boolean).length,
    slowAfterFill: attempts.filter((a, i) => slowMask[i] && okLatencies.length > 0 && a.scheduled >= fillEnd).length,
    fillEnd,
    okP50: percentile(okLatencies, 0.5),
    okMax: okLatencies.at(-1) ?? 0,
    peakBacklog,
    sendLagP99: percentile(lags, 0.99),
    waitedForConnection,
    maxConnectionWait,
  };
}

/** What the runner needs of a connection: send one attempt on it and get its outcome. */
export type OpenLoopCall<C> = (i: number, connection: C) => Promise<string>;

/**
 * Runs an open-loop storm: attempt i due at t0 + i / rate, written to a free connection of `connections` (one request
 * in flight per connection), or queued in order until one frees up. Every attempt is scheduled; attempts still queued
 * `stopAfterMs` after t0 are dropped (never sent) and the runner waits only for those in flight. Returns every attempt (times in ms after t0) and which ones waited for a
 * connection. `now` is performance.now by default (tests may pass a clock).
 */
export async function runOpenLoop<C>(options: {
  rate: number;
  attempts: number;
  connections: readonly C[];
  call: OpenLoopCall<C>;
  stopAfterMs: number;
  now?: () => number;
}): Promise<{ attempts: OpenAttempt[]; waited: boolean[]; stopAt: number }> {
  const now = options.now ?? (() => performance.now());
  const { rate, call } = options;
  const attempts: OpenAttempt[] = Array.from({ length: options.attempts }, (_, i) => ({
    scheduled: scheduledAt(i, rate),
    sent: null,
    answered: null,
    outcome: "unsent",
  }));
  const waited = attempts.map(() => false);
  const free = [...options.connections];
  /** Attempts due but waiting for a connection, in schedule order. */
  const backlog: number[] = [];
  let next = 0;
  let inFlight = 0;
  let stopped = false;
  let wake: (() => void) | null = null;
  const t0 = now();
  const elapsed = () => now() - t0;

  const dispatch = (i: number, connection: C) => {
    inFlight++;
    attempts[i].sent = elapsed();
    call(i, connection)
      .catch((e) => `error: ${String(e)}`)
      .then((outcome) => {
        attempts[i].answered = elapsed();
        attempts[i].outcome = outcome;
        inFlight--;
        // past the bound nothing more is sent (checked here too: answers may come while attempts are still being scheduled)
        const queued = stopped || elapsed() >= options.stopAfterMs ? undefined : backlog.shift();
        if (queued === undefined) free.push(connection);
        else {
          waited[queued] = true;
          dispatch(queued, connection);
        }
        wake?.();
      });
  };

  // Every attempt is scheduled, however far behind the server is (queueing one is cheap); the bound stops the backlog.
  while (next < attempts.length) {
    const t = elapsed();
    while (next < attempts.length && attempts[next].scheduled <= t) {
      // past the bound (a caller's bound shorter than the schedule) an attempt is queued and so never sent
      const connection = t >= options.stopAfterMs ? undefined : free.pop();
      if (connection === undefined) backlog.push(next);
      else dispatch(next, connection);
      next++;
    }
    if (next >= attempts.length) break;
    // sleep until the next attempt is due (timers fire ≥ 1 ms late at worst; the lateness counts in the latency)
    const delay = Math.max(0, attempts[next].scheduled - elapsed());
    await new Promise<void>((resolve) => setTimeout(resolve, delay));
  }
  // drain the backlog until the bound; past it send nothing more and wait only for the attempts in flight
  while (backlog.length > 0 || inFlight > 0) {
    const left = options.stopAfterMs - elapsed();
    if (left <= 0 && !stopped) {
      stopped = true;
      backlog.length = 0;
    }
    if (inFlight === 0) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
      if (!stopped) setTimeout(resolve, Math.max(1, left));
    });
    wake = null;
  }
  return { attempts, waited, stopAt: stopped ? options.stopAfterMs : elapsed() };
}
