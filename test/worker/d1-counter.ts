import { drizzle } from "drizzle-orm/d1";
import type { Db } from "../../worker/db/client";
import { countingD1 as countingBinding } from "../../worker/db/queryCount";
import * as schema from "../../worker/db/schema";

/** Production D1 limits that local workerd does not enforce. */
export const D1_MAX_BOUND_PARAMS = 100;
export const D1_MAX_QUERIES_PER_INVOCATION = 1000;

export interface D1Counter {
  db: Db;
  /** Statements sent (a batch counts each of its statements, as D1 limits them). */
  queries: number;
  /** Most bound parameters seen on one statement. */
  maxParams: number;
  reset(): void;
}

/** Wraps a D1 binding to count statements and bound parameters, so tests can assert platform limits. */
export function countingD1(d1: D1Database): D1Counter {
  const counter: D1Counter = {
    db: undefined as unknown as Db,
    queries: 0,
    maxParams: 0,
    reset() {
      counter.queries = 0;
      counter.maxParams = 0;
    },
  };
  const counted = countingBinding(d1, (statements, maxParams) => {
    counter.queries += statements;
    counter.maxParams = Math.max(counter.maxParams, maxParams);
  });
  counter.db = drizzle(counted, { schema });
  return counter;
}
