/**
 * Seeds the local D1 database with demo data, idempotently.
 *   node scripts/seed/index.ts [--persist-to DIR] [--print]
 * The steps (scripts/seed/steps.ts) return SQL; it is written to one file and applied with
 * `wrangler d1 execute gonggu --local --file`, which runs all statements as one atomic batch.
 */
import { parseArgs } from "node:util";
import { executeLocalSql } from "../lib/d1-local.ts";
import { readDevVars } from "../lib/local.ts";
import { resolveExtensionlessTs } from "../lib/ts-resolve.ts";

const { values } = parseArgs({ options: { "persist-to": { type: "string" }, print: { type: "boolean" } } });

// The steps import worker modules (drizzle schema, password hashing), which need the resolver before they load.
resolveExtensionlessTs();
const { hashPassword } = await import("../../worker/accounts/password.ts");
const { seedStatements } = await import("./steps.ts");

const pepper = readDevVars().PASSWORD_PEPPER;
if (!pepper) throw new Error("PASSWORD_PEPPER is missing from .dev.vars (copy .dev.vars.example)");
const steps = await seedStatements({ now: Date.now(), hashPassword: (password) => hashPassword(password, pepper) });
const sql = steps.flatMap(({ step, sql }) => [`-- step: ${step}`, ...sql]);

if (values.print) {
  console.log(sql.join("\n"));
} else {
  for (const { step, sql } of steps) console.log(`  ${step}: ${sql.length} statements`);
  const persist = values["persist-to"] ? ["--persist-to", values["persist-to"]] : [];
  const results = await executeLocalSql("seed SQL", `${sql.join("\n")}\n`, persist);
  console.log(`  applied ${results.filter((r) => r.success).length} statements in one batch`);
}
