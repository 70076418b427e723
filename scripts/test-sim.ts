/**
 * npm run test:sim [-- --runs 1000] [--seed N] [--fuzz 10000]
 * Runs the model-based simulations (ledger, payments, cross-domain system) with many schedules inside workerd, the
 * platform-limit test with a 1,000-buyer group buy, and
 * with --fuzz also the fuzz tables with that many inputs per procedure. Prints the run count and the time taken.
 * Replay a failure with the seed (and path) fast-check prints: --seed <seed> (SIM_PATH=<path> to jump to it).
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { binPath, ROOT } from "./lib/proc.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: process.env.SIM_RUNS || "1000" },
    seed: { type: "string", default: process.env.SIM_SEED || "" },
    fuzz: { type: "string", default: "" },
  },
});
const files = [
  "test/worker/ledger-sim.test.ts",
  "test/worker/payments-sim.test.ts",
  "test/worker/system-sim.test.ts",
  "test/worker/platform-limits.test.ts",
];
if (values.fuzz) files.push("test/worker/fuzz-0.test.ts", "test/worker/fuzz-1.test.ts");
const started = performance.now();
const result = spawnSync(process.execPath, [binPath("vitest"), "run", "--project", "workers*", ...files], {
  cwd: ROOT,
  stdio: "inherit",
  env: {
    ...process.env,
    SIM_RUNS: values.runs,
    SIM_SEED: values.seed,
    PLATFORM_BUYERS: process.env.PLATFORM_BUYERS || "1000",
    ...(values.fuzz ? { FUZZ_RUNS: values.fuzz } : {}),
  },
});
const minutes = ((performance.now() - started) / 60_000).toFixed(1);
console.log(
  `\ntest:sim: ${values.runs} schedules per simulation (${files.length} files${values.fuzz ? `, ${values.fuzz} fuzz inputs per procedure` : ""})${values.seed ? `, seed ${values.seed}` : ""} in ${minutes} min — ${result.status === 0 ? "all invariants held" : "FAILED"}`,
);
process.exitCode = result.status ?? 1;
