import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");

/** Wrangler never phones home from our scripts and tests: no telemetry, no request.cf lookup. */
export const OFFLINE_ENV = { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

/**
 * The JS entry of a package's bin. We run it with process.execPath (the project's Node 22) instead of the
 * node_modules/.bin shim, whose `#!/usr/bin/env node` could pick the machine's older Node.
 */
export function binPath(pkg: string, bin = pkg): string {
  const dir = path.join(ROOT, "node_modules", pkg);
  const json = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
    bin: string | Record<string, string>;
  };
  const rel = typeof json.bin === "string" ? json.bin : json.bin[bin];
  if (!rel) throw new Error(`${pkg} has no bin named ${bin}`);
  return path.join(dir, rel);
}

export interface SpawnOptions {
  /** Give the child our terminal's stdin. Off by default: wrangler then never stops at a confirmation prompt. */
  interactive?: boolean;
  /** Capture stdout/stderr instead of showing them. */
  capture?: boolean;
  /** Own process group, so the caller can end the whole tree (wrangler → workerd) by its id. */
  detached?: boolean;
  env?: Record<string, string>;
}

/** Starts `node <script> ...args` in the repo root with the offline wrangler environment. */
export function spawnNode(script: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const out = options.capture ? "pipe" : "inherit";
  return spawn(process.execPath, [script, ...args], {
    cwd: ROOT,
    stdio: [options.interactive ? "inherit" : "ignore", out, out],
    env: { ...process.env, ...OFFLINE_ENV, ...options.env },
    detached: options.detached,
  });
}

export function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode ?? 128);
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Runs a script to completion with its output shown; throws naming the step when it fails. */
export async function runScript(label: string, script: string, args: string[]): Promise<void> {
  const code = await exitOf(spawnNode(script, args));
  if (code !== 0) throw new Error(`${label} failed (exit code ${code})`);
}

/** Runs a script to completion and returns its stdout (stderr is shown); throws when it fails. */
export async function captureScript(label: string, script: string, args: string[]): Promise<string> {
  const child = spawnNode(script, args, { capture: true });
  let stdout = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.pipe(process.stderr);
  const code = await exitOf(child);
  if (code !== 0) throw new Error(`${label} failed (exit code ${code})\n${stdout}`);
  return stdout;
}

export const wrangler = (label: string, args: string[]) => runScript(label, binPath("wrangler"), args);
export const captureWrangler = (label: string, args: string[]) => captureScript(label, binPath("wrangler"), args);
