import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { type BenchServer, startBenchServer } from "../../bench/lib/server.ts";
import { ROOT } from "../../scripts/lib/proc.ts";
import { freePort } from "../browser/lib/ports.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Origin of the SDK test's own seeded wrangler dev (test/node/sdk-node.test.ts waits until it answers). */
    sdkUrl: string;
    /** Written when that server failed to start: its error and output tail. */
    sdkServerFailure: string;
  }
}

/** A port for wrangler dev and the next one for its inspector; SDK_TEST_PORTS moves the range (default 8890-8899). */
async function serverPort(): Promise<number> {
  const [from = 8890, to = from + 9] = (process.env.SDK_TEST_PORTS ?? "8890-8899").split("-").map(Number);
  for (let port = from; port < to; port += 2) {
    if ((await freePort(port, port).catch(() => 0)) && (await freePort(port + 1, port + 1).catch(() => 0))) return port;
  }
  throw new Error(`No two free ports in ${from}-${to}; set SDK_TEST_PORTS`);
}

/**
 * Starts the SDK test's server (the bench's: temp state, migrations, demo seed, wrangler dev on 127.0.0.1) without
 * waiting for it. vitest runs every project's global setup before any test file, so in `--project browser --project
 * sdk` the server's ~60 s start (mostly wrangler's migrations) overlaps the browser files, which wait on Chromium and
 * their own server, instead of following them.
 */
export default async function setup(project: TestProject) {
  const port = await serverPort();
  const failure = path.join(ROOT, "test-results", "sdk-server-failure.txt");
  mkdirSync(path.dirname(failure), { recursive: true });
  rmSync(failure, { force: true });
  const starting = startBenchServer({ name: "sdk", port, seed: true }).catch((e: Error): BenchServer | undefined => {
    writeFileSync(failure, e.message);
    return undefined;
  });
  project.provide("sdkUrl", `http://127.0.0.1:${port}`);
  project.provide("sdkServerFailure", failure);
  return async () => {
    await (await starting)?.stop();
  };
}
