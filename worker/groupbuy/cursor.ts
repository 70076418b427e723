import { and, eq, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { fail } from "../lib/errors";

// Keyset pagination on (created_at DESC, id DESC): stable under inserts, one index range per page.

export function encodeCursor(at: number, id: string): string {
  return `${at}_${id}`;
}

export function decodeCursor(cursor: string | undefined): { at: number; id: string } | null {
  if (!cursor) return null;
  const m = /^(\d{1,16})_([0-9A-Z]{26})$/.exec(cursor);
  if (!m) fail("BAD_REQUEST", "That page cursor is not valid; start from the first page.");
  return { at: Number(m[1]), id: m[2] };
}

/** WHERE clause for "rows after this cursor" in (createdAt DESC, id DESC) order. */
export function afterCursor(createdAt: SQLiteColumn, id: SQLiteColumn, cursor: string | undefined): SQL | undefined {
  const after = decodeCursor(cursor);
  if (!after) return undefined;
  return or(lt(createdAt, after.at), and(eq(createdAt, after.at), lt(id, after.id)));
}

/** Fetch limit + 1 rows, pass them here: the extra row only says whether there is a next page. */
export function page<T>(rows: T[], limit: number, key: (row: T) => { at: number; id: string }) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const k = last ? key(last) : null;
  return { items, nextCursor: rows.length > limit && k ? encodeCursor(k.at, k.id) : null };
}
