import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  // fast-check runs per procedure in test/worker/fuzz.ts (`npm run test:sim` raises it).
                  FUZZ_RUNS: process.env.FUZZ_RUNS ?? "100",
                  FUZZ_SEED: process.env.FUZZ_SEED ?? "",
                  PASSWORD_PEPPER: "test-pepper",
                  BILLING_KEY_SECRETS: "1:dGVzdC1iaWxsaW5nLWtleS12MS0zMi1ieXRlcy14eHg=",
                  // model-based ledger simulation: `SIM_RUNS=1000 npm run test:sim`, replay with SIM_SEED
                  SIM_RUNS: process.env.SIM_RUNS ?? "",
                  SIM_SEED: process.env.SIM_SEED ?? "",
                  SIM_PATH: process.env.SIM_PATH ?? "",
                  // buyers of the big group buy in test/worker/platform-limits.test.ts
                  PLATFORM_BUYERS: process.env.PLATFORM_BUYERS ?? "",
                  // concurrent joins in test/worker/groupbuy-group-commit.test.ts (default 60)
                  GROUP_COMMIT_JOINS: process.env.GROUP_COMMIT_JOINS ?? "",
                  // JOIN_COST_LOG=1 prints the D1 round trips of one join (test/worker/groupbuy-join-cost.test.ts)
                  JOIN_COST_LOG: process.env.JOIN_COST_LOG ?? "",
                  TOSS_SECRET_KEY: "test_sk_gonggu_sandbox_test",
                  // Short, so timeout tests stay fast; the sandbox hangs this + 1 s in timeout_after_success mode.
                  PG_TIMEOUT_MS: "1000",
                },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/worker/**/*.test.ts"],
            // Integration tests (HTTP → tRPC → D1/DO/queue); vitest's 5 s unit-test default failed them on a loaded machine.
            testTimeout: 30_000,
            setupFiles: ["./test/worker/setup.ts"],
          },
        },
        {
          test: {
            name: "node",
            environment: "node",
            include: ["test/node/**/*.test.ts"],
          },
        },
        {
          // Real Chromium against `wrangler dev` started by the global setup (skipped without chromium unless CI).
          test: {
            name: "browser",
            environment: "node",
            include: ["test/browser/**/*.test.ts"],
            globalSetup: ["./test/browser/global-setup.ts"],
            testTimeout: 60_000,
            hookTimeout: 60_000,
            // Pages on a loaded machine: wait up to 10 s for visible state (the default 1 s made polls flaky).
            expect: { poll: { timeout: 10_000 } },
          },
        },
      ],
    },
  };
});
