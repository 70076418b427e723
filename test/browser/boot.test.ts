import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { DEMO_BUYERS } from "../../scripts/seed/demo-data.ts";
import { baseUrl, chromiumPath, shot, useChromium } from "./lib/harness.ts";
import { watchConsole } from "./lib/page.ts";

/** Every request a page makes from now on, as paths (with the query), in order. */
function record(page: Page): string[] {
  const seen: string[] = [];
  page.on("request", (r) => seen.push(r.url().replace(baseUrl, "")));
  return seen;
}

const api = (seen: string[]) => seen.filter((u) => u.startsWith("/api/trpc/"));
const homeChunk = (seen: string[]) => seen.filter((u) => /^\/assets\/HomePage-[\w-]+\.js$/.test(u));
/** The URLs index.html's boot script asked for (client/boot/early.js). */
const sentEarly = (page: Page) =>
  page.evaluate(() => Object.keys((window as { __gongguEarly?: object }).__gongguEarly ?? {}).sort());
/** The early responses index.html's boot script sent that the app has not taken over (lib/early.ts). */
const untaken = (page: Page) =>
  page.evaluate(() => {
    const early = (window as { __gongguEarly?: Record<string, unknown> }).__gongguEarly ?? {};
    return Object.keys(early).filter((url) => early[url] !== undefined);
  });

describe.skipIf(!chromiumPath)("the boot script in index.html", () => {
  const chromium = useChromium();

  /**
   * A browser that has logged in before opens `path` in a new tab: its requests and console problems are recorded.
   * `before` runs on the new tab before it navigates (routes, init scripts).
   */
  async function signedInVisit(path: string, before?: (cold: Page) => Promise<void>) {
    const { context, page, problems } = await chromium.openAs(DEMO_BUYERS[0].email);
    await page.goto(baseUrl); // as after logging in: the app's files in the browser's cache
    await page.waitForLoadState("networkidle");
    const cold = await context.newPage();
    const seen = record(cold);
    const coldProblems = watchConsole(cold);
    await before?.(cold);
    await cold.goto(`${baseUrl}${path}`);
    return { context, cold, seen, problems: () => [...problems, ...coldProblems] };
  }

  test("a signed-in cold visit to the feed gets the session and the feed with the page, then asks for the suggestions once", async () => {
    const { context, cold, seen, problems } = await signedInVisit("/");
    await cold.getByTestId("feed-item").first().waitFor();
    await cold.getByTestId("suggestion").first().waitFor();
    await shot(cold, "home-cold-boot-ko");
    // The worker answered auth.me and the first feed page inside index.html (worker/web/home.ts): the boot script
    // sent nothing, and the app asked only for what the page did not bring.
    expect(await sentEarly(cold)).toEqual([]);
    expect(api(seen).filter((u) => /auth\.me|groupBuys\.list/.test(u))).toEqual([]);
    expect(api(seen)[0].split("?")[0]).toBe("/api/trpc/recommend.forMe");
    expect(api(seen).length).toBe(new Set(api(seen)).size);
    expect(homeChunk(seen)).toHaveLength(1);
    // Korean users never download the English dictionary.
    expect(seen.filter((u) => /^\/assets\/en-/.test(u))).toEqual([]);
    expect(problems()).toEqual([]);
    await context.close();
  });

  test("the feed is drawn first: a slow suggestions answer never holds it back, and they come after its first cards", async () => {
    // The suggestions' answer is held back 1 s.
    const { context, cold, seen, problems } = await signedInVisit("/", async (page) => {
      await page.route(/\/api\/trpc\/recommend\.forMe/, async (route) => {
        await new Promise((r) => setTimeout(r, 1_000));
        await route.continue();
      });
      await page.addInitScript(() => {
        // When each kind of card, and the suggestions' loading state, first appear in the document.
        const first: Record<string, number> = {};
        (window as unknown as { __first: typeof first }).__first = first;
        const watched = {
          feed: '[data-testid="feed-item"]',
          suggestion: '[data-testid="suggestion"]',
          loading: '[aria-labelledby="suggest-heading"] [aria-busy="true"]',
        };
        new MutationObserver(() => {
          for (const [name, selector] of Object.entries(watched)) {
            if (!(name in first) && document.querySelector(selector)) first[name] = performance.now();
          }
        }).observe(document, { childList: true, subtree: true });
      });
    });
    await cold.getByTestId("suggestion").first().waitFor();
    const first = await cold.evaluate(() => (window as unknown as { __first: Record<string, number> }).__first);
    // The feed did not wait for them; meanwhile their place (below the feed's first cards) said they were loading.
    expect(first.feed).toBeGreaterThan(0);
    expect(first.suggestion - first.feed).toBeGreaterThan(500);
    expect(first.loading).toBeGreaterThanOrEqual(first.feed);
    expect(first.loading).toBeLessThan(first.suggestion);
    // The early answers were still used: nothing asked twice, nothing left over.
    expect(api(seen).length).toBe(new Set(api(seen)).size);
    expect(await untaken(cold)).toEqual([]);

    // In the page: the first FEED_LEAD (3) feed cards, then the suggestions, then the rest of the feed.
    const order = await cold.evaluate(() => {
      const strip = document.querySelector('[data-testid="suggestion"]')!;
      return Array.from(document.querySelectorAll('[data-testid="feed-item"]')).map((card) =>
        card.compareDocumentPosition(strip) & Node.DOCUMENT_POSITION_FOLLOWING ? "before" : "after",
      );
    });
    const lead = Math.min(3, order.length);
    expect(order.slice(0, lead)).toEqual(Array(lead).fill("before"));
    expect(order.slice(lead)).toEqual(Array(order.length - lead).fill("after"));
    await shot(cold, "home-feed-first-ko");
    expect(problems()).toEqual([]);
    await context.close();
  });

  test("other screens get the session early too, and never download the home screen", async () => {
    const { context, cold, seen, problems } = await signedInVisit("/wallet");
    await cold.getByTestId("wallet-available").waitFor();
    expect(api(seen)[0]).toBe(`/api/trpc/auth.me?batch=1&input=${encodeURIComponent("{}")}`);
    expect(await sentEarly(cold)).toEqual([`${baseUrl}${api(seen)[0]}`]);
    expect(api(seen).filter((u) => u.startsWith("/api/trpc/auth.me"))).toHaveLength(1);
    expect(await untaken(cold)).toEqual([]);
    expect(homeChunk(seen)).toEqual([]);

    // An anonymous visitor to "/" lands on the login screen without the home screen's chunk or any early request.
    const anonymous = await chromium.open();
    const anonSeen = record(anonymous.page);
    await anonymous.page.goto(`${baseUrl}/`);
    await anonymous.page.getByRole("heading", { name: "로그인" }).waitFor();
    expect(homeChunk(anonSeen)).toEqual([]);
    expect(api(anonSeen)).toEqual([]);

    expect([...problems(), ...anonymous.problems]).toEqual([]);
    await Promise.all([context.close(), anonymous.context.close()]);
  });

  test("English is downloaded when picked, and on later visits before the first render", async () => {
    const { context, page, problems } = await chromium.openAs(DEMO_BUYERS[0].email);
    await page.goto(baseUrl);
    await page.getByRole("navigation", { name: "주요 메뉴" }).waitFor();
    const seen = record(page);
    await page.getByRole("button", { name: "Switch to English" }).click();
    await page.getByRole("heading", { name: "For you" }).waitFor();
    expect(seen.filter((u) => /^\/assets\/en-[\w-]+\.js$/.test(u))).toHaveLength(1);

    // A later visit renders English from the start: no Korean frame in between.
    const later = await context.newPage();
    const texts: string[] = [];
    await later.exposeFunction("__seen", (t: string) => texts.push(t));
    await later.addInitScript(() => {
      new MutationObserver(() => {
        const heading = document.querySelector("main h2");
        if (heading?.textContent) (window as unknown as { __seen: (t: string) => void }).__seen(heading.textContent);
      }).observe(document, { childList: true, subtree: true, characterData: true });
    });
    await later.goto(`${baseUrl}/`);
    await later.getByRole("heading", { name: "For you" }).waitFor();
    expect(await later.locator("html").getAttribute("lang")).toBe("en");
    // The first heading of the home screen is the feed's: only ever in English.
    expect(texts).toContain("Group buys nearby");
    expect(texts.filter((t) => t === "우리 동네 공구" || t === "추천")).toEqual([]);
    await shot(later, "home-cold-boot-en");

    await page.getByRole("button", { name: "한국어로 보기" }).click();
    await page.getByRole("heading", { name: "추천" }).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });
});
