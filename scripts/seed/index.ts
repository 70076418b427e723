/**
 * Seeds the local D1 database with demo data, idempotently.
 *   node scripts/seed/index.ts [--persist-to DIR] [--print]
 * Each step (scripts/seed/<step>.ts, default export `satisfies SeedStep`) returns SQL; all statements are written to
 * one file and applied with `wrangler d1 execute gonggu --local --file`, which runs them as one atomic batch.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { readDevVars } from "../lib/local.ts";
import { wrangler } from "../lib/proc.ts";
import { resolveExtensionlessTs } from "../lib/ts-resolve.ts";
import type { SeedContext, SeedStep } from "./sql.ts";

/** In order: later steps may refer to rows of earlier ones. Add your step's file name here. */
const STEPS = ["regions", "users"];

const { values } = parseArgs({ options: { "persist-to": { type: "string" }, print: { type: "boolean" } } });

// Steps import worker modules (drizzle schema, password hashing), which need the resolver before they load.
resolveExtensionlessTs();
const { hashPassword } = await import("../../worker/accounts/password.ts");

const pepper = readDevVars().PASSWORD_PEPPER;
if (!pepper) throw new Error("PASSWORD_PEPPER is missing from .dev.vars (copy .dev.vars.example)");
const ctx: SeedContext = { now: Date.now(), hashPassword: (password) => hashPassword(password, pepper) };

const sql: string[] = [];
for (const file of STEPS) {
  const step = (await import(`./${file}.ts`)).default as SeedStep;
  const statements = await step.statements(ctx);
  sql.push(`-- step: ${step.name}`, ...statements);
  if (!values.print) console.log(`  ${step.name}: ${statements.length} statements`);
}

if (values.print) {
  console.log(sql.join("\n"));
} else {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gonggu-seed-"));
  const file = path.join(dir, "seed.sql");
  try {
    writeFileSync(file, `${sql.join("\n")}\n`);
    const persist = values["persist-to"] ? ["--persist-to", values["persist-to"]] : [];
    await wrangler("seed SQL", ["d1", "execute", "gonggu", "--local", "--file", file, ...persist]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
