import { api, bootClient, type RouterOutputs } from "./api";
import { FEED_PAGE, FEED_REGION_KEY, SUGGESTION_COUNT } from "./bootKeys";
import { takeServedFeed } from "./serverBoot";

export { FEED_PAGE, SUGGESTION_COUNT };

type FeedPage = RouterOutputs["groupBuys"]["list"];
type Suggestions = RouterOutputs["recommend"]["forMe"];

// Which verified neighbourhood's feed this browser showed last lets a cold visit ask for the feed before auth.me has
// answered.
const REGION_KEY = FEED_REGION_KEY;

export function rememberFeedRegion(regionId: string | null): void {
  try {
    if (regionId) localStorage.setItem(REGION_KEY, regionId);
    else localStorage.removeItem(REGION_KEY);
  } catch {
    // storage blocked: the feed just waits for the session
  }
}

function rememberedRegion(): string | null {
  try {
    return localStorage.getItem(REGION_KEY);
  } catch {
    return null;
  }
}

let early: {
  regionId: string;
  feed?: Promise<FeedPage>;
  suggestions?: Promise<Suggestions>;
} | null = null;

/** A request whose failure is handled by whoever takes it (or nobody, if the session says another region). */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/**
 * Called at boot in the same tick as auth.me: on "/", the first feed page for the remembered region goes out in the
 * SAME batched request as auth.me, instead of one round trip after it; the suggestions are asked for once that has
 * answered (they are drawn after the feed's first cards, so they should not slow the feed down at the server). The
 * answers are used only if the session then names that region (see takeEarly); anything else asks the server as
 * before. index.html's inline script (client/boot/early.js) sent these very requests, in this order, before this code
 * loaded; the tRPC client takes their responses over (lib/early.ts).
 */
export function prefetchHome(): void {
  // A client of their own batches the suggestions alone, whatever else the app asks for meanwhile, so the request is
  // exactly the one index.html already sent.
  const suggestions = () => bootClient().recommend.forMe.query({ limit: SUGGESTION_COUNT });
  // The server drew the first page into the home page (lib/serverBoot.ts): only the suggestions are left to ask for.
  const served = takeServedFeed();
  if (served) {
    early = { regionId: served.regionId, feed: Promise.resolve(served.page), suggestions: quiet(suggestions()) };
    return;
  }
  const regionId = window.location.pathname === "/" ? rememberedRegion() : null;
  if (!regionId) return;
  const feed = quiet(api.groupBuys.list.query({ regionId, status: "OPEN", limit: FEED_PAGE }));
  early = { regionId, feed, suggestions: quiet(feed.then(suggestions, suggestions)) };
}

/** The boot-time answer for this region, at most once (later pages, filters and retries ask the server). */
export function takeEarly<K extends "feed" | "suggestions">(
  kind: K,
  regionId: string,
): NonNullable<NonNullable<typeof early>[K]> | undefined {
  if (early?.regionId !== regionId) return undefined;
  const promise = early[kind];
  early[kind] = undefined;
  return promise as NonNullable<NonNullable<typeof early>[K]> | undefined;
}
