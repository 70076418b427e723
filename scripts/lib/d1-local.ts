import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { captureWrangler } from "./proc.ts";

/**
 * Runs SQL on the local D1 as `wrangler d1 execute gonggu --local --file`: every statement in one batch (one
 * transaction), in one local runtime. `args`: --persist-to / -c. Returns wrangler's result per statement.
 */
export async function executeLocalSql(label: string, sql: string, args: string[]): Promise<{ success: boolean }[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gonggu-sql-"));
  try {
    const file = path.join(dir, "batch.sql");
    writeFileSync(file, sql);
    const out = await captureWrangler(label, ["d1", "execute", "gonggu", "--local", "--json", "--file", file, ...args]);
    return JSON.parse(out) as { success: boolean }[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
