import { execFileSync } from "node:child_process";
import { type Browser, type BrowserServer, chromium } from "playwright-core";

/** Debian's chromium package (apt-get install -y chromium); CHROMIUM_PATH overrides. */
export function findChromium(): string | null {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

// Offline and quiet: no GPU, no QUIC, no sync/update/background traffic, no first-run UI. The sandbox needs user
// namespaces that containers and CI runners as root usually lack.
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const options = (executablePath: string) => ({ executablePath, headless: true, args: FLAGS, timeout: 45_000 });

/**
 * One retry: a fresh-clone run once saw a launch sit for 30 s without Chromium ever answering, and then the whole file
 * failed.
 */
async function withRetry<T>(launch: () => Promise<T>): Promise<T> {
  try {
    return await launch();
  } catch (error) {
    console.warn(`Chromium did not start (${String(error).split("\n")[0]}); trying once more`);
    return await launch();
  }
}

/** Playwright gives every launch a fresh temporary --user-data-dir and removes it on close. */
export const launchChromium = (executablePath: string): Promise<Browser> =>
  withRetry(() => chromium.launch(options(executablePath)));

/** A Chromium that test files connect to (`chromium.connect(server.wsEndpoint())`) instead of each launching one. */
export const launchChromiumServer = (executablePath: string): Promise<BrowserServer> =>
  withRetry(() => chromium.launchServer(options(executablePath)));
