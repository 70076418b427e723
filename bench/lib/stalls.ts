/**
 * An open-loop storm's slow episodes and what the machine did during each (BENCH_DEBUG=1 of bench:join): attempts
 * answered `minMs` or more after they were due, grouped while their waits overlap. For each, from /proc readings taken every SAMPLE_MS through the storm (bench/lib/machineShare.ts): the runtime's CPU
 * (busy: it was doing something else on its one thread — queue jobs, GC, the room's D1 work), how long its threads
 * waited for a core (descheduled: the machine was busy), other processes' CPU, and the queue batches that ran in it
 * (bench/worker/join.ts /bench/queue-log). That tells a stall the server caused apart from one the machine caused.
 */
import { readdirSync, readFileSync } from "node:fs";
import { type MachineReading, readMachine } from "./machineShare.ts";
import type { OpenAttempt } from "./openLoop.ts";

const SAMPLE_MS = 20;

/** A machine reading with its wall-clock time (ms epoch, to line up with t0 and the isolate's queue log). */
export type TimedReading = MachineReading & { epoch: number };

/** Readings every SAMPLE_MS from now until the returned function is called (which returns them). Reads /proc only. */
export function sampleMachine(serverPids: string[], runtimePids: string[]): () => TimedReading[] {
  const read = () => ({ ...readMachine(serverPids, runtimePids), epoch: Date.now() });
  const samples = [read()];
  const timer = setInterval(() => samples.push(read()), SAMPLE_MS);
  return () => {
    clearInterval(timer);
    samples.push(read());
    return samples;
  };
}

/** A queue batch the isolate ran (ms epoch), as /bench/queue-log returns it. */
export interface QueueRun {
  queue: string;
  start: number;
  end: number;
  jobs: Record<string, number>;
}

export interface Stall {
  /** ms after t0: the first slow attempt's due time, and the episode's end (its last slow answer). */
  from: number;
  to: number;
  /** Slow attempts in the episode (answered `minMs` or more after they were due). */
  slow: number;
  /** Over the episode (from the nearest readings around it): runtime CPU, its threads' wait for a core, others' CPU. */
  runtimeMs: number;
  waitMs: number;
  othersMs: number;
  /** Queue batches that ran at some point during the episode. */
  queue: QueueRun[];
}

/** The last reading at or before `from` and the first at or after `to` (the window is widened, never narrowed). */
function around(samples: TimedReading[], from: number, to: number): [TimedReading, TimedReading] {
  const a = samples.filter((s) => s.epoch <= from).at(-1) ?? samples[0];
  const b = samples.find((s) => s.epoch >= to) ?? samples[samples.length - 1];
  return [a, b];
}

/**
 * The storm's slow episodes after `fromMs` (ms after t0): attempts answered `minMs` or more after they were due,
 * grouped while their waits overlap (an episode runs from the first one's due time to the last one's answer), each
 * with what the machine and the queue did during it.
 */
export function findStalls(
  attempts: readonly OpenAttempt[],
  t0: number,
  fromMs: number,
  minMs: number,
  samples: TimedReading[],
  queue: QueueRun[],
): Stall[] {
  const slow = attempts
    .filter((a) => a.scheduled >= fromMs && a.answered !== null && a.answered - a.scheduled >= minMs)
    .sort((a, b) => a.scheduled - b.scheduled);
  const episodes: { from: number; to: number; slow: number }[] = [];
  for (const a of slow) {
    const last = episodes.at(-1);
    if (last && a.scheduled <= last.to) {
      last.to = Math.max(last.to, a.answered as number);
      last.slow++;
    } else episodes.push({ from: a.scheduled, to: a.answered as number, slow: 1 });
  }
  return episodes.map((e) => {
    const [a, b] = around(samples, t0 + e.from, t0 + e.to);
    const machineMs = ((b.busy - a.busy) / Math.max(1, b.total - a.total)) * (b.epoch - a.epoch) * cores(a, b);
    return {
      ...e,
      runtimeMs: (b.runtimeS - a.runtimeS) * 1000,
      waitMs: b.waitMs - a.waitMs,
      othersMs: Math.max(0, machineMs - (b.oursS - a.oursS) * 1000),
      queue: queue.filter((q) => q.start <= t0 + e.to && q.end >= t0 + e.from),
    };
  });
}

/** Cores, from the readings' tick counts: total ticks per wall second / 100 (USER_HZ). */
function cores(a: TimedReading, b: TimedReading): number {
  const wallS = Math.max(0.001, (b.epoch - a.epoch) / 1000);
  return Math.max(1, Math.round((b.total - a.total) / 100 / wallS));
}

/** A queue batch as "<n>× <type> + … (ran <from>–<to> s)", seconds after t0. */
export function queueRunText(q: QueueRun, t0: number): string {
  const jobs = Object.entries(q.jobs)
    .map(([type, n]) => `${n}× ${type}`)
    .join(" + ");
  return `${jobs} (ran ${((q.start - t0) / 1000).toFixed(2)}–${((q.end - t0) / 1000).toFixed(2)} s)`;
}

/** One line per episode: when, how many slow, runtime CPU / wait for a core / others' CPU, and the queue jobs in it. */
export function stallLines(stalls: Stall[], t0: number): string[] {
  return stalls.map((s) => {
    const jobs = s.queue.map((q) => queueRunText(q, t0)).join("; ");
    return (
      `  ${(s.from / 1000).toFixed(2)}–${(s.to / 1000).toFixed(2)} s: ${s.slow} slow; runtime CPU ${s.runtimeMs.toFixed(0)} ms, ` +
      `its threads waited for a core ${s.waitMs.toFixed(0)} ms, other processes ${s.othersMs.toFixed(0)} ms CPU` +
      (jobs ? `; queue: ${jobs}` : "; no queue batch")
    );
  });
}

/** CPU ticks so far of every process on the machine, by pid ("pid comm" → ticks). */
function processTicks(): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(`${pid} ${comm}`, Number(f[11]) + Number(f[12]));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/**
 * Every process's CPU from now until the returned function is called, which lists the busiest of those not in `ours`
 * (pids): who else used the machine during a storm. Two readings of /proc, nothing in between.
 */
export function otherProcesses(ours: string[]): () => string {
  const before = processTicks();
  return () => {
    const mine = new Set([String(process.pid), ...ours]);
    const used = [...processTicks()]
      .filter(([key]) => !mine.has(key.split(" ")[0]))
      .map(([key, ticks]) => [key, (ticks - (before.get(key) ?? 0)) / 100] as const)
      .filter(([, s]) => s >= 0.1)
      .sort((a, b) => b[1] - a[1]);
    return used.length ? used.map(([key, s]) => `${key} ${s.toFixed(1)} s`).join(", ") : "none above 0.1 s";
  };
}
