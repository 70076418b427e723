import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { ko } from "../../client/src/i18n/ko.ts";
import { FEED_LEAD } from "../../client/src/lib/bootKeys.ts";
import { DEMO_PASSWORD, DEMO_REGIONS, DEMO_SELLERS } from "../../scripts/seed/demo-data.ts";
import { newVerifiedBuyer } from "./lib/buyers.ts";
import { baseUrl, chromiumPath, newcomerSdk, sdkAs, shot, useChromium } from "./lib/harness.ts";
import { offerInSeogyo } from "./lib/offers.ts";
import { watchConsole } from "./lib/page.ts";

/** The session cookie of a fresh cookie login, as a Cookie header. */
async function sessionCookie(email: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/trpc/auth.login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Host-gonggu_session="));
  expect(cookie).toBeTruthy();
  return cookie!.split(";")[0];
}

const home = (cookie?: string) => fetch(`${baseUrl}/`, { headers: cookie ? { cookie } : {} });
const cards = (html: string) => html.match(/data-testid="feed-item"/g)?.length ?? 0;
const bootBlock = (html: string) => /<script type="application\/json" id="gonggu-boot">([^<]*)<\/script>/.exec(html);

/**
 * The worker draws a signed-in buyer's first feed cards into index.html (worker/web/home.ts, shared/feedCard.ts), so a
 * slow phone paints the feed before the app has even downloaded; the app then takes over without asking again.
 */
describe.skipIf(!chromiumPath)("the home page drawn by the worker", () => {
  const chromium = useChromium();

  test("only a signed-in buyer with a verified region gets cards in the HTML: escaped, private, same CSP", async () => {
    // A title a person could type that would be markup if it were not escaped.
    const title = `<img src=x onerror="window.__xss=1"> 'Tom & Jerry' 묶음 ${Date.now()}`;
    const seller = await sdkAs(DEMO_SELLERS[0].email);
    const { groupBuy } = await offerInSeogyo(
      seller,
      { title, category: "fresh", totalQuantity: 4, unit: "kg", totalPrice: 40_000 },
      { totalShares: 4, minShares: 2, maxPerPerson: 2 },
    );
    const buyer = await newVerifiedBuyer("서버카드");
    const anonymous = await home();
    const anonymousHtml = await anonymous.text();
    expect(cards(anonymousHtml)).toBe(0);
    expect(anonymousHtml).not.toMatch(/<html[^>]*data-ssr/);

    const signedIn = await home(await sessionCookie(buyer.email, buyer.password));
    const html = await signedIn.text();
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get("cache-control")).toBe("private, no-store");
    expect(signedIn.headers.get("content-security-policy")).toBe(anonymous.headers.get("content-security-policy"));
    expect(signedIn.headers.get("content-security-policy")).toMatch(/script-src 'self' 'sha256-[^']+';/);
    expect(cards(html)).toBeGreaterThan(0);
    // The newest OPEN buy comes first: its title is text, not markup; only the boot script executes inline.
    expect(html).toContain("&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt; &#39;Tom &amp; Jerry&#39;");
    expect(html).not.toContain('<img src=x onerror="window.__xss=1">');
    expect(html).toContain(`href="/g/${groupBuy.id}"`);
    const boot = bootBlock(html);
    expect(boot).not.toBeNull();
    const data = JSON.parse(boot![1]);
    expect(data.me.id).toBe(buyer.id);
    expect(data.feed.page.items[0].title).toBe(title);

    // Signed in, but no verified neighbourhood: the plain shell (the session answer only), no cards.
    const email = `unverified-${Date.now()}@gonggu.test`;
    await newcomerSdk().auth.signup.mutate({
      email,
      password: DEMO_PASSWORD,
      displayName: "미인증",
    });
    const unverifiedHtml = await (await home(await sessionCookie(email, DEMO_PASSWORD))).text();
    expect(cards(unverifiedHtml)).toBe(0);
    expect(JSON.parse(bootBlock(unverifiedHtml)![1]).feed).toBeNull();
    // …and the app, cold, shows them the way to verify, as it always did.
    const fresh = await chromium.openAs(email, DEMO_PASSWORD);
    const unverifiedCold = await fresh.context.newPage();
    const unverifiedProblems = watchConsole(unverifiedCold);
    await unverifiedCold.goto(`${baseUrl}/`);
    await unverifiedCold.getByRole("link", { name: ko["home.verifyCta"] }).waitFor();
    expect(await unverifiedCold.getByTestId("feed-item").count()).toBe(0);
    expect([...fresh.problems, ...unverifiedProblems]).toEqual([]);
    await fresh.context.close();
    // A cookie that is no session at all: the plain shell, nothing inlined.
    const forgedHtml = await (await home("__Host-gonggu_session=not-a-session")).text();
    expect(cards(forgedHtml)).toBe(0);
    expect(bootBlock(forgedHtml)).toBeNull();

    // In the browser: the title shows as typed, nothing ran.
    const { context, problems } = await chromium.openAs(buyer.email, buyer.password);
    const cold = await context.newPage();
    const coldProblems = watchConsole(cold);
    await cold.goto(`${baseUrl}/`);
    // The feed's card (a suggestion card may name the same buy once the app is in).
    await cold.getByRole("link", { name: title }).first().waitFor();
    expect(await cold.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    expect([...problems, ...coldProblems]).toEqual([]);
    await context.close();
  });

  /** Records, from before the first byte is parsed, each feed card's markup when it first appears and the count. */
  async function watchCards(page: Page) {
    await page.addInitScript(() => {
      const w = window as unknown as { __firstCards?: string[]; __counts: number[]; __scriptsAtFirst?: number };
      w.__counts = [];
      new MutationObserver(() => {
        const found = Array.from(document.querySelectorAll('[data-testid="feed-item"]'));
        w.__counts.push(found.length);
        if (found.length && w.__scriptsAtFirst === undefined) {
          // Which of the app's module scripts had run by then: none, if the server drew them.
          w.__scriptsAtFirst = performance.getEntriesByType("resource").filter((e) => e.name.endsWith(".js")).length;
        }
      }).observe(document, { childList: true, subtree: true });
      // The server's cards as parsed in full: the observer can fire between a card's <article> and its contents (the
      // parser yields mid-document under load), so the markup is read when parsing ends, before module scripts run.
      document.addEventListener("readystatechange", () => {
        if (document.readyState !== "interactive") return;
        w.__firstCards = Array.from(document.querySelectorAll('[data-testid="feed-item"]')).map((c) => c.outerHTML);
      });
    });
  }

  test("the cards are there without JavaScript, and the app takes over with the same cards, no refetch, no blink", async () => {
    const buyer = await newVerifiedBuyer("이어받기");
    const { context, problems } = await chromium.openAs(buyer.email, buyer.password);
    const state = await context.storageState();

    // Without JavaScript at all, a signed-in buyer still sees the neighbourhood's group buys.
    const noJs = await chromium.browser().newContext({ storageState: state, javaScriptEnabled: false });
    const still = await noJs.newPage();
    await still.goto(`${baseUrl}/`);
    expect(await still.getByTestId("feed-item").count()).toBeGreaterThan(0);
    await noJs.close();

    const cold = await context.newPage();
    const coldProblems = watchConsole(cold);
    const api: string[] = [];
    cold.on("request", (r) => {
      if (r.url().includes("/api/trpc/")) api.push(r.url().replace(baseUrl, "").split("?")[0]);
    });
    await watchCards(cold);
    await cold.goto(`${baseUrl}/`);
    // The app has taken over once the server's list is gone.
    await cold.waitForFunction(() => !document.querySelector('[data-testid="feed"][data-ssr]'));
    await cold.getByTestId("suggestion").first().waitFor();
    const seen = await cold.evaluate(() => {
      const w = window as unknown as { __firstCards: string[]; __counts: number[] };
      return {
        first: w.__firstCards,
        counts: w.__counts,
        now: Array.from(document.querySelectorAll('[data-testid="feed-item"]')).map((c) => c.outerHTML),
        serverList: document.querySelector('[data-testid="feed"][data-ssr]') !== null,
      };
    });
    // The server's cards and the app's are the same markup (one template: shared/feedCard.ts).
    expect(seen.first.length).toBeGreaterThan(0);
    expect(seen.now.slice(0, seen.first.length)).toEqual(seen.first);
    // and both write money the Korean way, "1몫 4,900원" (the server wrote "₩4,900" before)
    expect(seen.first[0]).toMatch(/1몫 [\d,]+원</);
    expect(seen.serverList).toBe(false); // the app's list replaced the server's
    // Once there, the cards never went away while the app took over.
    const since = seen.counts.findIndex((n) => n > 0);
    expect(seen.counts.slice(since).every((n) => n > 0)).toBe(true);
    // The session and the feed came with the page: the app asked for neither.
    expect(api.filter((u) => /auth\.me|groupBuys\.list/.test(u))).toEqual([]);
    expect(api).toContain("/api/trpc/recommend.forMe");
    // The app works on: a card's link is an in-app navigation.
    const documents: string[] = [];
    cold.on("request", (r) => {
      if (r.resourceType() === "document") documents.push(r.url());
    });
    await cold.getByTestId("feed-item").first().getByRole("link").click();
    await cold.waitForURL(/\/g\//);
    await cold.getByRole("heading", { level: 1 }).first().waitFor();
    expect(documents).toEqual([]);
    await shot(cold, "home-server-cards-taken-over");
    expect([...problems, ...coldProblems]).toEqual([]);
    await context.close();
  });

  /** Records where the first feed card was when it first appeared, and the layout shifts (CLS) of the load. */
  async function watchShifts(page: Page) {
    await page.addInitScript(() => {
      const w = window as unknown as { __firstTop?: number; __cls: number };
      w.__cls = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[])
          if (!e.hadRecentInput) w.__cls += e.value;
      }).observe({ type: "layout-shift", buffered: true });
      new MutationObserver((_, obs) => {
        const card = document.querySelector('[data-testid="feed-item"]');
        if (!card) return;
        w.__firstTop = card.getBoundingClientRect().top;
        obs.disconnect();
      }).observe(document, { childList: true, subtree: true });
    });
  }

  test("nothing moves when the app takes over: Korean on a phone, English on a desktop; a filter chosen before stays", async () => {
    const buyer = await newVerifiedBuyer("제자리");
    // More OPEN buys than the server draws, so feed cards follow the suggestions (drawn after the first FEED_LEAD).
    const open = await buyer.sdk.groupBuys.list.query({
      regionId: DEMO_REGIONS[0].id,
      status: "OPEN",
      limit: FEED_LEAD + 2,
    });
    const seller = await sdkAs(DEMO_SELLERS[0].email);
    for (let i = open.items.length; i < FEED_LEAD + 2; i++) {
      await offerInSeogyo(
        seller,
        {
          title: `제자리 묶음 ${i} ${Date.now()}`,
          category: "household",
          totalQuantity: 4,
          unit: "개",
          totalPrice: 20_000,
        },
        { totalShares: 4, minShares: 2, maxPerPerson: 2 },
      );
    }
    for (const { lang, viewport, choose } of [
      { lang: "ko", viewport: { width: 360, height: 740 }, choose: false },
      { lang: "en", viewport: { width: 1280, height: 800 }, choose: false },
      { lang: "en", viewport: { width: 360, height: 740 }, choose: true },
    ]) {
      const { context, page, problems } = await chromium.openAs(buyer.email, buyer.password, { viewport });
      if (lang === "en") {
        await page.goto(baseUrl);
        await page.getByRole("button", { name: ko["lang.switchLabel"] }).click();
        await page.waitForFunction(() => document.documentElement.lang === "en");
      }
      const cold = await context.newPage();
      const coldProblems = watchConsole(cold);
      await watchShifts(cold);
      // The app's scripts wait until the server's page has been looked at (and a filter chosen on it, below).
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      await cold.route(/\.js$/, async (route) => {
        await held;
        await route.continue();
      });
      // The suggestions answer only after the app has taken over, as they often do on a loaded machine (the app asks
      // for them when it starts; its feed needs no request): their strip must then move nothing below it.
      let answerSuggestions = () => {};
      const suggestionsHeld = new Promise<void>((resolve) => {
        answerSuggestions = resolve;
      });
      await cold.route(/\/api\/trpc\/recommend\.forMe/, async (route) => {
        await suggestionsHeld;
        await route.continue();
      });
      await cold.goto(`${baseUrl}/`, { waitUntil: "commit" }); // DOMContentLoaded waits for the held scripts
      await cold.locator('[data-ssr] [data-testid="feed-item"]').first().waitFor();
      expect(await cold.evaluate(() => document.documentElement.lang)).toBe(lang);
      const served = await cold.evaluate(() => ({
        heading: document.querySelector("#feed-heading")?.getBoundingClientRect().top,
        card: document.querySelector('[data-testid="feed-item"]')?.getBoundingClientRect().top,
      }));
      if (choose) await cold.locator("#feed-category").selectOption("fresh");
      release();
      await cold.waitForFunction(() => !document.querySelector('[data-testid="feed"][data-ssr]'));
      answerSuggestions();
      await cold.getByTestId("suggestion").first().waitFor();
      // A filter chosen on the server's bar: its list (only fresh food) is on screen too before shifts are counted.
      if (choose) {
        await cold.waitForFunction(() => {
          const kinds = Array.from(document.querySelectorAll('[data-testid="feed-item"] .muted'));
          return kinds.length > 0 && kinds.every((p) => p.textContent?.endsWith("Fresh food"));
        });
      }
      // Two frames for the layout-shift entries of the takeover, the suggestions and the chosen list to be reported.
      await cold.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const taken = await cold.evaluate(() => {
        const w = window as unknown as { __firstTop: number; __cls: number };
        return {
          first: w.__firstTop,
          cls: w.__cls,
          heading: document.querySelector("#feed-heading")?.getBoundingClientRect().top,
          card: document.querySelector('[data-testid="feed-item"]')?.getBoundingClientRect().top,
        };
      });
      expect(taken.cls).toBeLessThan(0.01);
      if (choose) {
        // The choice made on the server's filter bar is the app's (its list, only fresh food, was waited for above).
        expect(await cold.locator("#feed-category").inputValue()).toBe("fresh");
      } else {
        expect(served.card).toBe(taken.first);
        expect({ lang, ...served }).toEqual({ lang, heading: taken.heading, card: taken.card });
      }
      expect([...problems, ...coldProblems]).toEqual([]);
      await context.close();
    }
  });
});
