import { createClient } from "@libsql/client/web";
import { getTableColumns, type Table } from "drizzle-orm";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { drizzle as drizzleD1 } from "drizzle-orm/d1";
import { drizzle as drizzleLibsql } from "drizzle-orm/libsql/web";
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import * as schema from "./schema";

export type Schema = typeof schema;

/**
 * The one data-access handle used by every domain. D1 and libSQL are both async SQLite drivers with the same
 * query builder and an atomic `batch()`; code is written against this type and runs unchanged on either.
 */
export type Db = BaseSQLiteDatabase<"async", unknown, Schema>;

export interface DbEnv {
  DB: D1Database;
  LIBSQL_URL?: string;
  LIBSQL_AUTH_TOKEN?: string;
}

// drizzle() walks the whole schema to build its relational config (~1 ms of CPU per call with ~40 tables), so one
// instance per D1 binding is kept for the isolate; it holds no per-request state. The libSQL client is not cached:
// Workers forbid reusing one request's I/O objects in another.
const d1Instances = new WeakMap<D1Database, Db>();

export function getDb(env: DbEnv): Db {
  if (env.LIBSQL_URL) {
    return drizzleLibsql(createClient({ url: env.LIBSQL_URL, authToken: env.LIBSQL_AUTH_TOKEN }), { schema });
  }
  return d1Db(env.DB);
}

/** The isolate's drizzle instance for a D1 binding (the main database, or a ledger book's: wallet/books.ts). */
export function d1Db(d1: D1Database): Db {
  let db = d1Instances.get(d1);
  if (!db) {
    db = drizzleD1(d1, { schema });
    d1Instances.set(d1, db);
  }
  return db;
}

/** Runs statements atomically: all or nothing, one round trip. */
export async function runBatch(db: Db, statements: BatchItem[]): Promise<unknown[]> {
  if (statements.length === 0) return [];
  const [first, ...rest] = statements;
  // Both drivers implement batch() with the same signature; the base type just doesn't declare it.
  return (db as unknown as DrizzleD1Database<Schema>).batch([first, ...rest] as [BatchItem, ...BatchItem[]]);
}

/** How many rows one write of a runBatch result changed (D1 and libSQL say it differently); null when unknown. */
export function changedRows(result: unknown): number | null {
  const r = result as { meta?: { changes?: number }; rowsAffected?: number } | null | undefined;
  return r?.meta?.changes ?? r?.rowsAffected ?? null;
}

export type BatchItem = Parameters<DrizzleD1Database<Schema>["batch"]>[0][number];

/** D1 binds at most 100 values per statement. */
const MAX_PARAMS = 100;

/** Keeps each statement's bound values well under 100 KB so one multi-row upsert never nears D1's limits. */
const MAX_STATEMENT_BYTES = 64 * 1024;

/**
 * Values a multi-row insert binds per row: drizzle lists every column of the table and binds a column's default
 * where the row has no value, so this is the table's column count, not the row's keys.
 */
export const valuesPerRow = (table: Table) => Object.keys(getTableColumns(table)).length;

/**
 * Splits rows so each insert stays within D1's bound-parameter and size limits. `paramsPerRow` 0: the rows travel in
 * one bound JSON value (json_each), so only their bytes split them.
 */
export function chunks<T>(rows: T[], paramsPerRow: number, bytesOf: (row: T) => number = () => 0): T[][] {
  const maxRows = paramsPerRow === 0 ? Number.POSITIVE_INFINITY : Math.max(1, Math.floor(MAX_PARAMS / paramsPerRow));
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const b = bytesOf(row);
    if (current.length > 0 && (current.length === maxRows || bytes + b > MAX_STATEMENT_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += b;
  }
  if (current.length > 0) out.push(current);
  return out;
}
