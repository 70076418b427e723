import type { Context as HonoContext } from "hono";
import { en } from "../../client/src/i18n/en";
import { ko } from "../../client/src/i18n/ko";
import { FEED_LEAD, FEED_PAGE, LOCALE_COOKIE, SERVER_BOOT_ID, type ServerBoot } from "../../client/src/lib/bootKeys";
import { formatWon } from "../../client/src/lib/format";
import { type CardWords, escapeHtml, feedCardHtml, feedFiltersHtml } from "../../shared/feedCard";
import { fillWords } from "../../shared/words";
import { readCookie } from "../accounts/sessions";
import type { AppEnv } from "../env";
import { newId } from "../lib/ids";
import { createContext, readAuth } from "../trpc/context";
import { createCallerFactory } from "../trpc/init";
import { appRouter } from "../trpc/router";

/**
 * GET / for a browser with a session: index.html with the first feed cards already in it, so a slow phone paints the
 * feed as the HTML arrives instead of after downloading and running the app. The head streams at once (marked
 * `<html data-ssr>` so the inline boot script leaves the session and the feed to us); the cards and the answers the
 * app would have asked for (auth.me, the first groupBuys.list page) follow once the database has answered. The app
 * takes those answers over (client/src/lib/serverBoot.ts) instead of asking again.
 *
 * The answers come from the very procedures the app calls (a server-side tRPC caller with the request's own
 * context), so the authorization is theirs: the session, and groupBuys.list's check that the region is the caller's
 * currently verified one. Anything else (anonymous, expired session, no verified region, an error) gets the plain
 * SPA shell's content and the app does what it always did. Personalised: `Cache-Control: private, no-store`.
 */
const createCaller = createCallerFactory(appRouter);

async function answers(c: HonoContext<AppEnv>): Promise<ServerBoot | null> {
  try {
    const ctx = await createContext(c, new Headers());
    const caller = createCaller(ctx);
    // The feed of the user's home region is asked for beside auth.me, not after it: groupBuys.list itself refuses a
    // region that is not currently verified, and then there is simply no feed to draw.
    const regionId = ctx.user?.homeRegionId;
    const [me, page] = await Promise.all([
      caller.auth.me(),
      regionId ? caller.groupBuys.list({ regionId, status: "OPEN", limit: FEED_PAGE }).catch(() => null) : null,
    ]);
    return { me, feed: regionId && page && me.verification?.current ? { regionId, page } : null };
  } catch {
    // Unauthorized, the database unavailable: the app asks for itself and says why.
    return null;
  }
}

function words(locale: "ko" | "en"): CardWords {
  const dict: Record<string, string> = locale === "en" ? en : ko;
  return (key, params) => fillWords(dict[key] ?? key, params);
}

/**
 * The feed section as the app first draws it: heading, the filter bar (the app's own markup, at its defaults) and the
 * first FEED_LEAD cards, so nothing moves when the app takes the section over. A filter chosen here before then is
 * carried over (main.tsx).
 */
function feedHtml(boot: ServerBoot, locale: "ko" | "en"): string {
  const items = boot.feed?.page.items.slice(0, FEED_LEAD) ?? [];
  if (items.length === 0) return "";
  const t = words(locale);
  const cards = items.map((g) => `<li>${feedCardHtml(g, t, (n) => formatWon(n, locale))}</li>`).join("");
  const heading = escapeHtml((locale === "en" ? en : ko)["home.feed"]);
  return (
    `<section aria-labelledby="feed-heading" class="home-section"><h2 id="feed-heading">${heading}</h2>` +
    `<fieldset class="filters">${feedFiltersHtml(t, { status: "OPEN", category: "" })}</fieldset>` +
    `<ul class="cards" data-testid="feed" data-ssr>${cards}</ul></section>`
  );
}

/** JSON inside <script type="application/json">: no `<` may close the element early. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c");

export async function homePage(c: HonoContext<AppEnv>): Promise<Response> {
  const url = new URL(c.req.url);
  if (!readAuth(c.req.raw)) return c.env.ASSETS.fetch(c.req.raw);
  c.set("requestId", c.req.header("cf-ray") ?? newId());
  const boot = answers(c);
  // The shell itself, unconditionally (a conditional request's 304 would leave nothing to write into).
  const shell = await c.env.ASSETS.fetch(new Request(new URL("/", url)));
  if (!shell.ok || !shell.headers.get("content-type")?.includes("text/html")) return shell;
  const locale = readCookie(c.req.header("cookie"), LOCALE_COOKIE) === "en" ? "en" : "ko";
  const rewriter = new HTMLRewriter()
    .on("html", {
      element(el) {
        el.setAttribute("data-ssr", "");
        el.setAttribute("lang", locale);
      },
    })
    .on("main#main", {
      async element(el) {
        const data = await boot;
        if (!data) return;
        const feed = feedHtml(data, locale);
        if (feed) {
          el.setInnerContent(feed, { html: true });
          el.removeAttribute("aria-busy");
        }
        el.after(`<script type="application/json" id="${SERVER_BOOT_ID}">${scriptJson(data)}</script>`, {
          html: true,
        });
      },
    });
  const headers = new Headers(shell.headers);
  headers.set("Cache-Control", "private, no-store");
  headers.delete("ETag");
  headers.delete("Last-Modified");
  headers.delete("Content-Length");
  return new Response(rewriter.transform(shell).body, { status: 200, headers });
}
