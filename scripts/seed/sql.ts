import { getTableColumns, getTableName } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";

/** What every seed step gets. */
export interface SeedContext {
  /** One timestamp for the whole run (epoch ms). */
  now: number;
  /** The worker's own PBKDF2 hash with the local pepper, so seeded users log in like real ones. */
  hashPassword(password: string): Promise<string>;
}

/**
 * A seed step returns SQL statements; index.ts applies all steps' statements as one atomic D1 batch. Steps must be
 * idempotent: fixed ids plus INSERT OR IGNORE (data a user may change later) or an upsert (data the demo must keep
 * fresh, e.g. verification times), so `npm start` can run any number of times.
 */
export interface SeedStep {
  name: string;
  statements(ctx: SeedContext): string[] | Promise<string[]>;
}

export const DAY_MS = 86_400_000;

/** A SQLite literal. Seeds are generated in Node and applied with `wrangler d1 execute --file`, so no bind params. */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`Cannot seed a non-finite number: ${value}`);
    return String(value);
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "string") return `'${value.replaceAll("'", "''")}'`;
  return literal(JSON.stringify(value)); // json-mode columns
}

type Row<T extends SQLiteTable> = T["$inferInsert"];

function insertSql<T extends SQLiteTable>(verb: string, table: T, row: Row<T>): string {
  const columns = getTableColumns(table) as Record<string, { name: string }>;
  const entries = Object.entries(row).filter(([, v]) => v !== undefined);
  const names = entries.map(([key]) => {
    const column = columns[key];
    if (!column) throw new Error(`${getTableName(table)} has no column for key "${key}"`);
    return `"${column.name}"`;
  });
  return `${verb} INTO "${getTableName(table)}" (${names.join(", ")}) VALUES (${entries.map(([, v]) => literal(v)).join(", ")})`;
}

/** Rows that are created once and then belong to the app (a user may edit them): existing rows are left alone. */
export function insertOrIgnore<T extends SQLiteTable>(table: T, rows: Row<T>[]): string[] {
  return rows.map((row) => `${insertSql("INSERT OR IGNORE", table, row)};`);
}

/** Rows the seed owns: inserted, or the listed columns refreshed on every run. `target` is the conflict key. */
export function upsert<T extends SQLiteTable>(
  table: T,
  rows: Row<T>[],
  options: { target: keyof Row<T> & string; refresh: (keyof Row<T> & string)[] },
): string[] {
  const columns = getTableColumns(table) as Record<string, { name: string }>;
  const name = (key: string) => `"${columns[key].name}"`;
  const set = options.refresh.map((key) => `${name(key)} = excluded.${name(key)}`).join(", ");
  return rows.map(
    (row) => `${insertSql("INSERT", table, row)} ON CONFLICT (${name(options.target)}) DO UPDATE SET ${set};`,
  );
}
