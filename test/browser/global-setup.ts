import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { stopDevServer, waitForHealth } from "../../scripts/lib/local.ts";
import { ROOT, spawnNode } from "../../scripts/lib/proc.ts";
import { findChromium, launchChromiumServer } from "./lib/chromium.ts";
import { freePort } from "./lib/ports.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Origin of the wrangler dev server under test, e.g. http://localhost:8820; "" when browser tests are skipped. */
    baseUrl: string;
    chromiumPath: string | null;
    /** The run's one Chromium (launched here): each file connects to it instead of launching its own. */
    chromiumEndpoint: string;
  }
}

/**
 * Runs `npm start`'s own script (client build, migrations, seed, wrangler dev) on a free port with a throw-away local
 * state directory, so browser tests see exactly what a developer gets and never touch .wrangler/state.
 */
export default async function setup(project: TestProject) {
  const chromiumPath = findChromium();
  if (!chromiumPath) {
    if (process.env.CI) throw new Error("Browser tests need Chromium in CI: apt-get install -y chromium");
    console.warn("\n⚠ Skipping browser tests: no chromium binary on PATH (apt-get install -y chromium).\n");
    project.provide("chromiumPath", null);
    project.provide("chromiumEndpoint", "");
    project.provide("baseUrl", "");
    return;
  }

  const persistTo = mkdtempSync(path.join(os.tmpdir(), "gonggu-browser-"));
  // BROWSER_TEST_PORTS="8850-8859" moves the server out of the default range when several people test at once.
  const [from, to] = (process.env.BROWSER_TEST_PORTS ?? "8820-8829").split("-").map(Number);
  const port = await freePort(from ?? 8820, to ?? from ?? 8829);
  const baseUrl = `http://localhost:${port}`;
  mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
  const logFile = path.join(ROOT, "test-results", "browser-server.log");
  const log = createWriteStream(logFile);

  const server = spawnNode(path.join(ROOT, "scripts/start.ts"), ["--port", String(port), "--persist-to", persistTo], {
    capture: true,
    detached: true,
  });
  server.stdout?.pipe(log);
  server.stderr?.pipe(log);

  // Chromium starts while the server builds, migrates and seeds (~1 s of each file's time when each launched its own).
  const chromium = launchChromiumServer(chromiumPath);
  const stop = async () => {
    await (await chromium.catch(() => undefined))?.close();
    await stopDevServer(server); // the group we started: start.ts, wrangler, workerd
    log.end();
    rmSync(persistTo, { recursive: true, force: true });
  };

  let chromiumEndpoint: string;
  try {
    await waitForHealth(baseUrl, server, 180_000);
    chromiumEndpoint = (await chromium).wsEndpoint();
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}; see ${path.relative(ROOT, logFile)}`);
  }
  project.provide("chromiumPath", chromiumPath);
  project.provide("chromiumEndpoint", chromiumEndpoint);
  project.provide("baseUrl", baseUrl);
  return stop;
}
