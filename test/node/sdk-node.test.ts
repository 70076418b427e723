import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

// Vitest resolves imports more leniently than Node does; this proves plain Node 22 can load the SDK the way the README
// runs it (`node scripts/sdk-example.ts <url>`): package self-reference, type stripping, explicit .ts extensions.
describe("SDK in plain Node", () => {
  it("loads gonggu/sdk and scripts/sdk-example.ts without a bundler", async () => {
    const code = `
      const sdk = await import("gonggu/sdk");
      const example = await import("./scripts/sdk-example.ts");
      console.log(typeof sdk.createGongguClient, typeof example.runSdkExample);`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", code], { cwd: process.cwd() });
    expect(stdout.trim()).toBe("function function");
  });
});
