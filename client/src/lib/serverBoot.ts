import { SERVER_BOOT_ID, type ServerBoot } from "./bootKeys";

/**
 * What the worker put into the home page for a signed-in browser (worker/web/home.ts): the first feed cards, drawn
 * from shared/feedCard.ts, and the answers they were drawn from. The app takes those answers instead of asking again
 * (each at most once), and renders off screen until its own feed is drawn, then takes the server's place
 * (main.tsx): the cards on screen never go away in between.
 */
function read(): ServerBoot | null {
  const el = document.getElementById(SERVER_BOOT_ID);
  if (!el) return null;
  try {
    return JSON.parse(el.textContent ?? "") as ServerBoot;
  } catch {
    return null;
  }
}

const boot = read();
let meTaken = false;
let feedTaken = false;

/** True when the server answered for this visit (the app then needs no boot requests of its own for them). */
export const servedSession = boot !== null;

/** The session the server read for this page, once. */
export function takeServedMe(): ServerBoot["me"] | undefined {
  if (!boot || meTaken) return undefined;
  meTaken = true;
  return boot.me;
}

/** The first OPEN feed page the server drew, once. */
export function takeServedFeed(): NonNullable<ServerBoot["feed"]> | undefined {
  if (!boot?.feed || feedTaken) return undefined;
  feedTaken = true;
  return boot.feed;
}

/** The server drew feed cards into the page: the app must not wipe them before its own are drawn. */
export const serverCards = (): boolean => document.querySelector('[data-testid="feed"][data-ssr]') !== null;

let drawnNow = false;
const waiting: (() => void)[] = [];

/** Feed says whether its list is drawn for the filters chosen now (false while their page is loading). */
export function feedDrawn(drawn: boolean): void {
  drawnNow = drawn;
  if (drawn) for (const resolve of waiting.splice(0)) resolve();
}

/** Resolves once the app's feed has drawn its list for the filters chosen now: at once if it has. */
export function whenFeedDrawn(): Promise<void> {
  return drawnNow ? Promise.resolve() : new Promise((resolve) => waiting.push(resolve));
}
