import { drizzle } from "drizzle-orm/d1";
import type { Db } from "../../worker/db/client";
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
  const real = new WeakMap<object, D1PreparedStatement>();
  const counter: D1Counter = {
    db: undefined as unknown as Db,
    queries: 0,
    maxParams: 0,
    reset() {
      counter.queries = 0;
      counter.maxParams = 0;
    },
  };
  const track = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === "bind") {
          return (...values: unknown[]) => {
            counter.maxParams = Math.max(counter.maxParams, values.length);
            return track(target.bind(...values));
          };
        }
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (prop === "first" || prop === "all" || prop === "run" || prop === "raw") {
          return (...args: unknown[]) => {
            counter.queries += 1;
            return value.apply(target, args);
          };
        }
        return value.bind(target);
      },
    });
    real.set(proxy, stmt);
    return proxy;
  };
  const wrapped = new Proxy(d1, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => track(target.prepare(query));
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          counter.queries += statements.length;
          return target.batch(statements.map((s) => real.get(s) ?? s));
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  counter.db = drizzle(wrapped, { schema });
  return counter;
}
