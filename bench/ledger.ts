/**
 * npm run bench:ledger — ledger throughput on local D1 (wrangler dev, temp persist dir, port 8830).
 *
 * Measures, with many concurrent users and in the same run:
 *   ledger hold   placeHold: double-entry pending transfer(s), trigger-maintained balances, CHECK overdraft guard
 *   ledger post   postHold into a group-buy escrow
 *   naive hold    one in-place `UPDATE balance ... WHERE balance - held >= amount` (the baseline we refuse to ship)
 *   naive post    one in-place UPDATE
 * and prints ops/s, latency percentiles and the ledger/naive ratio, plus the machine's core count. Then it checks
 * the ledger book reconciles (Σ = 0, cached balances = rows).
 *
 * Bounded: BENCH_OPS (default 2000) operations per phase, BENCH_CONCURRENCY (32) in flight, BENCH_SECONDS (60) per
 * phase at most, BENCH_USERS (200) users. localhost only.
 */
import { availableParallelism, cpus } from "node:os";
import { row, writeResult } from "./lib/results.ts";
import { d1BenchConfig, startBenchServer } from "./lib/server.ts";

const PORT = Number(process.env.BENCH_PORT ?? 8830);
const OPS = Number(process.env.BENCH_OPS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const USERS = Number(process.env.BENCH_USERS ?? 200);
const BASE = `http://127.0.0.1:${PORT}`;

async function call(path: string, body: Record<string, string | number>): Promise<boolean> {
  const res = await fetch(`${BASE}${path}`, { method: "POST", body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res.ok;
}

interface PhaseResult {
  name: string;
  ok: number;
  failed: number;
  seconds: number;
  opsPerSec: number;
  p50: number;
  p99: number;
}

async function phase(name: string, count: number, op: (i: number) => Promise<boolean>): Promise<PhaseResult> {
  const latencies: number[] = [];
  let next = 0;
  let ok = 0;
  let failed = 0;
  const start = performance.now();
  const deadline = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count && performance.now() < deadline) {
        const i = next++;
        const t = performance.now();
        if (await op(i)) ok++;
        else failed++;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { name, ok, failed, seconds, opsPerSec: ok / seconds, p50: pct(0.5), p99: pct(0.99) };
}

async function main() {
  const { stop } = await startBenchServer({
    name: "ledger",
    port: PORT,
    config: d1BenchConfig("ledger", "bench/worker/ledger.ts"),
    healthPath: "/health",
  });
  try {
    const book = `bench-${Date.now().toString(36)}`;
    await call("/setup", { book, users: USERS, amount: 100_000_000 });
    const user = (i: number) => `u${i % USERS}`;
    // warm-up (not measured): compile paths, fill caches
    await phase("warm-up", 100, (i) => call("/naive/hold", { book, userId: user(i), amount: 1 }));
    await phase("warm-up", 100, (i) => call("/hold", { book, userId: user(i), holdId: `w:${i}`, amount: 1 }));

    const results = [
      await phase("ledger hold", OPS, (i) => call("/hold", { book, userId: user(i), holdId: `h:${i}`, amount: 100 })),
      await phase("naive hold", OPS, (i) => call("/naive/hold", { book, userId: user(i), amount: 100 })),
    ];
    const held = results[0].ok;
    results.push(
      await phase("ledger post", held, (i) => call("/post", { book, holdId: `h:${i}`, gb: `gb${i % 10}` })),
      await phase("naive post", results[1].ok, (i) => call("/naive/post", { book, userId: user(i), amount: 100 })),
    );
    const check = (await (await fetch(`${BASE}/check`, { method: "POST", body: JSON.stringify({ book }) })).json()) as {
      clean: boolean;
      accounts: number;
      transfers: number;
    };

    console.log(`\nledger benchmark — local D1 via wrangler dev, ${USERS} users, ${CONCURRENCY} in flight`);
    console.log(
      `machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? "unknown"}), node ${process.version}\n`,
    );
    console.log("phase          ok     failed  seconds  ops/s    p50 ms  p99 ms");
    for (const r of results) {
      console.log(
        `${r.name.padEnd(14)} ${String(r.ok).padEnd(6)} ${String(r.failed).padEnd(7)} ${r.seconds.toFixed(2).padEnd(8)} ${r.opsPerSec.toFixed(0).padEnd(8)} ${r.p50.toFixed(1).padEnd(7)} ${r.p99.toFixed(1)}`,
      );
    }
    const ratio = (a: PhaseResult, b: PhaseResult) => (a.opsPerSec / b.opsPerSec).toFixed(2);
    console.log(
      `\nledger/naive throughput: hold ${ratio(results[0], results[1])}×, post ${ratio(results[2], results[3])}×`,
    );
    console.log(
      `reconciliation after the run: ${check.clean ? "clean" : "MISMATCH"} (${check.accounts} accounts, ${check.transfers} transfers)`,
    );
    const [hold, naiveHold, post, naivePost] = results;
    writeResult("ledger", [
      row("ledger hold throughput (vs naive UPDATE)", hold.opsPerSec, "ops/s", naiveHold.opsPerSec),
      row("ledger hold p99 (vs naive)", hold.p99, "ms", naiveHold.p99),
      row("ledger post throughput (vs naive UPDATE)", post.opsPerSec, "ops/s", naivePost.opsPerSec),
      row("ledger post p99 (vs naive)", post.p99, "ms", naivePost.p99),
      row("reconciliation clean", check.clean ? 1 : 0, "bool"),
    ]);
    if (!check.clean || results.some((r) => r.failed > 0)) process.exitCode = 1;
  } finally {
    await stop();
  }
}

await main();
