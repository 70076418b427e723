import type { TestProject } from "vitest/node";
import { shareAppServer } from "../browser/lib/app-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Origin of the seeded wrangler dev the SDK test runs against (test/node/sdk-node.test.ts waits until it answers). */
    sdkUrl: string;
  }
}

/**
 * The SDK test runs against the run's app server (test/browser/lib/app-server.ts: migrations, demo seed, wrangler
 * dev), the one the browser files use when they run in the same `vitest run` (`npm test` runs `--project browser
 * --project sdk` together, the sdk file after the browser files); alone it starts that server itself. The test makes
 * its own users and group buys, so what the browser files changed cannot move its numbers. Not waited for here: the
 * test waits for it.
 */
export default async function setup(project: TestProject) {
  const { server, release } = await shareAppServer();
  project.provide("sdkUrl", server.baseUrl);
  return release;
}
