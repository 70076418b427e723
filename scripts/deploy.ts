/**
 * `npm run deploy` (after `npm run check`): ships Gonggu to the Cloudflare account wrangler is logged into
 * (`wrangler login`, or CLOUDFLARE_API_TOKEN + CLOUDFLARE_ACCOUNT_ID in CI).
 *   1. the secrets listed in .dev.vars.example must exist on the Worker (set once with `wrangler secret put`)
 *   2. the D1 database `gonggu` is found by name, or created (location hint: Asia-Pacific)
 *   3. D1 migrations are applied remotely, before the code that needs them goes live
 *   4. `wrangler deploy --minify` (queues are provisioned by wrangler; D1 is linked by name, no id in wrangler.toml)
 * APP_ORIGIN=https://your.domain npm run deploy overrides the origin the CSRF check also accepts.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import { captureWrangler, ROOT, wrangler } from "./lib/proc.ts";

const DATABASE = "gonggu";

/** Names of the Worker's secrets, or null when wrangler cannot list them (not logged in, or no Worker yet). */
async function workerSecrets(): Promise<string[] | null> {
  try {
    const out = await captureWrangler("wrangler secret list", ["secret", "list", "--format", "json"]);
    return (JSON.parse(out) as { name: string }[]).map((s) => s.name);
  } catch {
    return null;
  }
}

async function databaseExists(): Promise<boolean> {
  try {
    await captureWrangler("wrangler d1 info", ["d1", "info", DATABASE, "--json"]);
    return true;
  } catch {
    return false;
  }
}

const required = Object.keys(parseEnv(readFileSync(path.join(ROOT, ".dev.vars.example"), "utf8")));
const present = await workerSecrets();
const missing = required.filter((name) => !present?.includes(name));
if (missing.length) {
  console.error(
    `${present ? `✗ The Worker lacks secrets: ${missing.join(", ")}.` : "✗ Could not list the Worker's secrets (wrangler's message is above)."}\n` +
      "  Log in (`npx wrangler login`, or CLOUDFLARE_API_TOKEN + CLOUDFLARE_ACCOUNT_ID), then set each secret once;\n" +
      "  the first `secret put` creates the Worker:\n" +
      missing.map((name) => `    npx wrangler secret put ${name}`).join("\n") +
      "\n  Values: README → Configuration. Never reuse the development values from .dev.vars.example.",
  );
  process.exit(1);
}

if (!(await databaseExists())) {
  console.log(`▶ creating D1 database ${DATABASE}`);
  await wrangler("wrangler d1 create", ["d1", "create", DATABASE, "--location", "apac", "--update-config=false"]);
}

console.log("▶ remote D1 migrations");
await wrangler("remote migrations", ["d1", "migrations", "apply", DATABASE, "--remote"]);

console.log("▶ wrangler deploy");
const vars = process.env.APP_ORIGIN ? ["--var", `APP_ORIGIN:${process.env.APP_ORIGIN}`] : [];
await wrangler("wrangler deploy", ["deploy", "--minify", ...vars]);
