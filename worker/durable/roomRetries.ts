import { FLUSH_RETRY_MS } from "../groupbuy/config";
import { causeChain } from "../lib/errors";
import { backoff2x } from "../queue/retry";
import type { StepFailure } from "./roomStore";

/**
 * How the group-buy room retries its D1 steps (the mirror, a hold's void or late re-check, the alarm's heal and chat
 * signals). Nothing is ever skipped or reordered: a failing step is retried whole, later each time, because the room
 * stays the authority and D1 only catches up. What changes with the failure is how soon and who hears of it.
 */

/** The longest a failing step waits between tries (the queue's own cap, QUEUE_RETRY_MAX_S, is the same 10 min). */
export const ROOM_RETRY_MAX_MS = 10 * 60_000;

/**
 * After this many failures in a row a step is marked for operators (a dead_letters row, the admin console's
 * dead-letter list). A refusal D1 will repeat (a missing row, a rejected statement) is worth a person after ~1 min
 * (10 + 20 + 40 s); a failure that may pass (an outage) only after ~20 min of backoff (10 s doubling to 10 min).
 */
export const OPERATOR_AFTER: Record<StepFailure["kind"], number> = { permanent: 3, transient: 8 };

/**
 * SQLite's refusals that the same statement will get again: a constraint (a referenced row is gone, a CHECK, a
 * trigger's RAISE), a schema mismatch, a statement D1 will not run. Anything else (network lost, object reset,
 * overloaded, a timeout, an unknown error) may pass by itself and is treated as transient.
 */
const PERMANENT =
  /SQLITE_CONSTRAINT|constraint failed|no such (table|column)|has no column|syntax error|SQLITE_MISMATCH|datatype mismatch|too many SQL variables|SQLITE_TOOBIG|too big|SQLITE_RANGE/i;

export function failureKind(error: unknown): StepFailure["kind"] {
  return causeChain(error).some((m) => PERMANENT.test(m)) ? "permanent" : "transient";
}

/** When the n-th failure in a row tries again: 10 s, 20 s, 40 s, … at most ROOM_RETRY_MAX_MS. */
export function roomRetryDelayMs(failures: number): number {
  return backoff2x(failures, FLUSH_RETRY_MS, ROOM_RETRY_MAX_MS);
}

/** The failure after `prior` (null: the first), as the room stores it. */
export function nextFailure(
  prior: StepFailure | null,
  step: string,
  kind: StepFailure["kind"],
  error: string,
  now: number,
): StepFailure {
  const failures = (prior?.failures ?? 0) + 1;
  return {
    step,
    failures,
    kind,
    firstAt: prior?.firstAt ?? now,
    retryAt: now + roomRetryDelayMs(failures),
    error,
    flagged: prior?.flagged ?? false,
  };
}

export function needsOperator(f: StepFailure): boolean {
  return f.failures >= OPERATOR_AFTER[f.kind];
}
