import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { captureWrangler, ROOT, wrangler } from "./proc.ts";

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
  const dir = mkdtempSync(path.join(os.tmpdir(), "gonggu-migrate-"));
  try {
    const file = path.join(dir, "migrations.sql");
    const { names, sql } = freshStateSql();
    writeFileSync(file, sql);
    const out = await captureWrangler("D1 migrations", [
      "d1",
      "execute",
      "gonggu",
      "--local",
      "--json",
      "--file",
      file,
      ...target.args,
    ]);
    const results = JSON.parse(out) as { success: boolean }[];
    console.log(`  a fresh state: ${names.length} migrations (${results.length} statements) applied in one batch`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
