import { env } from "cloudflare:workers";

/**
 * Counts every D1 statement this isolate sends, whoever sends it (procedures, the Queue consumer, Durable Objects,
 * the cron), by patching the binding's prototypes — the big paths get their database inside the platform, where
 * test/worker/d1-counter.ts's wrapped binding cannot reach. A batch counts each of its statements, as D1 limits them.
 */
export interface D1Meter {
  queries: number;
  /** Calls that go to the database: a batch is one, however many statements it holds. */
  roundTrips: number;
  /** The start of each round trip's SQL (a batch: its statements joined by " ; "), in order. */
  log: string[];
  /** The same round trips' whole SQL (subqueries and all), in order. */
  sql: string[];
  /**
   * The round trips of `log` that bound any of `values` (a user's id, a token's hash, a buy's id). Everything this
   * isolate runs is metered, including work that outlives the test that caused it (the Queue consumer runs a job up
   * to max_batch_timeout after its send, a retry seconds later): a window's own work is told apart by the fresh ids
   * it was about, not by when it ran.
   */
  about(...values: unknown[]): string[];
  maxParams: number;
  maxSqlBytes: number;
  reset(): void;
  restore(): void;
}

export function meterD1(): D1Meter {
  const dbProto = Object.getPrototypeOf(env.DB) as D1Database;
  const stmtProto = Object.getPrototypeOf(env.DB.prepare("SELECT 1")) as D1PreparedStatement;
  const original = {
    prepare: dbProto.prepare,
    batch: dbProto.batch,
    exec: dbProto.exec,
    bind: stmtProto.bind,
    first: stmtProto.first,
    all: stmtProto.all,
    run: stmtProto.run,
    raw: stmtProto.raw,
  };
  const sqlOf = new WeakMap<object, string>();
  const valuesOf = new WeakMap<object, unknown[]>();
  /** What each round trip of `log` bound, at the same index. */
  let boundPerTrip: unknown[][] = [];
  const record = (line: string, statements: unknown[]) => {
    meter.log.push(line);
    meter.sql.push(statements.map(sqlText).join(" ; "));
    boundPerTrip.push(statements.flatMap((s) => valuesOf.get(s as object) ?? []));
  };
  // a statement prepared before this meter (worker/db/prepared.ts keeps some per isolate) carries its SQL itself
  const sqlText = (stmt: unknown) =>
    sqlOf.get(stmt as object) ?? (stmt as { statement?: string } | null)?.statement ?? "?";
  const label = (stmt: unknown) => sqlText(stmt).replace(/\s+/g, " ").slice(0, 80);
  const meter: D1Meter = {
    queries: 0,
    roundTrips: 0,
    log: [],
    sql: [],
    about: (...values) => meter.log.filter((_, i) => boundPerTrip[i]?.some((v) => values.includes(v))),
    maxParams: 0,
    maxSqlBytes: 0,
    reset() {
      meter.queries = 0;
      meter.roundTrips = 0;
      meter.log = [];
      meter.sql = [];
      boundPerTrip = [];
      meter.maxParams = 0;
      meter.maxSqlBytes = 0;
    },
    restore() {
      Object.assign(dbProto, { prepare: original.prepare, batch: original.batch, exec: original.exec });
      Object.assign(stmtProto, {
        bind: original.bind,
        first: original.first,
        all: original.all,
        run: original.run,
        raw: original.raw,
      });
    },
  };
  const bytes = new TextEncoder();
  dbProto.prepare = function (this: D1Database, query: string) {
    meter.maxSqlBytes = Math.max(meter.maxSqlBytes, bytes.encode(query).length);
    const stmt = original.prepare.call(this, query);
    sqlOf.set(stmt, query);
    return stmt;
  };
  dbProto.batch = function (this: D1Database, statements: D1PreparedStatement[]) {
    meter.queries += statements.length;
    meter.roundTrips += 1;
    record(`batch(${statements.length}): ${statements.map(label).join(" ; ")}`, statements);
    return original.batch.call(this, statements) as ReturnType<D1Database["batch"]>;
  } as D1Database["batch"];
  stmtProto.bind = function (this: D1PreparedStatement, ...values: unknown[]) {
    meter.maxParams = Math.max(meter.maxParams, values.length);
    const bound = original.bind.apply(this, values);
    sqlOf.set(bound, sqlText(this));
    valuesOf.set(bound, values);
    return bound;
  };
  for (const name of ["first", "all", "run", "raw"] as const) {
    const fn = original[name] as (...args: unknown[]) => unknown;
    (stmtProto as unknown as Record<string, unknown>)[name] = function (this: D1PreparedStatement, ...args: unknown[]) {
      meter.queries += 1;
      meter.roundTrips += 1;
      record(label(this), [this]);
      return fn.apply(this, args);
    };
  }
  return meter;
}
