import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { OBSERVABILITY_ENV } from "../../../bench/lib/observability.ts";
import { stopDevServer, waitForHealth } from "../../../scripts/lib/local.ts";
import { ROOT, spawnNode } from "../../../scripts/lib/proc.ts";
import { freePort } from "./ports.ts";

export interface AppServer {
  /** e.g. http://localhost:8820 */
  baseUrl: string;
  /** Its local state directory (throw-away): a test may write a row no API makes there (harness.ts runSql). */
  persistTo: string;
  /** Resolves once /api/health answers; rejects (pointing at the log) if the server could not start. */
  ready: Promise<void>;
}

interface Shared {
  server: Promise<AppServer & { stop: () => Promise<void> }>;
  users: number;
}

// On globalThis, not in this module: vitest loads each project's global setup with its own module runner, so a
// module-level variable would be one per project.
const KEY = Symbol.for("gonggu.test.appServer");
const registry = globalThis as unknown as { [KEY]?: Shared };

/**
 * Runs `npm start`'s own script (client build, migrations, seed, wrangler dev) on a free port with a throw-away local
 * state directory, so tests see exactly what a developer gets and never touch .wrangler/state.
 */
async function start(): Promise<AppServer & { stop: () => Promise<void> }> {
  const persistTo = mkdtempSync(path.join(os.tmpdir(), "gonggu-browser-"));
  // BROWSER_TEST_PORTS="8850-8859" moves the server out of the default range when several people test at once.
  const [from, to] = (process.env.BROWSER_TEST_PORTS ?? "8820-8829").split("-").map(Number);
  const port = await freePort(from ?? 8820, to ?? from ?? 8829);
  mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
  const logFile = path.join(ROOT, "test-results", "browser-server.log");
  const log = createWriteStream(logFile);
  const server = spawnNode(path.join(ROOT, "scripts/start.ts"), ["--port", String(port), "--persist-to", persistTo], {
    capture: true,
    detached: true,
    // wrangler dev's local observability off, as for the benches (bench/lib/observability.ts): its tail of every
    // invocation ran on the worker's thread and no test reads it (about a third of the server's CPU in `npm test`)
    env: OBSERVABILITY_ENV,
  });
  server.stdout?.pipe(log);
  server.stderr?.pipe(log);
  const baseUrl = `http://localhost:${port}`;
  const stop = async () => {
    await stopDevServer(server); // the group we started: start.ts, wrangler, workerd
    log.end();
    rmSync(persistTo, { recursive: true, force: true });
  };
  const ready = waitForHealth(baseUrl, server, 180_000).catch((e: Error) => {
    throw new Error(`${e.message}; see ${path.relative(ROOT, logFile)}`);
  });
  ready.catch(() => {}); // a caller that never waits must not leave an unhandled rejection
  return { baseUrl, persistTo, ready, stop };
}

/**
 * The run's one app server, shared by the projects that need it (browser, sdk): the first call starts it, and it
 * stops when every caller has released it. One server instead of one per project saves a wrangler dev, its runtime,
 * the migrations and the seed (about 20 CPU-s of `npm test`); tests that share it create their own users and data.
 */
export async function shareAppServer(): Promise<{ server: AppServer; release: () => Promise<void> }> {
  registry[KEY] ??= { server: start(), users: 0 };
  const shared = registry[KEY];
  shared.users++;
  const server = await shared.server;
  let released = false;
  return {
    server: { baseUrl: server.baseUrl, persistTo: server.persistTo, ready: server.ready },
    async release() {
      if (released) return;
      released = true;
      if (--shared.users > 0) return;
      delete registry[KEY];
      await server.stop();
    },
  };
}
