/**
 * What else ran on this (shared) machine during a measured window, so a run's tail can be told apart from the
 * machine's: how busy the cores were (/proc/stat), how much of that was this bench's own processes (the load generator
 * and the server's process group), the rest (other people's work), and how long the server's threads were runnable
 * but waiting for a core (/proc/<pid>/task/<tid>/schedstat, run-queue wait). Two readings, at the window's start and
 * end: nothing is sampled in between, so it costs the run nothing.
 */
import { readdirSync, readFileSync } from "node:fs";

export interface MachineReading {
  /** Busy and total CPU time of all cores, in clock ticks (/proc/stat's first line). */
  busy: number;
  total: number;
  /** CPU seconds used so far by this bench's processes (load generator + server process group). */
  oursS: number;
  /** Run-queue wait so far of every thread of the server's runtime processes, ms. */
  waitMs: number;
  /** CPU seconds used so far by the server's runtime processes (workerd) alone. */
  runtimeS: number;
  /** Wall clock, ms. */
  at: number;
}

/** /proc/stat's "cpu" line → busy and total ticks (iowait counts as idle: a core waiting on a disk is free). */
export function parseProcStat(stat: string): { busy: number; total: number } {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = stat
    .slice(0, stat.indexOf("\n"))
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq + (steal || 0);
  return { busy, total: busy + idle + iowait };
}

/** Sum of run-queue wait (schedstat's 2nd field, ns) over every thread of `pids`, in ms; a thread that ends is skipped. */
function runQueueWaitMs(pids: string[]): number {
  let ns = 0;
  for (const pid of pids) {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {}
    for (const tid of tids) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[1]);
      } catch {}
    }
  }
  return ns / 1e6;
}

/** CPU seconds used so far by `pids` (/proc/<pid>/stat utime + stime, 100 ticks per second); one that ended counts 0. */
export function cpuSecondsOf(pids: string[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(f[11]) + Number(f[12]);
    } catch {}
  }
  return ticks / 100;
}

/** A reading now: `serverPids` are every process of the server's group, `runtimePids` its runtime's (waits summed). */
export function readMachine(serverPids: string[], runtimePids: string[]): MachineReading {
  const { busy, total } = parseProcStat(readFileSync("/proc/stat", "utf8"));
  const self = process.cpuUsage();
  return {
    busy,
    total,
    oursS: (self.user + self.system) / 1e6 + cpuSecondsOf(serverPids),
    waitMs: runQueueWaitMs(runtimePids),
    runtimeS: cpuSecondsOf(runtimePids),
    at: performance.now(),
  };
}

/** The window between two readings, as shares of the whole machine (all cores) and the server's wait for a core. */
export function machineShare(a: MachineReading, b: MachineReading, cores: number) {
  const wallS = (b.at - a.at) / 1000;
  const capacity = wallS * cores;
  const busy = Math.min(1, (b.busy - a.busy) / Math.max(1, b.total - a.total));
  const ours = Math.min(busy, (b.oursS - a.oursS) / capacity);
  return {
    busy,
    ours,
    others: Math.max(0, busy - ours),
    serverWaitMs: b.waitMs - a.waitMs,
    /** CPU seconds the runtime used in the window. */
    runtimeS: b.runtimeS - a.runtimeS,
    wallS,
  };
}

/** A quiet window: other processes used at most this share of the machine and the runtime waited at most this share. */
export const QUIET = { others: 0.05, serverWait: 0.03 } as const;

export function isQuiet(s: ReturnType<typeof machineShare>): boolean {
  return s.others <= QUIET.others && s.serverWaitMs / 1000 / s.wallS <= QUIET.serverWait;
}

export function machineLine(s: ReturnType<typeof machineShare>, cores: number): string {
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  return (
    `machine during the window: ${cores} cores ${pct(s.busy)} busy — this bench's processes ${pct(s.ours)}, ` +
    `other processes ${pct(s.others)}; the runtime's threads waited ${s.serverWaitMs.toFixed(0)} ms for a core ` +
    `(${pct(s.serverWaitMs / 1000 / s.wallS)} of the window): ` +
    (isQuiet(s)
      ? "a quiet window"
      : `NOT a quiet window (quiet: others ≤ ${pct(QUIET.others)} and waits ≤ ${pct(QUIET.serverWait)}), the tail reflects the machine`)
  );
}
