import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Workers test files that get a runtime of their own (fresh D1, Durable Objects and Queue), because they assert on
 * global state that leftovers of other files would change: crons that walk every row (wallet-cron, recommend,
 * platform-limits; membership-cron, whose daily runs reconcile every ledger book: in the shared runtime their time grew
 * with every file before it), meters of every D1 statement the isolate sends (groupbuy-join-cost, groupbuy-group-commit,
 * groupbuy-fast-path, ledger-books, platform-limits), write counters over every table (fuzz) and platform-wide stats (console: the admin
 * timeline counts every join and charge). Every other workers file shares one workerd.
 */
const ISOLATED_WORKER_FILES = [
  "test/worker/console.test.ts",
  "test/worker/cron-subrequests.test.ts",
  "test/worker/fuzz-0.test.ts",
  "test/worker/fuzz-1.test.ts",
  "test/worker/groupbuy-fast-path.test.ts",
  "test/worker/groupbuy-group-commit.test.ts",
  "test/worker/groupbuy-join-cost.test.ts",
  "test/worker/queue-budget.test.ts",
  "test/worker/ledger-books.test.ts",
  "test/worker/membership-cron.test.ts",
  // its list fixtures are requested payouts: in the shared runtime another file's payout run would pick them up
  "test/worker/payout-admin.test.ts",
  "test/worker/platform-limits.test.ts",
  "test/worker/recommend.test.ts",
  "test/worker/wallet-cron.test.ts",
];

/** workers-isolated and node run as one group, which must share one maxWorkers. */
const ISOLATED_WORKERS = 2;

const SDK_NODE_TEST = "test/node/sdk-node.test.ts";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  const workersPlugin = () =>
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        // wrangler.toml's consumers, with batches that close after 0.2 s instead of 2 and 5: a test that waits on the
        // real queue waited that long at each step of a chain (fill → settle → complete → payout). Tests of what one
        // batch does deliver their batch themselves (payments-helpers.ts `deliver`).
        queueConsumers: {
          "gonggu-jobs": { maxBatchSize: 25, maxBatchTimeout: 0.2, maxRetries: 8, deadLetterQueue: "gonggu-jobs-dlq" },
          "gonggu-jobs-dlq": { maxBatchSize: 25, maxBatchTimeout: 0.2, maxRetries: 10 },
        },
        // a second database for a ledger book moved out of the main one (LEDGER_BOOKS; test/worker/ledger-books.test.ts)
        d1Databases: ["BOOKS_TEST"],
        // a real queue with no consumer: a cron run sends its jobs here so a test delivers them in metered batches
        // itself (test/worker/wallet-cron.test.ts) instead of racing the JOBS consumer
        queueProducers: { RECORDED_JOBS: { queueName: "gonggu-test-recorded" } },
        bindings: {
          TEST_MIGRATIONS: migrations,
          // fast-check runs per procedure in test/worker/fuzz.ts (`npm run test:sim -- --fuzz N` raises it). 50, not 100:
          // each run draws a fresh seed (printed with the counterexample on failure; FUZZ_SEED replays it), so CI runs
          // add up to more inputs than one run of 100 would ever try, for 27 CPU-s less per `npm test`.
          FUZZ_RUNS: process.env.FUZZ_RUNS ?? "50",
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
          // the 지급대행 security key (JWE bodies, webhook signatures); any 64 hex chars
          TOSS_SECURITY_KEY: "e58c052c0a5cf2a41420f727605558c4200ff77522e57a2fddd43e81489d563a",
          // Short, so timeout tests stay fast; the sandbox hangs this + 1 s in timeout_after_success mode.
          PG_TIMEOUT_MS: "1000",
        },
      },
    });
  return {
    test: {
      projects: [
        {
          // Two workerd runtimes for all these files, each running its share one after another (isolate: false, two
          // workers): starting a runtime and applying migrations per file cost more than the tests, and one runtime
          // for all of them made this the longest run of `npm test` (242 → 161 s alone at load 6–7). Each pool worker
          // has its own Miniflare with its own in-memory storage, so the two never see each other's gateway switches.
          // Within a runtime storage is shared, so tests create their own users/regions/group buys and never count
          // global rows; setup.ts resets the global switches (sandbox gateway) before each file.
          // disableConsoleIntercept: logs go straight to workerd's stdout. Through vitest, a log from another I/O context
          // (a Durable Object, a queue batch) is parked until the runner's next message, and one parked after the last
          // message left `vitest run` waiting forever (workers-sdk#15719; idor.test.ts "passed and never exited").
          plugins: [workersPlugin()],
          // groupOrder: a plain `vitest run` runs this batch first, then the projects of group 1 (which may use more
          // workers on a machine with more cores; projects of one group must share maxWorkers). `npm test` runs the
          // batch, the other workers/node files and the browser files as three vitest processes side by side instead
          // (scripts/test.ts).
          test: {
            name: "workers",
            include: ["test/worker/**/*.test.ts"],
            exclude: ISOLATED_WORKER_FILES,
            // Integration tests (HTTP → tRPC → D1/DO/queue); vitest's 5 s unit-test default failed them on a loaded machine.
            testTimeout: 30_000,
            setupFiles: ["./test/worker/setup.ts"],
            isolate: false,
            maxWorkers: 2,
            disableConsoleIntercept: true,
          },
        },
        {
          plugins: [workersPlugin()],
          test: {
            name: "workers-isolated",
            sequence: { groupOrder: 1 },
            // Two files at a time, each in its own runtime: they mostly wait (queue delays, alarms, runtime start), and
            // one at a time made this the longest run of `npm test` (298 s of a 298 s run on 2 cores).
            maxWorkers: ISOLATED_WORKERS,
            include: ISOLATED_WORKER_FILES,
            testTimeout: 30_000,
            setupFiles: ["./test/worker/setup.ts"],
            disableConsoleIntercept: true,
          },
        },
        {
          test: {
            name: "node",
            sequence: { groupOrder: 1 },
            maxWorkers: ISOLATED_WORKERS,
            environment: "node",
            include: ["test/node/**/*.test.ts"],
            exclude: [SDK_NODE_TEST],
            // Files reuse their worker process (each opens its own libSQL database; none mocks modules or sets globals):
            // a fresh process per file, loading vitest, zod and drizzle again, cost 29 → 16 CPU-s for this project.
            isolate: false,
            // Some files start Node or libSQL processes.
            testTimeout: 30_000,
          },
        },
        {
          // The SDK against the browser files' seeded `wrangler dev` (test/browser/lib/app-server.ts, one per run): a
          // project of its own so `npm test` runs it after the browser files, in the same process, which shares the
          // server (its own, 20 CPU-s of migrations, seed and runtime, was the only thing its global setup did).
          test: {
            name: "sdk",
            sequence: { groupOrder: 2 },
            environment: "node",
            include: [SDK_NODE_TEST],
            globalSetup: ["./test/node/sdk-setup.ts"],
            // 5 s failed it beside the workers batch at load 10
            testTimeout: 30_000,
          },
        },
        {
          // Real Chromium against `wrangler dev` started by the global setup (skipped without chromium unless CI).
          test: {
            name: "browser",
            sequence: { groupOrder: 1 },
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
