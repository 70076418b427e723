import type { RouterOutputs } from "../../../shared/sdkClient";
/**
 * What the app shares with index.html's inline boot script (client/boot/early.js): vite.config.ts writes these
 * values into that script at build time, so the requests it sends are the ones the app would send.
 */
/** localStorage: "1" once this browser has logged in (the session cookie itself is HttpOnly). */
export const SIGNED_IN_KEY = "gonggu.signedIn";
/** localStorage: the verified neighbourhood whose feed this browser showed last (a region id, not a secret). */
export const FEED_REGION_KEY = "gonggu.feedRegion";
/** Cards per page of the home feed; the next page loads as the end of the list scrolls into view. */
export const FEED_PAGE = 10;
/** Suggestions shown above the feed. */
export const SUGGESTION_COUNT = 10;
/**
 * Money's digits: grouped by Intl.NumberFormat('ko-KR') (the owners' rule); Korean text adds 원 after them ("4,900원",
 * lib/format.ts). The boot script builds this one early; English's "₩4,900" is made when first shown.
 */
export const WON_FORMAT = { locale: "ko-KR", options: {} } as const;
/** Feed cards before the interlude (the suggestions): about what a phone shows above the fold. */
export const FEED_LEAD = 3;
/**
 * On "/" for a browser with a session cookie the worker renders the first feed cards into index.html
 * (worker/web/home.ts) and marks `<html data-ssr>` at once, so the boot script leaves the session and the feed to it.
 * Its answers ride in `<script type="application/json" id=SERVER_BOOT_ID>` (lib/serverBoot.ts reads them).
 */
export const SERVER_BOOT_ID = "gonggu-boot";
/** The languages the app speaks: Korean (the default) and English. Here so the worker's first render shares it. */
export type Locale = "ko" | "en";
/** Cookie (not a secret): the language this browser shows, so the server renders the first cards in it. */
export const LOCALE_COOKIE = "gonggu.locale";

/** The answers the worker wrote into the home page (worker/web/home.ts): the session, and the first feed page. */
export type ServerBoot = {
  me: RouterOutputs["auth"]["me"];
  feed: { regionId: string; page: RouterOutputs["groupBuys"]["list"] } | null;
};
