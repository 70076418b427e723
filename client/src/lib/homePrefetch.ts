import { api, type RouterOutputs } from "./api";

/** Cards per page of the home feed; the next page loads as the end of the list scrolls into view. */
export const FEED_PAGE = 10;
/** Suggestions shown above the feed. */
export const SUGGESTION_COUNT = 10;

type FeedPage = RouterOutputs["groupBuys"]["list"];
type Suggestions = RouterOutputs["recommend"]["forMe"];

// Which verified neighbourhood's feed this browser showed last (a region id, not a secret). It lets a cold visit ask
// for the feed before auth.me has answered.
const REGION_KEY = "gonggu.feedRegion";

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
  /** The home page already asked for suggestions itself. */
  taken?: boolean;
} | null = null;

/** A request whose failure is handled by whoever takes it (or nobody, if the session says another region). */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/**
 * Called at boot in the same tick as auth.me: on "/", the first feed page for the remembered region goes out in the
 * SAME batched request as auth.me (and the suggestions right beside it), instead of one round trip after it. The answers are used only
 * if the session then names that region (see takeEarly); anything else asks the server as before.
 */
export function prefetchHome(): void {
  const regionId = window.location.pathname === "/" ? rememberedRegion() : null;
  if (!regionId) return;
  const entry: NonNullable<typeof early> = {
    regionId,
    feed: quiet(api.groupBuys.list.query({ regionId, status: "OPEN", limit: FEED_PAGE })),
  };
  early = entry;
  // Scoring suggestions takes the server longer than the feed: asked one task later, they go out as a second request
  // beside the first instead of holding back the session and the feed that share its batch.
  setTimeout(() => {
    if (!entry.taken) entry.suggestions = quiet(api.recommend.forMe.query({ limit: SUGGESTION_COUNT }));
  });
}

/** The boot-time answer for this region, at most once (later pages, filters and retries ask the server). */
export function takeEarly<K extends "feed" | "suggestions">(
  kind: K,
  regionId: string,
): NonNullable<NonNullable<typeof early>[K]> | undefined {
  if (early?.regionId !== regionId) return undefined;
  const promise = early[kind];
  early[kind] = undefined;
  if (kind === "suggestions") early.taken = true;
  return promise as NonNullable<NonNullable<typeof early>[K]> | undefined;
}
