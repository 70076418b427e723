import type { ChildProcess } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import { migrateLocal as migrateLocalState } from "./migrate.ts";
import { binPath, exitOf, ROOT, runScript, spawnNode } from "./proc.ts";

/** The steps `npm start` and the browser tests share, so the tests exercise exactly what a developer runs. */

const DEV_VARS = path.join(ROOT, ".dev.vars");
const DEV_VARS_EXAMPLE = path.join(ROOT, ".dev.vars.example");

export interface LocalState {
  /** wrangler --persist-to: a separate local D1/DO/queue state (tests use a temp dir); default .wrangler/state. */
  persistTo?: string;
  /** wrangler -c: another config (a bench worker); default the project's wrangler.toml. */
  config?: string;
}

const persistArgs = (state: LocalState) => [
  ...(state.persistTo ? ["--persist-to", state.persistTo] : []),
  ...(state.config ? ["-c", state.config] : []),
];

/**
 * Copies .dev.vars.example to .dev.vars when absent. An existing .dev.vars gets the example's lines for the names it
 * lacks (a pull that adds a secret, such as TOSS_SECURITY_KEY, would otherwise run without it); its own values stay.
 * Returns what it did, for `npm start` to say.
 */
export function ensureDevVars(file = DEV_VARS, exampleFile = DEV_VARS_EXAMPLE): { created: boolean; added: string[] } {
  if (!existsSync(file)) {
    copyFileSync(exampleFile, file);
    return { created: true, added: [] };
  }
  const have = parseEnv(readFileSync(file, "utf8"));
  const example = readFileSync(exampleFile, "utf8");
  const added = Object.keys(parseEnv(example)).filter((name) => !(name in have));
  const lines = example.split("\n").filter((line) => added.some((name) => new RegExp(`^\\s*${name}\\s*=`).test(line)));
  if (lines.length) {
    const text = readFileSync(file, "utf8");
    appendFileSync(file, `${text.endsWith("\n") || text === "" ? "" : "\n"}${lines.join("\n")}\n`);
  }
  return { created: false, added };
}

export function readDevVars(): Record<string, string | undefined> {
  return parseEnv(readFileSync(existsSync(DEV_VARS) ? DEV_VARS : DEV_VARS_EXAMPLE, "utf8"));
}

export const buildClient = () => runScript("vite build", binPath("vite"), ["build", "--logLevel", "warn"]);

/** Applies the pending migrations to the local D1 (a fresh state's in one go: ./migrate.ts). */
export const migrateLocal = (state: LocalState) =>
  migrateLocalState({ persistTo: state.persistTo, args: persistArgs(state) });

export const seedLocal = (state: LocalState) =>
  runScript("seed", path.join(ROOT, "scripts/seed/index.ts"), state.persistTo ? ["--persist-to", state.persistTo] : []);

export interface DevServerOptions extends LocalState {
  port: number;
  /** --ip: benches bind 127.0.0.1 only. */
  ip?: string;
  inspectorPort?: number;
  /** --var NAME:value overrides (bench routes, short queue backoff). */
  vars?: Record<string, string>;
  /** Pass our terminal through (hotkeys, Ctrl-C) — for `npm start`, not for tests. */
  interactive?: boolean;
  /** Own process group so a test can end wrangler and workerd together. */
  detached?: boolean;
  capture?: boolean;
  /** Extra environment for wrangler (e.g. WRANGLER_LOG=debug, which logs the runtime's own address). */
  env?: Record<string, string>;
}

export function startDevServer(options: DevServerOptions): ChildProcess {
  const args = ["dev", "--port", String(options.port), ...persistArgs(options)];
  if (options.ip) args.push("--ip", options.ip);
  if (options.inspectorPort) args.push("--inspector-port", String(options.inspectorPort));
  for (const [name, value] of Object.entries(options.vars ?? {})) args.push("--var", `${name}:${value}`);
  if (!options.interactive) args.push("--show-interactive-dev-session=false");
  return spawnNode(binPath("wrangler"), args, options);
}

/** Polls a health path (default /api/health) until it answers 200; fails early if the server process exits. */
export async function waitForHealth(
  origin: string,
  server: ChildProcess,
  timeoutMs = 60_000,
  healthPath = "/api/health",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`wrangler dev exited (${server.exitCode ?? server.signalCode}) before it was ready`);
    }
    try {
      const res = await fetch(`${origin}${healthPath}`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${origin} did not become healthy within ${timeoutMs / 1000}s`);
}

/** Ends a detached server's whole process group (wrangler → workerd; start.ts too): SIGTERM, SIGKILL after graceMs. */
export async function stopDevServer(server: ChildProcess | undefined, graceMs = 5_000): Promise<void> {
  if (!server?.pid || server.exitCode !== null || server.signalCode !== null) return;
  const group = -server.pid;
  const exited = exitOf(server);
  process.kill(group, "SIGTERM");
  const killer = setTimeout(() => {
    try {
      process.kill(group, "SIGKILL");
    } catch {
      // already gone
    }
  }, graceMs);
  await exited;
  clearTimeout(killer);
}
