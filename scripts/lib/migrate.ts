import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { executeLocalSql } from "./d1-local.ts";
import { ROOT, wrangler } from "./proc.ts";

const MIGRATIONS = path.join(ROOT, "migrations");

/**
 * `wrangler d1 migrations apply --local` starts a local runtime for every migration (16, plus two for its own table):
 * 25-40 s on a loaded 2-core machine, most of `npm start`'s and the test servers' setup. A state with no D1 database
 * yet has every migration pending, so it gets them in ONE `wrangler d1 execute --file` (one runtime, one transaction)
 * with wrangler's own bookkeeping: its table, created as wrangler does, and a row per migration, so a later `wrangler d1
 * migrations apply` finds nothing to do. Any other state goes through wrangler's apply.
 */
export async function migrateLocal(target: { persistTo?: string; args: string[] }): Promise<void> {
  const root = target.persistTo ?? path.join(ROOT, ".wrangler", "state");
  if (existsSync(path.join(root, "v3", "d1"))) {
    return wrangler("D1 migrations", ["d1", "migrations", "apply", "gonggu", "--local", ...target.args]);
  }
  const { names, sql } = freshStateSql();
  const results = await executeLocalSql("D1 migrations", sql, target.args);
  console.log(`  a fresh state: ${names.length} migrations (${results.length} statements) applied in one batch`);
}

/** wrangler's migrations table (d1/migrations/helpers: getCreateMigrationsTableQuery, buildMigrationQuery). */
function freshStateSql(): { names: string[]; sql: string } {
  const names = readdirSync(MIGRATIONS)
    .filter((name) => name.endsWith(".sql"))
    .sort();
  const sql = [
    `CREATE TABLE IF NOT EXISTS "d1_migrations"(
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		name       TEXT UNIQUE,
		applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
);`,
    ...names.map(
      (name) =>
        `${readFileSync(path.join(MIGRATIONS, name), "utf8")}\nINSERT INTO "d1_migrations" (name)\nvalues ('${name.replace(/'/g, "''")}');`,
    ),
  ].join("\n");
  return { names, sql };
}
