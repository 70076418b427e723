import type { JobMessage } from "../../shared/schemas/jobs";
import { countingD1 } from "../db/queryCount";
import { ledgerBindings } from "../wallet/books";

/**
 * D1 allows 1,000 queries per Worker invocation, and a Queue consumer's whole batch (max_batch_size = 25 messages) is
 * one invocation. A batch spends at most this many; the rest of the 1,000 is margin. Counted as D1 counts them (a
 * db.batch: each of its statements), on every D1 binding a job reaches: the main database and the LEDGER_BOOKS ones.
 * Durable Object calls and Queue sends count too: they are subrequests, and Workers allows 1,000 per invocation
 * (https://developers.cloudflare.com/workers/platform/limits/) for all of them together. Counted in D1 statements
 * alone, a batch of three refund jobs and 22 member-notice pushes sent 895 queries + 704 DO calls + 25 sends = 1,624.
 */
export const BATCH_QUERY_BUDGET = 900;

/**
 * The queries of one consumer invocation: what its jobs sent (`used`) and what the running ones may still send
 * (reserved). A job runs on a reservation; nobody waits for room while holding one, so waiting always ends.
 */
export class QueryBudget {
  used = 0;
  private reserved = 0;
  private waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  /** What is neither sent nor reserved: what a step may still spend (the cron's steps run one after another). */
  get left(): number {
    return this.limit - this.used - this.reserved;
  }

  /**
   * Reserves `n` queries: at once if they fit beside what was sent and reserved, else after running jobs give theirs
   * back; false once nothing is reserved and they still do not fit (this invocation cannot afford them).
   */
  async reserve(n: number): Promise<boolean> {
    for (;;) {
      if (this.used + this.reserved + n <= this.limit) {
        this.reserved += n;
        return true;
      }
      if (this.reserved === 0) return false;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  release(n: number): void {
    this.reserved -= n;
    for (const wake of this.waiting.splice(0)) wake();
  }

  /** A job's reservation of `n` (null when the invocation cannot afford it). */
  async admit(n: number): Promise<JobBudget | null> {
    if (!(await this.reserve(n))) return null;
    let held = n;
    return {
      take: async (more) => {
        this.release(held);
        held = 0;
        if (!(await this.reserve(more))) return false;
        held = more;
        return true;
      },
      release: () => {
        this.release(held);
        held = 0;
      },
    };
  }
}

/** What a running job holds of its invocation's budget. */
export interface JobBudget {
  /**
   * Gives back what the job holds (what it covered has been sent) and reserves `n` for its next step; false when the
   * invocation cannot afford that step: the job stops there and throws OutOfQueries with what is left.
   */
  take(n: number): Promise<boolean>;
  release(): void;
}

/** A job stopped for its invocation's query budget; `rest` is the job for what it did not do (queued again). */
export class OutOfQueries extends Error {
  constructor(readonly rest: JobMessage) {
    super(`${rest.type}: out of this invocation's D1 queries; the rest runs in another`);
    this.name = "OutOfQueries";
  }
}

/**
 * The env a batch's jobs run with: every D1 binding a job reaches, every Durable Object stub it gets (our code gets a
 * stub per call) and every Queue send count into `budget.used`.
 */
export function budgetedEnv(env: Env, budget: QueryBudget): Env {
  const count = (statements: number) => {
    budget.used += statements;
  };
  const counted: Record<string, unknown> = { ...env, DB: countingD1(env.DB, count) };
  for (const binding of ledgerBindings(env)) {
    const d1 = (env as unknown as Record<string, D1Database | undefined>)[binding];
    if (d1) counted[binding] = countingD1(d1, count);
  }
  for (const binding of ["GROUP_BUY", "USER_CHANNEL", "SANDBOX_PG"] as const) {
    if (env[binding]) counted[binding] = countingCalls(env[binding], ["get", "getByName"], count);
  }
  for (const binding of ["JOBS", "JOBS_DLQ"] as const) {
    if (env[binding]) counted[binding] = countingCalls(env[binding], ["send", "sendBatch"], count);
  }
  return counted as unknown as Env;
}

/** `target` (a Durable Object namespace, a Queue) with each call of the `calls` methods counted once; the rest as is. */
export function countingCalls<T extends object>(target: T, calls: string[], count: (n: number) => void): T {
  return new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t);
      // constructor as is: the test harness recognises a namespace by its constructor's name
      if (typeof value !== "function" || prop === "constructor") return value;
      if (typeof prop !== "string" || !calls.includes(prop)) return value.bind(t);
      return (...args: unknown[]) => {
        count(1);
        return value.apply(t, args);
      };
    },
  });
}
