/**
 * npm run bench:read — the read API through tRPC vs the same work without it, in the same worker, same run.
 *
 *   tRPC  GET /api/trpc/groupBuys.list?input=…   (Hono → @hono/trpc-server → context → authedProcedure → zod → domain)
 *   bare  GET /api/bench/groupBuys.list?input=…  (Hono → the same session lookup, zod schema and listGroupBuys call;
 *         served only because this bench starts wrangler dev with BENCH_ROUTES=1 — see worker/lib/benchRoutes.ts)
 * Both list the open group buys of one seeded region (the demo seed) for a verified neighbour, and must return the
 * same items. autocannon drives each for BENCH_SECONDS (12) in 3 alternating rounds with BENCH_CONNECTIONS (32)
 * connections after a short warm-up; prints req/s and p50/p99 latency, and the ratio tRPC/bare (1.0 = no overhead). localhost only; the load
 * generator and workerd share this machine (cores printed).
 */
import { availableParallelism, cpus, loadavg } from "node:os";
import autocannon from "autocannon";
import { DEMO_REGIONS } from "../scripts/seed/demo-data.ts";
import { createGongguClient } from "../shared/sdk.ts";
import { row, writeResult } from "./lib/results.ts";
import { startBenchServer } from "./lib/server.ts";

const PORT = Number(process.env.BENCH_PORT ?? 8875);
const SECONDS = Math.min(Number(process.env.BENCH_SECONDS ?? 12), 60);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = 3;
const BASE = `http://127.0.0.1:${PORT}`;

async function main() {
  const { stop } = await startBenchServer({ name: "read", port: PORT, seed: true, vars: { BENCH_ROUTES: "1" } });
  try {
    // A verified neighbour of the first demo region (the demo seed puts open group buys there).
    const region = DEMO_REGIONS[0];
    const email = `read-${Date.now().toString(36)}@bench.test`;
    const password = "bench password 2026";
    await createGongguClient({ url: BASE }).auth.signup.mutate({ email, password, displayName: "읽기벤치" });
    const { token } = await createGongguClient({ url: BASE }).auth.login.mutate({
      email,
      password,
      tokenKind: "bearer",
    });
    if (!token) throw new Error("no bearer token");
    await createGongguClient({ url: BASE, token }).regions.verify.mutate({
      regionId: region.id,
      lat: region.lat,
      lng: region.lng,
    });

    const input = encodeURIComponent(JSON.stringify({ regionId: region.id, limit: 20 }));
    const urls = {
      tRPC: `${BASE}/api/trpc/groupBuys.list?input=${input}`,
      bare: `${BASE}/api/bench/groupBuys.list?input=${input}`,
    };
    const headers = { authorization: `Bearer ${token}` };
    // Same answer both ways, or the comparison is meaningless.
    const viaTrpc = (await (await fetch(urls.tRPC, { headers })).json()) as { result: { data: { items: unknown[] } } };
    const viaBare = (await (await fetch(urls.bare, { headers })).json()) as { items: unknown[] };
    const items = viaTrpc.result.data.items.length;
    if (JSON.stringify(viaTrpc.result.data) !== JSON.stringify(viaBare))
      throw new Error("tRPC and bare answers differ");
    if (items === 0) throw new Error(`no open group buys in ${region.id}: the demo seed changed`);

    const run = async (url: string, duration: number) => {
      const r = await autocannon({ url, headers, connections: CONNECTIONS, duration });
      if (r.errors || r.non2xx) throw new Error(`${url}: ${r.errors} errors, ${r.non2xx} non-2xx responses`);
      return r;
    };
    await run(urls.tRPC, 2); // warm-up, not measured
    await run(urls.bare, 2);
    // Alternating rounds, so a neighbour's load spike on this shared machine hits both paths alike.
    const rounds: Record<"tRPC" | "bare", Awaited<ReturnType<typeof run>>[]> = { tRPC: [], bare: [] };
    const per = Math.max(1, Math.round(SECONDS / ROUNDS));
    for (let i = 0; i < ROUNDS; i++) {
      rounds.tRPC.push(await run(urls.tRPC, per));
      rounds.bare.push(await run(urls.bare, per));
    }
    const sum = (rs: typeof rounds.tRPC) => {
      const total = rs.reduce((n, r) => n + r.requests.total, 0);
      const seconds = rs.reduce((n, r) => n + r.duration, 0);
      const median = (f: (r: (typeof rs)[number]) => number) =>
        rs.map(f).sort((a, b) => a - b)[Math.floor(rs.length / 2)];
      return {
        requests: { average: total / seconds, total },
        latency: { p50: median((r) => r.latency.p50), p99: median((r) => r.latency.p99) },
      };
    };
    const trpc = sum(rounds.tRPC);
    const bare = sum(rounds.bare);

    console.log(`\nread API benchmark — groupBuys.list (${items} open buys in ${region.nameEn}) on wrangler dev`);
    console.log(
      `machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? "unknown"}), load ${loadavg()[0].toFixed(2)}, node ${process.version}`,
    );
    console.log(`autocannon: ${CONNECTIONS} connections, ${ROUNDS} alternating rounds, ${SECONDS} s per path\n`);
    console.log("path   req/s    p50 ms  p99 ms  requests");
    for (const [name, r] of [
      ["tRPC", trpc],
      ["bare", bare],
    ] as const) {
      console.log(
        `${name.padEnd(6)} ${r.requests.average.toFixed(0).padEnd(8)} ${r.latency.p50.toFixed(1).padEnd(7)} ${r.latency.p99.toFixed(1).padEnd(7)} ${r.requests.total}`,
      );
    }
    const ratio = trpc.requests.average / bare.requests.average;
    console.log(
      `\ntRPC / bare req/s: ${ratio.toFixed(2)}× (tRPC overhead ${((1 - ratio) * 100).toFixed(1)}% of throughput)`,
    );
    writeResult("read", [
      row("groupBuys.list via tRPC (vs bare Hono route)", trpc.requests.average, "req/s", bare.requests.average),
      row("groupBuys.list p99 via tRPC (vs bare)", trpc.latency.p99, "ms", bare.latency.p99),
      row("groupBuys.list p50 via tRPC (vs bare)", trpc.latency.p50, "ms", bare.latency.p50),
    ]);
  } finally {
    await stop();
  }
}

await main();
