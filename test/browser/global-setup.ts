import type { TestProject } from "vitest/node";
import { shareAppServer } from "./lib/app-server.ts";
import { findChromium, launchChromiumServer } from "./lib/chromium.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Origin of the wrangler dev server under test, e.g. http://localhost:8820; "" when browser tests are skipped. */
    baseUrl: string;
    chromiumPath: string | null;
    /** The run's one Chromium (launched here): each file connects to it instead of launching its own. */
    chromiumEndpoint: string;
    /** The server's local state directory: a test may write a row no API makes (browser/lib/harness.ts runSql). */
    persistTo: string;
  }
}

/**
 * The run's app server (./lib/app-server.ts: `npm start`'s own script on a free port with throw-away state, shared
 * with the sdk project) and one Chromium for every browser file.
 */
export default async function setup(project: TestProject) {
  const chromiumPath = findChromium();
  if (!chromiumPath) {
    if (process.env.CI) throw new Error("Browser tests need Chromium in CI: apt-get install -y chromium");
    console.warn("\n⚠ Skipping browser tests: no chromium binary on PATH (apt-get install -y chromium).\n");
    project.provide("chromiumPath", null);
    project.provide("chromiumEndpoint", "");
    project.provide("baseUrl", "");
    project.provide("persistTo", "");
    return;
  }

  // Chromium starts while the server builds, migrates and seeds (~1 s of each file's time when each launched its own).
  const chromium = launchChromiumServer(chromiumPath);
  const { server, release } = await shareAppServer();
  const stop = async () => {
    await (await chromium.catch(() => undefined))?.close();
    await release();
  };

  let chromiumEndpoint: string;
  try {
    await server.ready;
    chromiumEndpoint = (await chromium).wsEndpoint();
  } catch (e) {
    await stop();
    throw e;
  }
  project.provide("chromiumPath", chromiumPath);
  project.provide("chromiumEndpoint", chromiumEndpoint);
  project.provide("baseUrl", server.baseUrl);
  project.provide("persistTo", server.persistTo);
  return stop;
}
