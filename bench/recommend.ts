// npm run bench:recommend -- [--interactions 100000] [--naive-users 400] [--naive-seconds 20] [--d1]
// 1. Times the cron's full recompute (planRecompute: vectors, top-K neighbours, candidates, regional popularity) over
//    a seeded synthetic log, and compares the neighbour search with the naive all-pairs baseline on a bounded sample
//    of users measured in the same run (in process).
// 2. With --d1: seeds the same log into local D1 (wrangler dev on 127.0.0.1:BENCH_PORT, default 8860, temp state) and
//    times the real cron step end to end — a full sweep in pages of 500 users as the cron runs it, one incremental run — and the one-query
//    serving path. localhost only; bounded by the log size and a 10-minute deadline.
import { parseArgs } from "node:util";
import { generateInteractions } from "../scripts/recommend/synthetic.ts";
import { RECOMMEND } from "../worker/recommend/config.ts";
import { planRecompute } from "../worker/recommend/plan.ts";
import { allPairsNeighbours, anchorPostings, topNeighbours } from "../worker/recommend/similarity.ts";
import { buildUserVectors } from "../worker/recommend/vectors.ts";
import { row, writeResult } from "./lib/results.ts";
import { d1BenchConfig, startBenchServer } from "./lib/server.ts";

const { values } = parseArgs({
  options: {
    interactions: { type: "string", default: "100000" },
    "naive-users": { type: "string", default: "400" },
    "naive-seconds": { type: "string", default: "20" },
    d1: { type: "boolean", default: false },
  },
});
const count = Math.min(1_000_000, Math.max(1_000, Number(values.interactions)));
const naiveUsers = Math.min(5_000, Math.max(10, Number(values["naive-users"])));
const naiveBudgetMs = Math.min(120, Math.max(1, Number(values["naive-seconds"]))) * 1000;

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const data = generateInteractions({ interactions: count });
const items = new Map(data.items.map((x) => [x.id, x]));
const lookup = (id: string) => items.get(id);
const now = Math.max(...data.interactions.map((x) => x.at));
console.log(
  `data: ${data.interactions.length} interactions, ${new Set(data.rows.map((r) => r.userId)).size} users, ${items.size} items`,
);

// 1. The cron's full recompute, everyone rescored.
let t0 = performance.now();
const cpu0 = process.cpuUsage();
const plan = planRecompute({ interactions: data.interactions, lookup, regions: data.regions, now, targets: null });
const fullMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const fullCpuMs = (cpu.user + cpu.system) / 1000;
const popularityRows = plan.regions.reduce((s, r) => s + r.table.length, 0);
console.log(
  `full recompute: ${seconds(fullMs)} s for ${plan.users.length} users (${popularityRows} popularity rows, ` +
    `${plan.regions.length} regions), ${seconds(fullCpuMs)} s CPU — target < 30 s`,
);

// 2. Neighbour search: inverted index vs naive all pairs on the same sample of users (bounded by count and time).
const vectors = buildUserVectors(data.interactions, lookup);
const stride = Math.max(1, Math.floor(vectors.userIds.length / naiveUsers));
const sample: number[] = [];
for (let u = 0; u < vectors.userIds.length && sample.length < naiveUsers; u += stride) sample.push(u);

t0 = performance.now();
const postings = anchorPostings(vectors);
const indexed = topNeighbours(vectors, sample, {}, postings);
const indexedMs = performance.now() - t0;

const naive = new Map<number, ReturnType<typeof allPairsNeighbours> extends Map<number, infer V> ? V : never>();
t0 = performance.now();
for (const u of sample) {
  for (const [k, v] of allPairsNeighbours(vectors, [u])) naive.set(k, v);
  if (performance.now() - t0 > naiveBudgetMs) break;
}
const naiveMs = performance.now() - t0;
const measured = naive.size;
let identical = true;
for (const [u, list] of naive) if (JSON.stringify(list) !== JSON.stringify(indexed.get(u))) identical = false;

const indexedPerUser = indexedMs / sample.length;
const naivePerUser = naiveMs / measured;
const ratio = naivePerUser / indexedPerUser;
const naiveFullEstimate = naivePerUser * vectors.userIds.length;
console.log(
  `neighbours (k=${RECOMMEND.neighbours}), ${measured} sampled users: inverted index ${indexedPerUser.toFixed(3)} ms/user, ` +
    `naive all-pairs ${naivePerUser.toFixed(3)} ms/user → ${ratio.toFixed(1)}× faster; same neighbours: ${identical}`,
);
console.log(
  `naive all-pairs for all ${vectors.userIds.length} users would take ~${seconds(naiveFullEstimate)} s ` +
    `(extrapolated from the sample) vs the whole indexed recompute ${seconds(fullMs)} s`,
);

const d1 = values.d1 ? await d1Bench(count) : null;

const report = {
  interactions: data.interactions.length,
  users: vectors.userIds.length,
  items: items.size,
  fullRecomputeSeconds: fullMs / 1000,
  fullRecomputeCpuSeconds: fullCpuMs / 1000,
  targetSeconds: 30,
  neighbourSample: measured,
  indexedMsPerUser: indexedPerUser,
  naiveMsPerUser: naivePerUser,
  speedupVsNaive: ratio,
  naiveFullEstimateSeconds: naiveFullEstimate / 1000,
  identicalNeighbours: identical,
  d1,
  node: process.version,
};
const rows = [
  row("full recompute (target 30 s)", fullMs / 1000, "s", 30),
  row("neighbour search per user (inverted index vs naive all-pairs)", indexedPerUser, "ms", naivePerUser),
  row("identical neighbours to naive", identical ? 1 : 0, "bool"),
];
if (d1)
  rows.push(row("recommend.forMe p99 (local D1)", d1.serveP99Ms, "ms"), row("D1 full sweep", d1.fullSweepSeconds, "s"));
writeResult("recommend", rows, { detail: report });
if (!identical) process.exitCode = 1;

async function d1Bench(n: number) {
  const deadline = Date.now() + 10 * 60_000;
  const { base: BASE, stop } = await startBenchServer({
    name: "recommend",
    port: Number(process.env.BENCH_PORT ?? 8860),
    config: d1BenchConfig("recommend", "bench/worker/recommend.ts"),
    healthPath: "/health",
  });
  const call = async <T>(path: string, body: Record<string, unknown>): Promise<T> => {
    if (Date.now() > deadline) throw new Error("D1 benchmark deadline passed");
    const res = await fetch(`${BASE}${path}`, { method: "POST", body: JSON.stringify(body) });
    const json = (await res.json()) as T & { error?: string };
    if (!res.ok || json.error) throw new Error(`${path}: ${json.error ?? res.status}`);
    return json;
  };
  try {
    const start = Date.now() - 90 * 86_400_000;
    let t = performance.now();
    const catalog = await call<Record<string, number>>("/seed/catalog", { n, start });
    for (let offset = 0; offset < n + 100; offset += 10_000) {
      await call("/seed/interactions", { n, start, offset, count: 10_000 });
    }
    console.log(
      `\nD1 (local, wrangler dev): seeded ${JSON.stringify(catalog)} and the log in ${seconds(performance.now() - t)} s`,
    );

    // A full sweep as the cron runs it: one page of ≤ 500 users per invocation until done.
    const now = Date.now();
    const pages: { users: number; ms: number }[] = [];
    t = performance.now();
    for (let page = 0; ; page++) {
      const r = await call<{ users: number; ms: number; done: boolean }>("/recompute", {
        full: page === 0,
        now: now + page,
      });
      pages.push({ users: r.users, ms: r.ms });
      if (r.done) break;
    }
    const sweepMs = performance.now() - t;
    const pageMs = pages.map((p) => p.ms).sort((a, b) => a - b);
    console.log(
      `full sweep: ${pages.reduce((s, p) => s + p.users, 0)} users in ${pages.length} cron runs, ${seconds(sweepMs)} s in all; ` +
        `per run median ${seconds(pageMs[Math.floor(pageMs.length / 2)])} s, max ${seconds(pageMs[pageMs.length - 1])} s`,
    );

    // Incremental: 100 users with something new since the sweep.
    await call("/touch", { n, start, count: 100, now: now + 60 * 60_000 });
    const inc = await call<{ users: number; ms: number }>("/recompute", { now: now + 70 * 60_000 });
    console.log(
      `incremental run (100 users with new interactions): ${inc.users} users rescored in ${seconds(inc.ms)} s`,
    );

    // Serving: the one-query path for 200 users.
    const users = [...new Set(data.rows.map((r) => r.userId))].slice(0, 200);
    const serve: number[] = [];
    for (const userId of users) serve.push((await call<{ ms: number }>("/serve", { userId })).ms);
    serve.sort((a, b) => a - b);
    const p = (q: number) => serve[Math.min(serve.length - 1, Math.floor(q * serve.length))];
    console.log(
      `recommend.forMe (one query + ranking), ${serve.length} users: p50 ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms`,
    );
    return {
      fullSweepSeconds: sweepMs / 1000,
      sweepRuns: pages.length,
      sweepRunMedianSeconds: pageMs[Math.floor(pageMs.length / 2)] / 1000,
      sweepRunMaxSeconds: pageMs[pageMs.length - 1] / 1000,
      incrementalUsers: inc.users,
      incrementalSeconds: inc.ms / 1000,
      serveP50Ms: p(0.5),
      serveP99Ms: p(0.99),
    };
  } finally {
    await stop();
  }
}
