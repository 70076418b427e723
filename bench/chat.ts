/**
 * npm run bench:chat — one group-buy chat room with 1,000 WebSocket clients at a fixed message rate, on `wrangler dev`
 * (localhost), against Cloudflare's workers-chat-demo under the same load in the same run.
 *
 *   gonggu  worker/index.ts on port 8870: GroupBuyRoom chat (hibernation API, SQLite history, batched fan-out)
 *   peer    /work/shared/peers/workers-chat-demo, copied to a temp dir OUTSIDE the repo and run unmodified with the
 *           project's wrangler on port 8871. Its rate limiter keys on CF-Connecting-IP and allows a burst of 4 then
 *           one message per 5 s per IP, so every client gets its own fake IP header (10.x.y.z) and sends well under
 *           that: no sender is throttled (throttled frames are counted and printed).
 *
 * Every client is a sender: each tick (10 ms) the next clients in turn send one message whose text is the send time
 * (performance.now()). Every client records, for every message it receives, now − sent: delivery latency. Prints, per
 * target: messages sent, deliveries/s (over the measured window), p50/p99 delivery latency, delivered fraction;
 * then the ratio gonggu/peer. Both servers and the load generator share this machine (cores printed).
 *
 * Bounded: BENCH_CLIENTS (1000) clients, BENCH_RATE (100) messages/s, BENCH_SECONDS (10) measured after a 2 s
 * warm-up, 3 s drain. Env BENCH_ONLY=gonggu|peer runs one side.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_S = 2;
const DRAIN_S = 3;
const TICK_MS = 10;
const ONLY = process.env.BENCH_ONLY;
const ROOT = resolve(import.meta.dirname, "..");
const PEER_SRC = process.env.BENCH_PEER_DIR ?? "/work/shared/peers/workers-chat-demo";
const WRANGLER = join(ROOT, "node_modules/.bin/wrangler");
const ENV = {
  ...process.env,
  PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH}`,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  CI: "1",
};

/** What differs between the two servers: how to connect, what to send, how to read deliveries. */
interface Target {
  name: string;
  url: (i: number) => string;
  headers: (i: number) => Record<string, string>;
  /** Frames to send right after open, and the frame that says the client may start (null = open is enough). */
  hello: (i: number) => string[];
  isReady: (frame: Record<string, unknown>) => boolean;
  message: (text: string) => string;
  /** The message texts carried by one received frame ([] for anything else). */
  texts: (frame: Record<string, unknown>) => string[];
  isThrottled: (frame: Record<string, unknown>) => boolean;
}

interface Result {
  name: string;
  sent: number;
  deliveries: number;
  expected: number;
  deliveriesPerSec: number;
  p50: number;
  p99: number;
  throttled: number;
  errors: number;
  frames: number;
}

function startWrangler(args: string[], cwd: string, port: number): { child: ChildProcess; log: () => string } {
  const child = spawn(WRANGLER, ["dev", ...args, "--port", String(port), "--ip", "127.0.0.1"], {
    cwd,
    env: ENV,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const stop = () => {
    if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
  };
  process.on("exit", stop);
  return { child, log: () => log };
}

async function waitFor(url: string, child: ChildProcess, log: () => string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}\n${log().slice(-3000)}`);
    try {
      const res = await fetch(url, { method: "POST" });
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not come up in time\n${log().slice(-3000)}`);
}

function stopWrangler(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (!child.pid || child.exitCode !== null) return done();
    child.once("exit", () => done());
    process.kill(-child.pid, "SIGTERM");
    setTimeout(() => {
      if (child.exitCode === null && child.pid) process.kill(-child.pid, "SIGKILL");
      done();
    }, 5_000);
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Connects every client (a few at a time), runs the load, collects latencies. */
async function runLoad(target: Target): Promise<Result> {
  const sockets: WebSocket[] = new Array(CLIENTS);
  let latencies = new Float64Array(1 << 20);
  let count = 0;
  let measuring = false;
  let windowStart = 0;
  let windowEnd = Number.POSITIVE_INFINITY;
  let throttled = 0;
  let errors = 0;
  let frames = 0;
  const record = (sentAt: number, now: number) => {
    // Only messages sent inside the measured window count, whenever they arrive (up to the drain).
    if (!measuring || sentAt < windowStart || sentAt > windowEnd) return;
    if (count === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[count++] = now - sentAt;
  };

  const open = (i: number) =>
    new Promise<void>((ready, fail) => {
      const ws = new WebSocket(target.url(i), { headers: target.headers(i) } as unknown as string[]);
      const timer = setTimeout(() => fail(new Error(`client ${i} not ready in 30 s`)), 30_000);
      let isReady = false;
      ws.onopen = () => {
        for (const f of target.hello(i)) ws.send(f);
      };
      ws.onerror = () => {
        errors++;
        if (!isReady) fail(new Error(`client ${i} failed to connect`));
      };
      ws.onmessage = (e) => {
        const now = performance.now();
        frames++;
        const frame = JSON.parse(String(e.data)) as Record<string, unknown>;
        if (!isReady && target.isReady(frame)) {
          isReady = true;
          clearTimeout(timer);
          ready();
        }
        if (target.isThrottled(frame)) throttled++;
        for (const text of target.texts(frame)) {
          const sentAt = Number(text.split(":")[1]);
          if (Number.isFinite(sentAt)) record(sentAt, now);
        }
      };
      sockets[i] = ws;
    });

  for (let i = 0; i < CLIENTS; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, CLIENTS - i) }, (_, k) => open(i + k)));
  }
  throttled = 0;
  errors = 0;
  frames = 0;

  // Fixed rate: every tick, send what is due by elapsed time (timer jitter never lowers the offered rate).
  let sent = 0;
  let sentInWindow = 0;
  let next = 0;
  const startedAt = performance.now();
  windowStart = startedAt + WARMUP_S * 1000;
  windowEnd = windowStart + SECONDS * 1000;
  measuring = true;
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      if (now >= windowEnd) return done();
      const due = Math.floor(((now - startedAt) / 1000) * RATE);
      while (sent < due) {
        const ws = sockets[next];
        next = (next + 1) % CLIENTS;
        const at = performance.now();
        ws.send(target.message(`b:${at.toFixed(3)}:${next}`));
        sent++;
        if (at >= windowStart) sentInWindow++;
      }
      setTimeout(tick, TICK_MS);
    };
    tick();
  });
  await new Promise((r) => setTimeout(r, DRAIN_S * 1000));
  measuring = false;
  for (const ws of sockets) ws.close();
  const sorted = latencies.slice(0, count).sort();
  return {
    name: target.name,
    sent: sentInWindow,
    deliveries: count,
    expected: sentInWindow * CLIENTS,
    deliveriesPerSec: count / SECONDS,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    throttled,
    errors,
    frames,
  };
}

// ---- the peer: workers-chat-demo, unmodified, from a temp copy ------------------------------------------------------

const PEER_PORT = 8871;

function peerTarget(room: string): Target {
  return {
    name: "workers-chat-demo",
    url: () => `ws://127.0.0.1:${PEER_PORT}/api/room/${room}/websocket`,
    // one fake client IP each: the demo's limiter is per IP (see the header comment)
    headers: (i) => ({ "CF-Connecting-IP": `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` }),
    hello: (i) => [JSON.stringify({ name: `c${i}` })],
    isReady: (f) => f.ready === true,
    message: (text) => JSON.stringify({ message: text }),
    texts: (f) => (typeof f.message === "string" && typeof f.name === "string" ? [f.message] : []),
    isThrottled: (f) => typeof f.error === "string",
  };
}

async function benchPeer(): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "chat-demo-peer-"));
  try {
    cpSync(join(PEER_SRC, "src"), join(dir, "src"), { recursive: true });
    cpSync(join(PEER_SRC, "wrangler.toml"), join(dir, "wrangler.toml"));
    const { child, log } = startWrangler(
      ["--inspector-port", String(PEER_PORT + 2), "--persist-to", join(dir, "state")],
      dir,
      PEER_PORT,
    );
    try {
      await waitFor(`http://127.0.0.1:${PEER_PORT}/api/room`, child, log);
      return await runLoad(peerTarget(`bench${Date.now().toString(36)}`));
    } finally {
      await stopWrangler(child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(r: Result) {
  const pct = ((100 * r.deliveries) / r.expected).toFixed(1);
  console.log(
    `${r.name.padEnd(20)} sent ${String(r.sent).padStart(6)}  deliveries/s ${r.deliveriesPerSec.toFixed(0).padStart(7)}` +
      `  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(7)} ms  delivered ${pct}%` +
      `  frames ${r.frames}  throttled ${r.throttled}  errors ${r.errors}`,
  );
}

async function main() {
  console.log(
    `bench:chat — ${CLIENTS} clients, ${RATE} msg/s for ${SECONDS} s (after ${WARMUP_S} s warm-up), ` +
      `${availableParallelism()} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}`,
  );
  const results: Result[] = [];
  if (ONLY !== "peer") {
    const r = await benchGonggu();
    print(r);
    results.push(r);
  }
  if (ONLY !== "gonggu") {
    const r = await benchPeer();
    print(r);
    results.push(r);
  }
  if (results.length === 2) {
    const [ours, peer] = results;
    console.log(
      `ratio deliveries/s gonggu/peer = ${(ours.deliveriesPerSec / peer.deliveriesPerSec).toFixed(2)}×` +
        `  (target ≥ 1.5× with p99 < 100 ms; gonggu p99 ${ours.p99.toFixed(1)} ms)`,
    );
  }
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

async function benchGonggu(): Promise<Result> {
  throw new Error("not yet");
}
