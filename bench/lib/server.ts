/**
 * The one way a bench runs a worker: a temp state dir, local D1 migrations (+ the demo seed if asked), `wrangler dev`
 * on 127.0.0.1 through scripts/lib/local.ts (the same steps `npm start` and the browser tests use), a health poll,
 * and a stop that ends wrangler and workerd and removes the temp dir. localhost only. wrangler dev's local
 * observability is off for benches (./observability.ts).
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ensureDevVars,
  type LocalState,
  migrateLocal,
  seedLocal,
  startDevServer,
  stopDevServer,
  waitForHealth,
} from "../../scripts/lib/local.ts";
import { ROOT } from "../../scripts/lib/proc.ts";
import { OBSERVABILITY_ENV } from "./observability.ts";

export interface BenchServerOptions {
  /** Temp dir prefix, e.g. "ledger" → /tmp/gonggu-bench-ledger-XXXX. */
  name: string;
  port: number;
  /** Writes a wrangler config into the temp dir and returns its path; default the project's wrangler.toml. */
  config?: (dir: string) => string;
  /** Run the demo seed after the migrations. */
  seed?: boolean;
  vars?: Record<string, string>;
  healthPath?: string;
  timeoutMs?: number;
  /**
   * Also find the address of the runtime that runs the worker (wrangler logs it at debug level), so a bench can send
   * its load there instead of through wrangler dev's proxy (see `runtimeBase`).
   */
  runtime?: boolean;
}

export interface BenchServer {
  base: string;
  /**
   * With `runtime`: http://host:port of the workerd runtime that runs the worker. `wrangler dev` puts a dev-only
   * proxy (a second workerd process plus wrangler's Node) in front of it that production does not have; load sent
   * here skips that hop. Null when the option was not set.
   */
  runtimeBase: string | null;
  server: ChildProcess;
  stop: () => Promise<void>;
  /**
   * Stops wrangler dev and starts it again on the same state (D1, Durable Objects and the queue's storage stay): a
   * fresh runtime, its isolates' heaps as new. The new process and runtime address replace the old ones.
   */
  restart: () => Promise<{ server: ChildProcess; runtimeBase: string | null }>;
}

/** Keeps the last `limit` characters a child prints (and drains its pipes so it never blocks on a full one). */
function tail(child: ChildProcess, limit = 4_000, onText?: (text: string) => void): () => string {
  let text = "";
  const keep = (d: Buffer | string) => {
    onText?.(String(d));
    text = (text + d).slice(-limit);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => text;
}

export async function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), `gonggu-bench-${options.name}-`));
  const state: LocalState = { persistTo: join(dir, "state"), config: options.config?.(dir) };
  let server: ChildProcess | undefined;
  const kill = () => {
    if (server?.pid && server.exitCode === null && server.signalCode === null) process.kill(-server.pid, "SIGTERM");
  };
  process.on("exit", kill);
  const stop = async () => {
    await stopDevServer(server);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    ensureDevVars();
    // wrangler wants the project's assets dir to exist; the benches do not need the SPA built
    if (!state.config) mkdirSync(join(ROOT, "dist/client"), { recursive: true });
    await migrateLocal(state);
    if (options.seed) await seedLocal(state);
    const launch = async () => {
      server = startDevServer({
        ...state,
        port: options.port,
        ip: "127.0.0.1",
        inspectorPort: options.port + 1,
        vars: options.vars,
        detached: true,
        capture: true,
        // debug logging makes wrangler print the runtime's own address (userWorkerUrl)
        env: options.runtime ? { ...OBSERVABILITY_ENV, WRANGLER_LOG: "debug" } : OBSERVABILITY_ENV,
      });
      const started = server;
      let runtimeBase: string | null = null;
      let pending = "";
      const log = tail(started, 4_000, (text) => {
        if (!options.runtime) return;
        pending = (pending + text).slice(-20_000);
        const all = [...pending.matchAll(/"userWorkerUrl":\{"protocol":"http:","hostname":"([^"]+)","port":"(\d+)"/g)];
        const last = all.at(-1);
        if (last) runtimeBase = `http://${last[1]}:${last[2]}`;
      });
      await waitForHealth(base, started, options.timeoutMs ?? 120_000, options.healthPath).catch((e: Error) => {
        throw new Error(`${e.message}\n${log()}`);
      });
      if (options.runtime) {
        const deadline = Date.now() + 10_000;
        while (!runtimeBase && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        if (!runtimeBase) throw new Error("wrangler did not log the runtime address (userWorkerUrl)");
        await waitForHealth(runtimeBase, started, 10_000, options.healthPath);
      }
      return { server: started, runtimeBase: runtimeBase as string | null };
    };
    const base = `http://127.0.0.1:${options.port}`;
    const first = await launch();
    const restart = async () => {
      await stopDevServer(server);
      return launch();
    };
    return { base, runtimeBase: first.runtimeBase, server: first.server, stop, restart };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** A minimal wrangler.json for a bench worker that needs only the D1 database (with the project's migrations). */
export const d1BenchConfig = (name: string, main: string) => (dir: string) => {
  const path = join(dir, "wrangler.json");
  writeFileSync(
    path,
    JSON.stringify({
      name: `gonggu-bench-${name}`,
      main: join(ROOT, main),
      compatibility_date: "2026-10-20",
      d1_databases: [
        { binding: "DB", database_name: "gonggu", database_id: "bench", migrations_dir: join(ROOT, "migrations") },
      ],
    }),
  );
  return path;
};
