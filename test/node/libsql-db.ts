import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import type { Db } from "../../worker/db/client";
import * as schema from "../../worker/db/schema";

const MIGRATIONS_DIR = join(import.meta.dirname, "../../migrations");

/** Every statement of every migrations/NNNN_*.sql file, in order (drizzle-kit separates them with a marker). */
export function migrationStatements(dir = MIGRATIONS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => /^\d+_.*\.sql$/.test(f))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), "utf8").split("--> statement-breakpoint"))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * A fresh libSQL database (in memory unless `url` says otherwise, e.g. `file:/tmp/x.db`) with every migration applied,
 * as the same `Db` type the worker uses on D1. Node-only: the worker reaches libSQL through @libsql/client/web.
 */
export async function openLibsqlDb(url = ":memory:"): Promise<{ db: Db; close: () => void }> {
  const client = createClient({ url });
  await client.migrate(migrationStatements());
  // D1 enforces foreign keys; make libSQL do the same so both drivers refuse the same writes.
  await client.execute("PRAGMA foreign_keys = ON");
  return { db: drizzle(client, { schema }) as unknown as Db, close: () => client.close() };
}
