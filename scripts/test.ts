/**
 * `npm test`: lint, typecheck and every vitest project — the same checks as `npm run lint && npm run typecheck &&
 * vitest run`, but lint + typecheck run beside vitest instead of before it. vitest mostly waits (workerd, wrangler
 * dev, Chromium, queue/gateway timeouts) and leaves a core idle on a 2-core machine; tsc fills it. lint/typecheck
 * output is shown when they end (at once if they fail); vitest streams. Prints each phase's wall time and CPU time
 * with the machine's load average (timings on a shared machine mean little without it); exits 1 if any phase failed.
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

/** vitest, output streamed through us so the stall watchdog can see that the run is moving. */
async function vitest(): Promise<Phase> {
  const t = performance.now();
  if (process.stdout.isTTY) process.env.FORCE_COLOR ??= "1";
  const child = npmRun("test:vitest", process.argv.slice(2), "pipe");
  let gaveUp = "";
  const watchdog = watchForStalls(child.pid ?? 0, {
    // TEST_STALL_QUIET_S shortens the window (to try the watchdog by stopping a runtime with SIGSTOP).
    quietMs: Number(process.env.TEST_STALL_QUIET_S || 300) * 1000,
    onGiveUp(reason) {
      gaveUp = reason;
      console.error(`\n✗ stall watchdog: ${reason}; ending vitest.`);
      killTree(child.pid ?? 0);
    },
  });
  child.stdout?.on("data", (d: Buffer) => {
    watchdog.output();
    process.stdout.write(d);
  });
  child.stderr?.on("data", (d: Buffer) => {
    watchdog.output();
    process.stderr.write(d);
  });
  const { code, cpuS } = await finish(child);
  watchdog.stop();
  return { name: "vitest", wallS: since(t), cpuS, code: gaveUp ? 1 : code };
}

const started = performance.now();
const loadAtStart = load();
const [statics, tests] = await Promise.all([staticChecks(), vitest()]);
const phases = [...statics, tests];
console.log("\nnpm test phases (lint and typecheck ran beside vitest):");
for (const p of phases) {
  const cpu = p.cpuS === null ? "" : `  (CPU ${p.cpuS.toFixed(1)} s)`;
  console.log(`  ${p.code === 0 ? "✓" : "✗"} ${p.name.padEnd(10)} ${p.wallS.toFixed(1).padStart(6)} s${cpu}`);
}
console.log(
  `  total wall ${since(started).toFixed(1)} s; load average (1/5/15 min) ${loadAtStart} at start, ${load()} at end`,
);
process.exitCode = phases.some((p) => p.code !== 0) ? 1 : 0;
