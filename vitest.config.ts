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
                  // fast-check runs per procedure in test/worker/fuzz.test.ts (`npm run test:sim` raises it).
                  FUZZ_RUNS: process.env.FUZZ_RUNS ?? "100",
                  FUZZ_SEED: process.env.FUZZ_SEED ?? "",
                  PASSWORD_PEPPER: "test-pepper",
                  BILLING_KEY_SECRETS: "1:dGVzdC1iaWxsaW5nLWtleS12MS0zMi1ieXRlcy14eHg=",
                },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/worker/**/*.test.ts"],
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
      ],
    },
  };
});
