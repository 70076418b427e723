// npm run bench:recommend -- [--interactions 100000] [--naive-users 400] [--naive-seconds 20]
// Times the cron's full recompute (planRecompute: vectors, top-K neighbours, candidates, regional popularity) over a
// seeded synthetic log, and compares the neighbour search with the naive all-pairs baseline on a bounded sample of
// users measured in the same run. Pure in-process work; no network.
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { generateInteractions } from "../scripts/recommend/synthetic.ts";
import { RECOMMEND } from "../worker/recommend/config.ts";
import { planRecompute } from "../worker/recommend/plan.ts";
import { allPairsNeighbours, anchorPostings, topNeighbours } from "../worker/recommend/similarity.ts";
import { buildUserVectors } from "../worker/recommend/vectors.ts";

const { values } = parseArgs({
  options: {
    interactions: { type: "string", default: "100000" },
    "naive-users": { type: "string", default: "400" },
    "naive-seconds": { type: "string", default: "20" },
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
  node: process.version,
};
mkdirSync("bench/results", { recursive: true });
const out = `bench/results/recommend-bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`report written to ${out}`);
if (!identical) process.exitCode = 1;
