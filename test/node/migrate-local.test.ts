import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, test } from "vitest";
import { migrateLocal } from "../../scripts/lib/local.ts";
import { binPath, OFFLINE_ENV, ROOT } from "../../scripts/lib/proc.ts";

const run = promisify(execFile);
const dir = mkdtempSync(path.join(os.tmpdir(), "gonggu-migrate-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const wrangler = async (...args: string[]) => {
  const env = { ...process.env, ...OFFLINE_ENV };
  const { stdout } = await run(process.execPath, [binPath("wrangler"), ...args], { cwd: ROOT, env });
  return stdout;
};

// A fresh state gets every migration in one wrangler d1 execute (scripts/lib/migrate.ts) instead of wrangler's
// runtime-per-migration apply; wrangler's own tools must then see each one as applied, so `npm run db:migrate:local`
// later applies only what is new. (The schema it builds is what every browser and SDK test's server runs on.)
test("a fresh local state's one-batch migrations are the ones wrangler's apply records", async () => {
  await migrateLocal({ persistTo: dir });
  const listed = await wrangler("d1", "migrations", "list", "gonggu", "--local", "--persist-to", dir);
  expect(listed).toContain("No migrations to apply");
}, 180_000); // two wrangler runs: 60 s was not enough at load 20
