/**
 * `npm run check` (after `npm run typecheck`): builds the client, bundles the worker exactly as `npm run deploy` would
 * (`wrangler deploy --dry-run --minify`), reports raw and gzip sizes and fails when a budget is exceeded.
 */
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { CLIENT_INITIAL_GZIP_BUDGET, clientInitialJs, KiB, kib, type Size, sizeOf, sum } from "./lib/bundle-size.ts";
import { buildClient } from "./lib/local.ts";
import { ROOT, wrangler } from "./lib/proc.ts";

/** Budgets; keep README "Bundle budget" in step (it also lists the sizes measured when they were set). */
const BUDGETS = {
  workerGzip: 320 * KiB,
  workerRaw: 1536 * KiB,
  clientInitialGzip: CLIENT_INITIAL_GZIP_BUDGET,
};

const WORKER_OUT = path.join(ROOT, "dist/worker");

console.log("▶ client build");
await buildClient();
console.log("▶ worker bundle (wrangler deploy --dry-run --minify)");
rmSync(WORKER_OUT, { recursive: true, force: true });
await wrangler("wrangler deploy --dry-run", ["deploy", "--dry-run", "--minify", "--outdir", WORKER_OUT]);

const workerModules = readdirSync(WORKER_OUT)
  .filter((f) => /\.(m?js|wasm)$/.test(f))
  .map((f) => sizeOf(path.join(WORKER_OUT, f)));
const worker = sum("worker bundle (all modules)", workerModules);
const client = sum("client initial JS", clientInitialJs());

const rows: [Size, number | null, number | null][] = [
  [worker, BUDGETS.workerRaw, BUDGETS.workerGzip],
  [client, null, BUDGETS.clientInitialGzip],
];
console.log(`\n${"bundle".padEnd(30)}${"raw".padStart(12)}${"gzip".padStart(12)}   budget (gzip)`);
const failures: string[] = [];
for (const [size, rawBudget, gzipBudget] of rows) {
  console.log(
    `${size.name.padEnd(30)}${kib(size.raw).padStart(12)}${kib(size.gzip).padStart(12)}   ${gzipBudget ? kib(gzipBudget) : "-"}`,
  );
  if (rawBudget && size.raw > rawBudget) failures.push(`${size.name}: ${kib(size.raw)} raw > ${kib(rawBudget)}`);
  if (gzipBudget && size.gzip > gzipBudget) failures.push(`${size.name}: ${kib(size.gzip)} gzip > ${kib(gzipBudget)}`);
}
if (failures.length) {
  console.error(`\n✗ Over budget:\n  ${failures.join("\n  ")}\nFind the new weight before raising a budget.`);
  process.exit(1);
}
console.log("\n✓ within budget");
