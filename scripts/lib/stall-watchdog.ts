/**
 * Guards `npm test` against a workerd runtime that never becomes ready. On a loaded 2-core machine we have seen the
 * test-file runtime of test/worker/idor.test.ts sit idle (0 CPU) for 20 min after its last test passed; vitest has no
 * timeout for that, so the run would only end at CI's 90-minute limit. Killing the runtime ends the wait: vitest then
 * reports the file it was running as failed ("Worker exited unexpectedly"); in the shared `workers` project the files
 * still queued on that runtime end with it. Either way the run fails with a named file within minutes instead of
 * stalling silently.
 *
 * Rule: when vitest has printed nothing for `quietMs`, a workerd that is a direct child of the vitest process (a test
 * file's runtime, not the browser tests' `wrangler dev`) and has used less than `idleCpuMs` of CPU over that window is
 * killed, loudly. After `maxKills` the run is failed instead. Linux only (reads /proc); elsewhere it does nothing.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";

export interface StallWatchdogOptions {
  quietMs?: number;
  idleCpuMs?: number;
  maxKills?: number;
  /** Called when the run should be failed (too many stalls). */
  onGiveUp: (reason: string) => void;
}

interface Proc {
  pid: number;
  ppid: number;
  cpuMs: number;
  command: string;
}

const CLOCK_TICKS_PER_S = 100;

function readProcs(): Proc[] {
  const procs: Proc[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the parenthesised command name: state ppid ... utime(14) stime(15), 1-based over the whole line.
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const command = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      procs.push({
        pid: Number(entry),
        ppid: Number(rest[1]),
        cpuMs: ((Number(rest[11]) + Number(rest[12])) * 1000) / CLOCK_TICKS_PER_S,
        command,
      });
    } catch {
      // the process ended while we looked
    }
  }
  return procs;
}

function descendants(procs: Proc[], rootPid: number): Proc[] {
  const below = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs)
      if (!below.has(p.pid) && below.has(p.ppid)) {
        below.add(p.pid);
        grew = true;
      }
  }
  return procs.filter((p) => p.pid !== rootPid && below.has(p.pid));
}

/** The test-file runtimes: workerd processes whose parent is a vitest process below `rootPid`. */
function testRuntimes(rootPid: number): Proc[] {
  const below = descendants(readProcs(), rootPid);
  const vitestPids = new Set(below.filter((p) => /vitest/.test(p.command)).map((p) => p.pid));
  return below.filter((p) => vitestPids.has(p.ppid) && /workerd/.test(p.command));
}

/** Ends `rootPid` and everything below it (Linux; elsewhere only `rootPid`). */
export function killTree(rootPid: number): void {
  const pids = existsSync("/proc/self/stat") ? descendants(readProcs(), rootPid).map((p) => p.pid) : [];
  for (const pid of [rootPid, ...pids]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

export function watchForStalls(rootPid: number, options: StallWatchdogOptions) {
  const quietMs = options.quietMs ?? 5 * 60_000;
  const idleCpuMs = options.idleCpuMs ?? 1_000;
  const maxKills = options.maxKills ?? 3;
  if (!existsSync("/proc/self/stat")) return { output() {}, stop() {} };

  const tickMs = 15_000;
  let lastOutput = Date.now();
  let kills = 0;
  // Each runtime's CPU as of the last tick with fresh output (or when first seen): what it did while vitest was quiet.
  const baseline = new Map<number, { cpuMs: number; at: number }>();
  const timer = setInterval(() => {
    const now = Date.now();
    const moving = now - lastOutput < tickMs;
    for (const r of testRuntimes(rootPid)) {
      const start = baseline.get(r.pid);
      if (!start || moving) {
        baseline.set(r.pid, { cpuMs: r.cpuMs, at: now });
        continue;
      }
      if (now - start.at < quietMs || r.cpuMs - start.cpuMs >= idleCpuMs) continue;
      kills += 1;
      if (kills > maxKills) return options.onGiveUp(`more than ${maxKills} stalled test runtimes`);
      console.error(
        `\n⚠ stall watchdog: no test output for ${Math.round((now - lastOutput) / 1000)} s and test runtime workerd ` +
          `pid ${r.pid} used ${Math.round(r.cpuMs - start.cpuMs)} ms CPU in that time — killing it; vitest reports ` +
          `the file it was running (stall ${kills} of at most ${maxKills}).`,
      );
      try {
        process.kill(r.pid, "SIGKILL");
      } catch {
        // it ended by itself
      }
      baseline.delete(r.pid);
    }
  }, tickMs);
  timer.unref();

  return {
    /** vitest printed something: the run is moving. */
    output() {
      lastOutput = Date.now();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
