/**
 * npm run bench [-- name ...] — runs every benchmark one after another (they all start their own wrangler dev on
 * localhost, so never two at once), each bounded in count (small defaults below) and in time (killed after its
 * budget), then prints one table from bench/results/<name>.json with the machine's core count and load.
 *
 * BENCH_FULL=1 runs each bench with its own (bigger) defaults instead of the small mode. Benches whose script does
 * not exist yet are skipped. Exits 1 when a bench fails, times out or writes no fresh result.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { type BenchResult, RESULTS_DIR } from "./lib/results.ts";

interface Bench {
  name: string;
  /** Small-mode settings (env) and arguments; BENCH_FULL=1 drops them. */
  env?: Record<string, string>;
  args?: string[];
  /** Hard budget: the bench's process group is killed after this. */
  budgetS: number;
}

const BENCHES: Bench[] = [
  { name: "ledger", env: { BENCH_OPS: "1000", BENCH_SECONDS: "30" }, budgetS: 240 },
  { name: "join", env: { BENCH_ATTEMPTS: "2000", BENCH_FILL: "300", BENCH_SECONDS: "45" }, budgetS: 420 },
  { name: "drain", env: { BENCH_CHARGES: "1000", BENCH_SECONDS: "120" }, budgetS: 480 },
  // small mode: the default row and one capacity row (bench:chat's own default adds a second at 200 msg/s)
  { name: "chat", env: { BENCH_SECONDS: "10", BENCH_CAPACITY_RATES: "150" }, budgetS: 720 },
  { name: "read", env: { BENCH_SECONDS: "12" }, budgetS: 240 },
  { name: "web", budgetS: 360 },
  {
    name: "recommend",
    args: ["--interactions", "20000", "--naive-users", "100", "--naive-seconds", "5"],
    budgetS: 180,
  },
];

const ROOT = resolve(import.meta.dirname, "..");
const FULL = process.env.BENCH_FULL === "1";
const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));

function runOne(bench: Bench): Promise<{ code: number | null; timedOut: boolean; seconds: number }> {
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, `bench/${bench.name}.ts`), ...(FULL ? [] : (bench.args ?? []))], {
      cwd: ROOT,
      env: { ...process.env, ...(FULL ? {} : bench.env) },
      stdio: "inherit",
      detached: true, // own process group: a timeout ends the bench and its wrangler/workerd together
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) process.kill(-child.pid, "SIGTERM");
    }, bench.budgetS * 1000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      done({ code, timedOut, seconds: (performance.now() - started) / 1000 });
    });
  });
}

function readResult(name: string): BenchResult | null {
  const path = join(RESULTS_DIR, `${name}.json`);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as BenchResult;
  } catch {
    return null;
  }
}

const fmt = (n: number | undefined) =>
  n === undefined || n === null
    ? ""
    : Number.isInteger(n)
      ? n.toLocaleString("en-US")
      : n.toFixed(Math.abs(n) < 10 ? 2 : 1);

async function main() {
  const selected = BENCHES.filter((b) => only.length === 0 || only.includes(b.name));
  const status = new Map<string, string>();
  for (const bench of selected) {
    if (!existsSync(join(ROOT, `bench/${bench.name}.ts`))) {
      status.set(bench.name, "skipped (no script)");
      continue;
    }
    const startedAt = Date.now();
    console.log(`\n=== bench:${bench.name} (${FULL ? "full" : "small"} mode, budget ${bench.budgetS} s) ===`);
    const r = await runOne(bench);
    const result = readResult(bench.name);
    const fresh = result !== null && Date.parse(result.date) >= startedAt - 1000;
    status.set(
      bench.name,
      r.timedOut
        ? `TIMED OUT after ${bench.budgetS} s`
        : r.code !== 0
          ? `FAILED (exit ${r.code})`
          : fresh
            ? `ok in ${r.seconds.toFixed(0)} s`
            : "FAILED (no fresh result)",
    );
  }

  console.log(`\n=== npm run bench — ${new Date().toISOString()} ===`);
  console.log(
    `machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? "unknown"}), load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}, node ${process.version}\n`,
  );
  const header = ["bench", "metric", "value", "unit", "baseline", "ratio"];
  const lines: string[][] = [];
  for (const bench of selected) {
    const result = readResult(bench.name);
    const st = status.get(bench.name) ?? "";
    if (!result || !st.startsWith("ok")) {
      lines.push([bench.name, st, "", "", "", ""]);
      continue;
    }
    for (const r of result.rows) {
      lines.push([
        bench.name,
        r.metric,
        fmt(r.value),
        r.unit,
        fmt(r.baseline),
        r.ratio === undefined ? "" : `${fmt(r.ratio)}×`,
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const print = (cells: string[]) =>
    console.log(cells.map((c, i) => (i >= 2 && i !== 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  "));
  print(header);
  for (const l of lines) print(l);
  console.log("");
  for (const [name, st] of status) console.log(`${name.padEnd(10)} ${st}`);
  if ([...status.values()].some((s) => s.startsWith("FAILED") || s.startsWith("TIMED"))) process.exitCode = 1;
}

await main();
