import { env } from "cloudflare:workers";

/**
 * Runs `hook` once, right before the first D1 statement (alone or in a batch) this isolate sends whose SQL matches
 * `sql` and whose bound values include `value`: to land a concurrent request's write exactly between another
 * request's read and its write (a race that timing alone rarely hits). Patches the binding's prototypes like
 * d1-meter.ts; call restore() after.
 */
export function beforeStatement(sql: RegExp, value: unknown, hook: () => Promise<unknown>): { restore(): void } {
  const dbProto = Object.getPrototypeOf(env.DB) as D1Database;
  const stmtProto = Object.getPrototypeOf(env.DB.prepare("SELECT 1")) as D1PreparedStatement;
  const original = { prepare: dbProto.prepare, batch: dbProto.batch, bind: stmtProto.bind, run: stmtProto.run };
  const sqlOf = new WeakMap<object, string>();
  const valuesOf = new WeakMap<object, unknown[]>();
  let fired = false;
  const matches = (stmt: object) => sql.test(sqlOf.get(stmt) ?? "") && (valuesOf.get(stmt) ?? []).includes(value);
  const maybeFire = async (statements: object[]) => {
    if (fired || !statements.some(matches)) return;
    fired = true;
    await hook();
  };
  dbProto.prepare = function (this: D1Database, query: string) {
    const stmt = original.prepare.call(this, query);
    sqlOf.set(stmt, query);
    return stmt;
  };
  stmtProto.bind = function (this: D1PreparedStatement, ...values: unknown[]) {
    const bound = original.bind.apply(this, values);
    sqlOf.set(bound, sqlOf.get(this) ?? "");
    valuesOf.set(bound, values);
    return bound;
  };
  dbProto.batch = async function (this: D1Database, statements: D1PreparedStatement[]) {
    await maybeFire(statements);
    return original.batch.call(this, statements);
  } as D1Database["batch"];
  stmtProto.run = async function (this: D1PreparedStatement) {
    await maybeFire([this]);
    return original.run.call(this);
  } as D1PreparedStatement["run"];
  return {
    restore() {
      Object.assign(dbProto, { prepare: original.prepare, batch: original.batch });
      Object.assign(stmtProto, { bind: original.bind, run: original.run });
    },
  };
}
