declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** A queue nobody consumes (vitest.config.ts). */
    RECORDED_JOBS: Queue;
    FUZZ_RUNS: string;
    FUZZ_SEED: string;
    SIM_RUNS: string;
    SIM_SEED: string;
    SIM_PATH: string;
    PLATFORM_BUYERS: string;
    GROUP_COMMIT_JOINS: string;
    JOIN_COST_LOG: string;
  }
}
