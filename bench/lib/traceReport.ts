/**
 * node bench/lib/traceReport.ts <trace.json> — reads what `BENCH_TRACE=<file> npm run bench:chat` wrote and prints,
 * for the slowest deliveries, what the room's isolate (CPU profile) and the workerd threads (/proc schedstat) did
 * from when the message reached the room until a client got it, in 10 ms bins. All times are CLOCK_MONOTONIC ms.
 */
import { readFileSync } from "node:fs";
import type { HeapSample, Profile } from "./profile.ts";

interface Trace {
  window: [number, number];
  profile: Profile & { heap?: HeapSample[] };
  sched?: [number, number, number, number][];
  /** [sent, posted in the room, sent by the room, received] */
  deliveries: [number, number, number, number][];
}

const trace = JSON.parse(readFileSync(process.argv[2], "utf8")) as Trace;
const BIN = Number(process.env.BIN_MS ?? 10);
const { profile } = trace;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** Category of a sample: the runtime's native buckets as they are, JS by the nearest frame we can name. */
function category(id: number): string {
  const f = byId.get(id)!.callFrame;
  const name = f.functionName || "(anonymous)";
  if (name === "(idle)") return "idle";
  if (name === "(garbage collector)") return "gc";
  if (name === "(program)") return "program";
  if (name === "send" && !f.url) return "ws.send";
  if (name === "exec" && !f.url) return "sql";
  return "js";
}

// sample times: startTime + Σ timeDeltas (µs, monotonic)
const samples: { t: number; cat: string; id: number; dt: number }[] = [];
let t = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i] ?? 0;
  const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  samples.push({ t: t / 1000, cat: category(profile.samples[i]), id: profile.samples[i], dt });
}

const bins = new Map<number, Map<string, number>>();
for (const s of samples) {
  const b = Math.floor(s.t / BIN);
  const m = bins.get(b) ?? new Map<string, number>();
  m.set(s.cat, (m.get(s.cat) ?? 0) + s.dt);
  bins.set(b, m);
}

// the busiest workerd thread is the one running the worker
const sched = trace.sched ?? [];
const cpuByTid = new Map<number, [number, number]>();
for (const [, tid, cpu] of sched) {
  const r = cpuByTid.get(tid) ?? [cpu, cpu];
  r[1] = cpu;
  cpuByTid.set(tid, r);
}
const mainTid = [...cpuByTid].sort((a, b) => b[1][1] - b[1][0] - (a[1][1] - a[1][0]))[0]?.[0];
const mainSched = sched.filter((s) => s[1] === mainTid);
/** CPU and run-queue wait of the worker's thread between two times (ms), from the 10 ms samples. */
function threadBetween(from: number, to: number): [number, number] {
  const at = (x: number) => {
    let last = mainSched[0];
    for (const s of mainSched) {
      if (s[0] > x) break;
      last = s;
    }
    return last;
  };
  const a = at(from);
  const b = at(to);
  return a && b ? [b[2] - a[2], b[3] - a[3]] : [Number.NaN, Number.NaN];
}

const d = trace.deliveries.filter((x) => x[0] >= trace.window[0] && x[0] <= trace.window[1]);
const total = d.map((x) => x[3] - x[0]).sort((a, b) => a - b);
const pct = (p: number) => total[Math.min(total.length - 1, Math.floor((p / 100) * total.length))];
console.log(`${d.length} sampled deliveries: p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms`);
const gc = samples.filter((s) => s.cat === "gc").reduce((a, s) => a + s.dt, 0);
const span = (samples.at(-1)!.t - samples[0].t) / 1000;
console.log(`profile ${span.toFixed(1)} s: gc ${gc.toFixed(0)} ms; worker thread tid ${mainTid}`);
const [cpuAll, waitAll] = threadBetween(samples[0].t, samples.at(-1)!.t);
console.log(
  `worker thread over the profile: cpu ${cpuAll.toFixed(0)} ms (${((100 * cpuAll) / (span * 1000)).toFixed(0)}%), run-queue wait ${waitAll.toFixed(0)} ms`,
);

// the slowest deliveries, one per 500 ms of send time
const slow = [...d].sort((a, b) => b[3] - b[0] - (a[3] - a[0]));
const picked: typeof d = [];
for (const x of slow) {
  if (picked.length >= Number(process.env.TOP ?? 3)) break;
  if (picked.some((p) => Math.abs(p[0] - x[0]) < 500)) continue;
  picked.push(x);
}
const cats = ["idle", "gc", "program", "ws.send", "sql", "js"];
for (const [sent, posted, out, recv] of picked) {
  const t0 = trace.window[0];
  console.log(
    `\nslow delivery sent +${((sent - t0) / 1000).toFixed(2)} s: in ${(posted - sent).toFixed(0)}, wait ${(out - posted).toFixed(0)}, out ${(recv - out).toFixed(0)} ms (total ${(recv - sent).toFixed(0)})`,
  );
  console.log(`  bin(ms from posted)  ${cats.map((c) => c.padStart(7)).join(" ")}  thread cpu/wait  heap MB`);
  const heap = trace.profile.heap ?? [];
  for (let b = Math.floor((posted - 60) / BIN); b <= Math.floor((recv + 20) / BIN); b++) {
    const m = bins.get(b) ?? new Map();
    const [cpu, wait] = threadBetween(b * BIN, (b + 1) * BIN);
    const h = heap.filter((x) => x[0] >= b * BIN && x[0] < (b + 1) * BIN).map((x) => (x[1] / 1e6).toFixed(1));
    console.log(
      `  ${String(Math.round(b * BIN - posted)).padStart(6)}            ${cats.map((c) => (m.get(c) ?? 0).toFixed(1).padStart(7)).join(" ")}  ${cpu.toFixed(1).padStart(5)}/${wait.toFixed(1).padStart(5)}  ${h.join(",")}`,
    );
  }
}

// the longest runs of one category (a GC pause shows as one long run)
const runs: { cat: string; ms: number; at: number; frame: string }[] = [];
let start = 0;
for (let i = 1; i <= samples.length; i++) {
  if (i < samples.length && samples[i].cat === samples[start].cat && samples[i].cat !== "js") continue;
  const ms = samples[i - 1].t + samples[i - 1].dt - samples[start].t;
  const f = byId.get(samples[start].id)!.callFrame;
  let caller = parent.get(samples[start].id);
  const chain: string[] = [];
  while (caller !== undefined && chain.length < 4) {
    chain.push(byId.get(caller)!.callFrame.functionName || "(anon)");
    caller = parent.get(caller);
  }
  runs.push({ cat: samples[start].cat, ms, at: samples[start].t, frame: `${f.functionName} ← ${chain.join(" ← ")}` });
  start = i;
}
console.log("\nlongest non-idle runs of one category:");
for (const r of runs
  .filter((r) => r.cat !== "idle")
  .sort((a, b) => b.ms - a.ms)
  .slice(0, 8)) {
  const [cpu, wait] = threadBetween(r.at, r.at + r.ms);
  console.log(
    `  ${r.ms.toFixed(0).padStart(5)} ms ${r.cat} at +${((r.at - trace.window[0]) / 1000).toFixed(2)} s (${r.frame}); thread cpu ${cpu.toFixed(0)} / wait ${wait.toFixed(0)} ms`,
  );
}
const heap = trace.profile.heap ?? [];
if (heap.length) {
  const used = heap.map((h) => h[1] / 1e6);
  console.log(
    `\nheap used ${Math.min(...used).toFixed(1)}–${Math.max(...used).toFixed(1)} MB; drops > 2 MB between polls: ${
      heap
        .slice(1)
        .map((h, i) => [h, heap[i]] as const)
        .filter(([h, p]) => p[1] - h[1] > 2e6)
        .map(
          ([h, p]) =>
            `+${((h[0] - trace.window[0]) / 1000).toFixed(2)} s ${(p[1] / 1e6).toFixed(0)}→${(h[1] / 1e6).toFixed(0)}`,
        )
        .join(", ") || "none"
    }`,
  );
}

// allocation sites (HeapProfiler sampling, young and collected objects included): bytes by function, with callers
interface AllocNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocNode[];
}
const alloc = (trace.profile as { allocations?: { profile?: { head: AllocNode } } }).allocations?.profile?.head;
if (alloc) {
  const bySite = new Map<string, number>();
  let all = 0;
  const walk = (n: AllocNode, path: string[]) => {
    const name = `${n.callFrame.functionName || "(anon)"}:${n.callFrame.lineNumber}`;
    const here = [...path, name];
    if (n.selfSize > 0) {
      const key = here.slice(-4).join(" ← ".length ? " > " : "");
      bySite.set(key, (bySite.get(key) ?? 0) + n.selfSize);
      all += n.selfSize;
    }
    for (const c of n.children) walk(c, here);
  };
  walk(alloc, []);
  const span = (trace.window[1] - trace.window[0]) / 1000;
  console.log(`\nallocated (sampled) ${(all / 1e6).toFixed(1)} MB over the profile; top sites (last 4 frames):`);
  for (const [k, v] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 25))
    console.log(`  ${(v / 1e6).toFixed(2).padStart(7)} MB  ${k}`);
  void span;
}

// self time by the frame just under (root): which event handler the time belongs to
{
  const top = new Map<string, number>();
  for (const s of samples) {
    let id = s.id;
    let under = id;
    while (parent.has(id)) {
      under = id;
      id = parent.get(id)!;
    }
    const f = byId.get(under)!.callFrame;
    const k = `${f.functionName || "(anon)"}:${f.lineNumber}`;
    top.set(k, (top.get(k) ?? 0) + s.dt);
  }
  console.log("\ntime by entry point (frame under (root)):");
  for (const [k, v] of [...top].sort((a, b) => b[1] - a[1]).slice(0, 12))
    console.log(`  ${v.toFixed(0).padStart(6)} ms  ${k}`);
}
