import { mkdirSync } from "node:fs";
import path from "node:path";
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, inject } from "vitest";
import { FEED_REGION_KEY, SIGNED_IN_KEY } from "../../../client/src/lib/bootKeys.ts";
import { randomClientIp } from "../../../scripts/lib/clientIp.ts";
import { executeLocalSql } from "../../../scripts/lib/d1-local.ts";
import { ROOT } from "../../../scripts/lib/proc.ts";
import { DEMO_PASSWORD } from "../../../scripts/seed/demo-data.ts";
import { createGongguClient, type GongguClient } from "../../../shared/sdk.ts";
import { readCookie, SESSION_COOKIE } from "../../../worker/accounts/sessions.ts";
import { PHONE, watchConsole } from "./page.ts";

/** Origin of the wrangler dev server the global setup started; "" when browser tests are skipped. */
export const baseUrl = inject("baseUrl");
/** null: no Chromium here, the browser suites skip (`describe.skipIf(!chromiumPath)`). */
export const chromiumPath = inject("chromiumPath");

/**
 * expect.poll options for a wait on the server's queue (a settlement or reward job: seconds in wrangler dev): asked
 * every 250 ms instead of vitest's 50, which only loaded the server with requests while the job had not run yet.
 */
export const QUEUE_WAIT = { timeout: 20_000, interval: 250 };

const SHOTS = path.join(ROOT, "test-results", "browser");

/** A full-page screenshot of a key screen under test-results/browser/, for a person to look at. */
export const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

/**
 * The calling test file's connection to the run's Chromium (the global setup launched it; connected before the file's
 * tests, and closing it after them closes every context the file made; call it inside `describe`), and `open()` for a
 * fresh context and page whose console errors and warnings are collected in `problems`.
 */
export function useChromium() {
  let launched: Browser | undefined;
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    launched = await chromium.connect(inject("chromiumEndpoint"), { timeout: 30_000 });
  }, 45_000);
  afterAll(async () => {
    await launched?.close();
  });
  const browser = () => {
    if (!launched) throw new Error("Chromium is launched in beforeAll; use it inside a test");
    return launched;
  };
  return {
    browser,
    /** A phone-sized context unless `options` say otherwise. */
    async open(options: BrowserContextOptions = {}) {
      const context = await browser().newContext({ viewport: PHONE, ...options });
      const page = await context.newPage();
      return { context, page, problems: watchConsole(page) };
    },
    /**
     * `open()` already logged in as `email`, with no page loaded: the test's first page load is the page it is about.
     * A test about the login screen or the way from it uses logInAs instead.
     */
    async openAs(email: string, password = DEMO_PASSWORD, options: BrowserContextOptions = {}) {
      return this.open({ ...options, storageState: await signedInState(email, password) });
    },
  };
}

/**
 * An anonymous SDK client at an address of its own, like a new person signing up: sign-ups are limited per network,
 * and every test's sign-up from the one 127.0.0.1 would be one network signing up the whole suite.
 */
export function newcomerSdk(): GongguClient {
  return createGongguClient({ url: baseUrl, headers: { "cf-connecting-ip": randomClientIp() } });
}

/** An SDK client logged in with a bearer token (demo accounts share DEMO_PASSWORD). */
export async function sdkAs(email: string, password = DEMO_PASSWORD): Promise<GongguClient> {
  const { token } = await createGongguClient({ url: baseUrl }).auth.login.mutate({
    email,
    password,
    tokenKind: "bearer",
  });
  return createGongguClient({ url: baseUrl, token: token! });
}

/**
 * What a browser holds after logging in on the login screen (client/src/lib/session.ts): the cookie session auth.login
 * sets for a request from the app's origin, the "signed in" flag, and the verified neighbourhood whose feed it shows.
 */
export async function signedInState(
  email: string,
  password = DEMO_PASSWORD,
): Promise<BrowserContextOptions["storageState"]> {
  let value: string | undefined;
  const sdk = createGongguClient({
    url: baseUrl,
    headers: { origin: baseUrl },
    // Node's fetch keeps no cookies: take the session from auth.login's answer and send it with auth.me.
    fetch: async (input, init) => {
      const headers = new Headers(init?.headers);
      if (value) headers.set("cookie", `${SESSION_COOKIE}=${value}`);
      const res = await fetch(input, { ...init, headers });
      value ??= readCookie(res.headers.get("set-cookie"), SESSION_COOKIE);
      return res;
    },
  });
  const { expiresAt } = await sdk.auth.login.mutate({ email, password, tokenKind: "cookie" });
  if (!value) throw new Error(`auth.login set no ${SESSION_COOKIE} cookie`);
  const me = await sdk.auth.me.query();
  const region = me.verification?.current ? [{ name: FEED_REGION_KEY, value: me.homeRegionId! }] : [];
  return {
    // As the server sets it: a __Host- cookie is Secure, Path=/ and host-only (a domain without a leading dot).
    cookies: [
      {
        name: SESSION_COOKIE,
        value,
        domain: new URL(baseUrl).hostname,
        path: "/",
        expires: Math.floor(expiresAt / 1000),
        httpOnly: true,
        secure: true,
        sameSite: "Lax",
      },
    ],
    origins: [{ origin: baseUrl, localStorage: [{ name: SIGNED_IN_KEY, value: "1" }, ...region] }],
  };
}

/**
 * Logs the page in through the login screen and waits for the app's main menu: for a test whose point is that way in
 * (a test that only needs someone signed in starts so with `openAs` or `signedInState`, a page load less).
 */
export async function logInAs(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("이메일").fill(email);
  await page.getByLabel("비밀번호").fill(password);
  await page.getByRole("button", { name: "로그인" }).click();
  await page.getByRole("navigation", { name: /주요 메뉴|Main menu/ }).waitFor();
}

/**
 * Runs SQL on the server's own local D1 (one batch), for a state no API may make, such as a payout the daily batch
 * held for an operator. The server keeps running; SQLite serialises the two writers.
 */
export async function runSql(sql: string): Promise<void> {
  const results = await executeLocalSql("browser test SQL", sql, ["--persist-to", inject("persistTo")]);
  if (!results.every((r) => r.success)) throw new Error(`SQL failed: ${JSON.stringify(results)}`);
}
