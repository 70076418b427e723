/**
 * CPU profile of the worker's isolate under `wrangler dev`, through its inspector port (Chrome DevTools protocol):
 * `const stop = await startProfile(port)`, run the load, `summarize(await stop())` → where the self time went.
 * Wrangler's inspector shows only the user worker's isolate (its Durable Objects included); local D1 runs in
 * miniflare's own isolate of the same workerd process, which workerd's own inspector lists (runtimeIsolateUrl).
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Heap samples taken while profiling (BENCH_TRACE): [monotonic ms, V8 heap used bytes, total bytes]. */
export type HeapSample = [number, number, number];

/**
 * The DevTools URL of one isolate of the runtime (e.g. "d1:db", miniflare's D1 database object), from workerd's own
 * inspector: the listening port of the workerd among `pids` started with --inspector-addr whose /json lists it.
 */
export async function runtimeIsolateUrl(pids: number[], isolate: string): Promise<string | null> {
  const listening = new Map<string, number>(); // socket inode → port
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[3] === "0A") listening.set(f[9], Number.parseInt(f[1].split(":")[1], 16));
  }
  for (const pid of pids) {
    let ports: number[];
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--inspector-addr")) continue;
      ports = readdirSync(`/proc/${pid}/fd`)
        .map((fd) => /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1])
        .flatMap((inode) => (inode && listening.has(inode) ? [listening.get(inode)!] : []));
    } catch {
      continue; // exited, or not ours to read
    }
    for (const port of ports) {
      const list = await fetch(`http://127.0.0.1:${port}/json`, { signal: AbortSignal.timeout(2_000) })
        .then((r) => r.json() as Promise<{ id: string }[]>)
        .catch(() => []);
      if (Array.isArray(list) && list.some((t) => t.id === isolate)) return `ws://127.0.0.1:${port}/${isolate}`;
    }
  }
  return null;
}

/** `inspector`: wrangler's inspector port (the user worker), or an isolate's DevTools URL (runtimeIsolateUrl). */
export async function startProfile(
  inspector: number | string,
  heapEveryMs = 0,
): Promise<() => Promise<Profile & { heap?: HeapSample[]; allocations?: unknown }>> {
  const url =
    typeof inspector === "string"
      ? inspector
      : ((await (await fetch(`http://127.0.0.1:${inspector}/json`)).json()) as { webSocketDebuggerUrl: string }[])[0]
          .webSocketDebuggerUrl;
  // wrangler's inspector proxy wants an Origin header (Node's WebSocket takes headers as an extension)
  const ws = new WebSocket(url, {
    headers: { origin: "http://localhost" },
  } as unknown as string[]);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  // the proxy renumbers message ids, so replies are matched in order (one call at a time)
  let seq = 0;
  const waiting: ((v: unknown) => void)[] = [];
  ws.onmessage = (e) => {
    const msg = JSON.parse(String(e.data)) as { id?: number; result?: unknown; error?: unknown };
    if (msg.id !== undefined) waiting.shift()?.(msg.result ?? { error: msg.error });
  };
  const send = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      waiting.push(resolve);
      ws.send(JSON.stringify({ id: ++seq, method, params }));
    });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 200 });
  await send("Profiler.start");
  if (heapEveryMs > 0) {
    // allocation sites, counting objects that died young too (what keeps the collector busy)
    await send("HeapProfiler.enable");
    await send("HeapProfiler.startSampling", {
      samplingInterval: 16384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  const heap: HeapSample[] = [];
  let polling = heapEveryMs > 0;
  const poll = async () => {
    while (polling) {
      const u = (await send("Runtime.getHeapUsage")) as { usedSize: number; totalSize: number; error?: unknown };
      if (u.error) {
        console.log(`  heap usage not available: ${JSON.stringify(u.error)}`);
        break;
      }
      heap.push([Number(process.hrtime.bigint()) / 1e6, u.usedSize, u.totalSize]);
      await new Promise((r) => setTimeout(r, heapEveryMs));
    }
  };
  const polled = poll();
  return async () => {
    polling = false;
    await polled;
    const { profile } = (await send("Profiler.stop")) as { profile: Profile };
    const allocations = heapEveryMs > 0 ? await send("HeapProfiler.stopSampling") : undefined;
    ws.close();
    return heapEveryMs > 0 ? { ...profile, heap, allocations } : profile;
  };
}

/** Self time by function and by file (ms), biggest first. */
export function summarize(profile: Profile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const [i, id] of profile.samples.entries())
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const short = url.replace(/^.*\/(node_modules|worker|bench|shared)\//, "$1/") || "(native)";
    fn.set(
      `${functionName || "(anonymous)"} ${short}:${lineNumber}`,
      (fn.get(`${functionName || "(anonymous)"} ${short}:${lineNumber}`) ?? 0) + ms,
    );
    file.set(short, (file.get(short) ?? 0) + ms);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const list = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `  ${v.toFixed(0).padStart(7)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join("\n");
  return `profile: ${total.toFixed(0)} ms sampled\nby function:\n${list(fn)}\nby file:\n${list(file)}`;
}

/** The longest stretches of consecutive samples in one function (a pause such as a GC shows as one long stretch). */
export function longestStretches(profile: Profile, top = 5): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const stretches: { name: string; ms: number; atMs: number }[] = [];
  let at = 0;
  let start = 0;
  let run = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    at += dt;
    if (i > 0 && profile.samples[i] === profile.samples[i - 1]) run += dt;
    else {
      if (i > 0) {
        const { functionName } = byId.get(profile.samples[i - 1])!.callFrame;
        stretches.push({ name: functionName || "(anonymous)", ms: run, atMs: start });
      }
      start = at;
      run = dt;
    }
  }
  return stretches
    .filter((s) => s.name !== "(idle)")
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top)
    .map((s) => `${s.ms.toFixed(0)} ms in ${s.name} at +${(s.atMs / 1000).toFixed(2)} s`)
    .join(", ");
}

/**
 * Inclusive time by function (ms): every sample counts once for each distinct function on its stack, so a phase
 * (e.g. the guard batch, the group commit, the D1 mirror) shows with everything it called, synchronous parts only
 * (time spent awaiting is not on the stack).
 */
export function inclusive(profile: Profile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n: Node) => {
    const { functionName, url, lineNumber } = n.callFrame;
    return `${functionName || "(anonymous)"} ${url.replace(/^.*\//, "") || "(native)"}:${lineNumber}`;
  };
  const total = new Map<string, number>();
  let busy = 0;
  for (const [i, id] of profile.samples.entries()) {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const leaf = byId.get(id)!;
    if (leaf.callFrame.functionName === "(idle)") continue;
    busy += ms;
    const seen = new Set<string>();
    for (let n: Node | undefined = leaf; n; n = byId.get(parent.get(n.id) ?? -1)) {
      const k = key(n);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + ms);
    }
  }
  const rows = [...total]
    .filter(([k]) => !k.startsWith("(root)"))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, v]) => `  ${v.toFixed(0).padStart(7)} ms ${((100 * v) / busy).toFixed(1).padStart(5)}%  ${k}`);
  return `inclusive (busy ${busy.toFixed(0)} ms):\n${rows.join("\n")}`;
}
