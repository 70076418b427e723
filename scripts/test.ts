/**
 * `npm test`: lint, typecheck and every vitest project — the same checks as `npm run lint && npm run typecheck &&
 * vitest run`, but side by side instead of one after another: lint + typecheck, the shared `workers` batch and the
 * other projects (see VITEST_RUNS). Each mostly waits (workerd, wrangler dev, Chromium, queue/gateway timeouts), so
 * run in sequence they left a core idle on a 2-core machine. lint/typecheck output is shown when they end (at once if
 * they fail); vitest streams, each line prefixed with its run. Prints each phase's wall time and CPU time with the
 * machine's load average (timings on a shared machine mean little without it); exits 1 if any phase failed.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { exitOf, ROOT } from "./lib/proc.ts";
import { killTree, watchForStalls } from "./lib/stall-watchdog.ts";

interface Phase {
  name: string;
  wallS: number;
  /** user + system CPU of the phase's process tree (Linux; null elsewhere). */
  cpuS: number | null;
  code: number;
}

const since = (t: number) => (performance.now() - t) / 1000;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

/**
 * CPU seconds of our finished children (utime + stime of every descendant reaped so far, from /proc/self/stat). Read
 * right when a child exits, the growth since the last reading is that child's tree; null when /proc is not there.
 */
function childrenCpuS(): number | null {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    // after "pid (comm) ": field 3 is index 0, so cutime (16) and cstime (17) are 13 and 14; clock ticks are 100/s
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}

let cpuSeen = childrenCpuS();
async function finish(child: ChildProcess): Promise<{ code: number; cpuS: number | null }> {
  const code = await exitOf(child);
  const now = childrenCpuS();
  const cpuS = now === null || cpuSeen === null ? null : now - cpuSeen;
  cpuSeen = now;
  return { code, cpuS };
}

/** `npm run <script>` from package.json (one list of commands), output streamed or buffered. */
function npmRun(script: string, extra: string[], stdio: "inherit" | "pipe") {
  return spawn("npm", ["run", "--silent", script, ...(extra.length ? ["--", ...extra] : [])], {
    cwd: ROOT,
    stdio: ["ignore", stdio, stdio],
  });
}

/** lint, then typecheck (worker, client and node programs: `npm run typecheck`), output buffered. */
async function staticChecks(): Promise<Phase[]> {
  const phases: Phase[] = [];
  for (const name of ["lint", "typecheck"]) {
    const t = performance.now();
    const child = npmRun(name, [], "pipe");
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (out += d));
    const { code, cpuS } = await finish(child);
    phases.push({ name, wallS: since(t), cpuS, code });
    if (code !== 0) console.error(`\n✗ ${name} failed:\n${out}`);
  }
  return phases;
}

/**
 * The vitest runs of `npm test`, side by side. The shared `workers` batch runs in two runtimes, each a serial chain of
 * files (their files share the sandbox gateway's switches within a runtime), and vitest only runs such a batch as a
 * group of its own, so inside one `vitest run` the other projects would wait for it. The browser files must not overlap each other either (they
 * share one `wrangler dev` and its gateway switches). Three processes let the three serial chains overlap: each is
 * mostly waiting (workerd, wrangler dev, Chromium, timeouts), so together they fill both cores. Arguments (`npm test -- <files or flags>`) give one plain `vitest run` with them instead.
 */
const VITEST_RUNS: { name: string; args: string[] }[] =
  process.argv.length > 2
    ? [{ name: "vitest", args: process.argv.slice(2) }]
    : [
        { name: "vitest workers", args: ["--project", "workers"] },
        { name: "vitest isolated", args: ["--project", "workers-isolated", "--project", "node"] },
        { name: "vitest browser", args: ["--project", "browser", "--project", "sdk"] },
      ];

/** Writes `chunk` to `out` with `prefix` before each line (partial lines wait for their end). */
function linePrefixer(prefix: string, out: NodeJS.WriteStream) {
  let pending = "";
  return {
    write(chunk: Buffer) {
      const lines = (pending + chunk.toString("utf8")).split("\n");
      pending = lines.pop() ?? "";
      if (lines.length) out.write(lines.map((l) => `${prefix}${l}\n`).join(""));
    },
    end() {
      if (pending) out.write(`${prefix}${pending}\n`);
      pending = "";
    },
  };
}

/** One vitest process, output streamed through us (prefixed when there are two) so the stall watchdog sees it move. */
async function vitest(run: { name: string; args: string[] }, prefix: string): Promise<Phase> {
  const t = performance.now();
  const child = npmRun("test:vitest", run.args, "pipe");
  let gaveUp = "";
  const watchdog = watchForStalls(child.pid ?? 0, {
    // TEST_STALL_QUIET_S shortens the window (to try the watchdog by stopping a runtime with SIGSTOP).
    quietMs: Number(process.env.TEST_STALL_QUIET_S || 300) * 1000,
    onGiveUp(reason) {
      gaveUp = reason;
      console.error(`\n✗ stall watchdog (${run.name}): ${reason}; ending vitest.`);
      killTree(child.pid ?? 0);
    },
  });
  const out = linePrefixer(prefix, process.stdout);
  const err = linePrefixer(prefix, process.stderr);
  child.stdout?.on("data", (d: Buffer) => {
    watchdog.output();
    out.write(d);
  });
  child.stderr?.on("data", (d: Buffer) => {
    watchdog.output();
    err.write(d);
  });
  const { code, cpuS } = await finish(child);
  out.end();
  err.end();
  watchdog.stop();
  return { name: run.name, wallS: since(t), cpuS, code: gaveUp ? 1 : code };
}

const started = performance.now();
const loadAtStart = load();
if (process.stdout.isTTY) process.env.FORCE_COLOR ??= "1";
const width = Math.max(...VITEST_RUNS.map((r) => r.name.length));
const [statics, ...tests] = await Promise.all([
  staticChecks(),
  ...VITEST_RUNS.map((run) => vitest(run, VITEST_RUNS.length > 1 ? `${run.name.padEnd(width)} │ ` : "")),
]);
const phases = [...statics, ...tests];
console.log("\nnpm test phases (lint, typecheck and the vitest runs ran side by side):");
for (const p of phases) {
  const cpu = p.cpuS === null ? "" : `  (CPU ${p.cpuS.toFixed(1)} s)`;
  console.log(`  ${p.code === 0 ? "✓" : "✗"} ${p.name.padEnd(15)} ${p.wallS.toFixed(1).padStart(6)} s${cpu}`);
}
console.log(
  `  total wall ${since(started).toFixed(1)} s; load average (1/5/15 min) ${loadAtStart} at start, ${load()} at end`,
);
process.exitCode = phases.some((p) => p.code !== 0) ? 1 : 0;
