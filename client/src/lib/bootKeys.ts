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
/** How money is shown: Korean won (the issue asks for exactly this formatter). */
export const WON_FORMAT = { locale: "ko-KR", options: { style: "currency", currency: "KRW" } } as const;
