/**
 * `npm test`: lint, typecheck and every vitest project — the same checks as `npm run lint && npm run typecheck &&
 * vitest run`, but lint + typecheck run beside vitest instead of before it. vitest mostly waits (workerd, wrangler
 * dev, Chromium, queue/gateway timeouts) and leaves a core idle on a 2-core machine; tsc fills it. lint/typecheck
 * output is shown when they end (at once if they fail); vitest streams. Prints each phase's wall time; exits 1 if any
 * phase failed.
 */
import { spawn } from "node:child_process";
import { exitOf, ROOT } from "./lib/proc.ts";
import { killTree, watchForStalls } from "./lib/stall-watchdog.ts";

interface Phase {
  name: string;
  wallS: number;
  code: number;
}

const since = (t: number) => (performance.now() - t) / 1000;

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
    const code = await exitOf(child);
    phases.push({ name, wallS: since(t), code });
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
  const code = await exitOf(child);
  watchdog.stop();
  return { name: "vitest", wallS: since(t), code: gaveUp ? 1 : code };
}

const started = performance.now();
const [statics, tests] = await Promise.all([staticChecks(), vitest()]);
const phases = [...statics, tests];
console.log("\nnpm test phases (lint and typecheck ran beside vitest):");
for (const p of phases) console.log(`  ${p.code === 0 ? "✓" : "✗"} ${p.name.padEnd(10)} ${p.wallS.toFixed(1)} s`);
console.log(`  total wall ${since(started).toFixed(1)} s`);
process.exitCode = phases.some((p) => p.code !== 0) ? 1 : 0;
