import { env } from "cloudflare:workers";

/**
 * Detects every write to D1 during a call: triggers bump a per-table counter on INSERT, UPDATE and DELETE (stronger
 * than comparing row counts, which misses updates), and row counts cover the tables a trigger cannot watch (virtual
 * tables such as FTS and their shadow tables). Test-only: installed into the test file's own database, never into
 * migrations. Tables added by later migrations are picked up automatically.
 */
const COUNTER = "_test_writes";

export interface WriteSnapshot {
  [table: string]: number;
}

let watched: string[] = [];
let counted: string[] = [];

export async function installWriteCounters(): Promise<void> {
  const { results } = await env.DB.prepare(
    `SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'
       AND name NOT IN ('d1_migrations', '${COUNTER}') ORDER BY name`,
  ).all<{ name: string; sql: string }>();
  await env.DB.prepare(`CREATE TABLE IF NOT EXISTS ${COUNTER} (tbl TEXT PRIMARY KEY, n INTEGER NOT NULL)`).run();
  watched = [];
  counted = [];
  for (const { name, sql } of results) {
    if (/^CREATE VIRTUAL/i.test(sql)) {
      counted.push(name);
      continue;
    }
    const bump = `UPDATE ${COUNTER} SET n = n + 1 WHERE tbl = '${name}'`;
    const statements = [env.DB.prepare(`INSERT OR IGNORE INTO ${COUNTER} VALUES ('${name}', 0)`)];
    for (const op of ["INSERT", "UPDATE", "DELETE"]) {
      statements.push(
        env.DB.prepare(`CREATE TRIGGER IF NOT EXISTS "_tw_${name}_${op}" AFTER ${op} ON "${name}" BEGIN ${bump}; END`),
      );
    }
    try {
      await env.DB.batch(statements);
      watched.push(name);
    } catch {
      counted.push(name); // e.g. an FTS shadow table refuses triggers
    }
  }
}

/** Writes per watched table and rows per counted table ("rows:<table>"), in one query. */
export async function snapshotWrites(): Promise<WriteSnapshot> {
  // Scalar subqueries in one row: D1 caps the terms of a compound SELECT, so no UNION ALL.
  const columns = [
    `(SELECT json_group_object(tbl, n) FROM ${COUNTER}) AS writes`,
    ...counted.map((t, i) => `(SELECT count(*) FROM "${t}") AS c${i}`),
  ];
  const row = await env.DB.prepare(`SELECT ${columns.join(", ")}`).first<Record<string, number | string>>();
  const snapshot: WriteSnapshot = JSON.parse(String(row?.writes ?? "{}"));
  counted.forEach((t, i) => {
    snapshot[`rows:${t}`] = Number(row?.[`c${i}`]);
  });
  return snapshot;
}

/** Tables written (or whose row count changed) between two snapshots, minus the ones allowed to change. */
export function changedTables(before: WriteSnapshot, after: WriteSnapshot, allowed: readonly string[] = []): string[] {
  return Object.keys(after)
    .filter((key) => before[key] !== after[key])
    .map((key) => key.replace(/^rows:/, ""))
    .filter((table) => !allowed.includes(table));
}
