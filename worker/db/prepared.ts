import { is, Param, Placeholder, sql } from "drizzle-orm";
import type { BatchItem, Db } from "./client";

/** A query builder drizzle can prepare (a select, insert, update or delete of this Db). */
interface Preparable {
  prepare(): { getQuery(): { sql: string; params: unknown[] } };
}

/** The placeholder builder handed to `prepared`'s build (drizzle's sql.placeholder). */
export type Placeholders = <N extends string>(name: N) => Placeholder<N>;

type Built = { query: ReturnType<Preparable["prepare"]>; fill: (values: Record<string, unknown>) => unknown[] };

const built = new WeakMap<Db, Map<string, Built>>();

/**
 * drizzle's fillPlaceholders, decided once per statement: which parameter is which placeholder (or a constant) is
 * fixed by the build, so it is not decided again on every call (drizzle's is() walks each parameter's prototype
 * chain, for every parameter: a hold group commit's account upsert binds ~150).
 */
function placeholderFiller(params: unknown[]): Built["fill"] {
  const slots = params.map((p): { name: string; encode?: (v: unknown) => unknown } | { value: unknown } => {
    if (is(p, Placeholder)) return { name: p.name };
    if (is(p, Param) && is(p.value, Placeholder)) {
      const param = p;
      return { name: (p.value as Placeholder).name, encode: (v) => param.encoder.mapToDriverValue(v) };
    }
    return { value: p };
  });
  return (values) =>
    slots.map((slot) => {
      if ("value" in slot) return slot.value;
      if (!(slot.name in values)) throw new Error(`No value for placeholder "${slot.name}" was provided`);
      return slot.encode ? slot.encode(values[slot.name]) : values[slot.name];
    });
}

/**
 * A statement for runBatch whose SQL drizzle builds once per isolate and database instead of on every call. Building
 * a select or an INSERT ... SELECT costs ~0.2–0.7 ms of CPU (drizzle's is() checks over every column and condition):
 * as much as D1 spends running a hot join's guard reads, on the one thread a local runtime has. `build` writes the query with
 * `p(name)` (sql.placeholder) for every value that changes between calls; `values` fills them in for this call, the
 * way drizzle's own prepared queries do. What a batch asks of its item (drizzle's batch() calls `_prepare()`, then
 * reads the query and maps the result) is answered by the cached prepared query with this call's parameters, so the
 * rows come back exactly as from the query builder itself. A Db that is not cached per isolate (libSQL: one per
 * request) just builds it once per call.
 */
export function prepared(
  db: Db,
  /** Names the statement's shape: one build per name (the same name must always build the same SQL). */
  name: string,
  build: (p: Placeholders) => Preparable,
  values: Record<string, unknown>,
): BatchItem {
  let queries = built.get(db);
  if (!queries) {
    queries = new Map();
    built.set(db, queries);
  }
  let cached = queries.get(name);
  if (!cached) {
    const query = build(sql.placeholder).prepare();
    cached = { query, fill: placeholderFiller(query.getQuery().params) };
    queries.set(name, cached);
  }
  const { query: prepared, fill } = cached;
  const withValues = { ...prepared.getQuery(), params: fill(values) };
  // the cached prepared query (its statement, fields and result mapping) with this call's parameters
  const item = Object.create(prepared, { getQuery: { value: () => withValues } });
  return { _prepare: () => item } as unknown as BatchItem;
}

/**
 * prepared() for a multi-row statement (inserts and upserts of a batch's rows): one build per name and row count.
 * `build` gets a placeholder per field of each row (row i's field k is bound as `k.i`) and writes the statement with
 * them. Every call under one name must pass rows with the same fields (the build of the first call is kept).
 */
export function preparedRows<R extends Record<string, unknown>>(
  db: Db,
  name: string,
  rows: R[],
  build: (rows: { [K in keyof R]: Placeholder<string> }[]) => Preparable,
): BatchItem {
  const values: Record<string, unknown> = {};
  rows.forEach((row, i) => {
    for (const key in row) values[`${key}.${i}`] = row[key];
  });
  return prepared(
    db,
    `${name}.${rows.length}`,
    (p) =>
      build(
        rows.map((row, i) => {
          const marks = {} as { [K in keyof R]: Placeholder<string> };
          for (const key in row) marks[key] = p(`${key}.${i}`);
          return marks;
        }),
      ),
    values,
  );
}
