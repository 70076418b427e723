/**
 * `npm start`: from a fresh clone to the app on http://localhost:8787, offline.
 *   .dev.vars from the example → client build beside local D1 migrations → demo seed → wrangler dev.
 * Options: --port N (default 8787), --persist-to DIR (separate local state, as the browser tests use).
 */
import { parseArgs } from "node:util";
import { buildClient, ensureDevVars, migrateLocal, seedLocal, startDevServer, waitForHealth } from "./lib/local.ts";
import { exitOf } from "./lib/proc.ts";

const { values } = parseArgs({
  options: { port: { type: "string", default: "8787" }, "persist-to": { type: "string" } },
});
const port = Number(values.port);
const state = { persistTo: values["persist-to"] };
const started = performance.now();
const since = () => `${((performance.now() - started) / 1000).toFixed(1)}s`;

async function step(name: string, work: () => unknown | Promise<unknown>) {
  console.log(`\n▶ ${name}`);
  await work();
  console.log(`✓ ${name} (${since()})`);
}

try {
  await step("Local secrets", () => {
    const devVars = ensureDevVars();
    console.log(
      devVars.created
        ? "  created .dev.vars from .dev.vars.example"
        : devVars.added.length
          ? `  added ${devVars.added.join(", ")} to .dev.vars from .dev.vars.example`
          : "  using existing .dev.vars",
    );
  });
  // The build and the database steps touch different things (dist/client; the D1 state) and mostly wait on
  // different work (vite's CPU; wrangler starting a local runtime per migration), so they run side by side.
  await Promise.all([
    step("Build client (vite)", buildClient),
    step("Apply D1 migrations (local)", () => migrateLocal(state)).then(() =>
      step("Seed demo data", () => seedLocal(state)),
    ),
  ]);
} catch (e) {
  console.error(`\n✗ ${(e as Error).message}`);
  process.exit(1);
}

console.log(`\n▶ wrangler dev on http://localhost:${port}`);
const server = startDevServer({ ...state, port, interactive: true });

// Ctrl-C in a terminal reaches wrangler directly (same process group); a signal sent only to us is passed on.
// Either way we stay until wrangler has shut workerd down, then exit with its code.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (server.exitCode === null) server.kill(signal);
  });
}

waitForHealth(`http://localhost:${port}`, server, 120_000).then(
  () => console.log(`\n✓ Gonggu is ready at http://localhost:${port} (${since()}); demo logins are in README.md\n`),
  (e: Error) => console.error(`\n✗ ${e.message}`),
);

process.exit(await exitOf(server));
