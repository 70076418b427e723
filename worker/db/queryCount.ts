/**
 * A D1 binding that reports every statement it sends — a batch each of its statements, as D1 counts them against its
 * 1,000 queries per invocation — with the most values one of them bound. Everything else passes through unchanged.
 */
export function countingD1(d1: D1Database, onQueries: (statements: number, maxParams: number) => void): D1Database {
  // the runtime's batch() takes its own statement objects, never our wrappers
  const real = new WeakMap<object, { stmt: D1PreparedStatement; params: number }>();
  const track = (stmt: D1PreparedStatement, params: number): D1PreparedStatement => {
    const wrapped = new Proxy(stmt, {
      get(target, prop) {
        if (prop === "bind") return (...values: unknown[]) => track(target.bind(...values), values.length);
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (prop === "first" || prop === "all" || prop === "run" || prop === "raw") {
          return (...args: unknown[]) => {
            onQueries(1, params);
            return value.apply(target, args);
          };
        }
        return value.bind(target);
      },
    });
    real.set(wrapped, { stmt, params });
    return wrapped;
  };
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => track(target.prepare(query), 0);
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          const unwrapped = statements.map((s) => real.get(s) ?? { stmt: s, params: 0 });
          onQueries(statements.length, Math.max(0, ...unwrapped.map((u) => u.params)));
          return target.batch(unwrapped.map((u) => u.stmt));
        };
      }
      if (prop === "exec") {
        return (query: string) => {
          onQueries(1, 0);
          return target.exec(query);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
