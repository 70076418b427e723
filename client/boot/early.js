// Inlined into index.html's <head> by vite.config.ts (with BOOT filled in and its hash added to the CSP). It runs
// before the app's scripts have even downloaded: on a slow phone they take ~0.5 s to parse and run, and the requests
// the app needs first would otherwise leave only after that. It sends exactly the requests the app's boot sends (same
// URLs, same batching: lib/homePrefetch.ts and lib/session.ts); lib/early.ts hands each response to the tRPC client
// once, when it asks for the same URL. test/browser/boot.test.ts checks that nothing is asked for twice.
(() => {
  const BOOT = __BOOT__;
  const home = location.pathname === "/";
  const preloadHome = () => {
    for (const href of BOOT.homeChunks) {
      const link = document.createElement("link");
      link.rel = "modulepreload";
      link.crossOrigin = "";
      link.href = href;
      document.head.append(link);
    }
  };
  // The worker is drawing the first feed cards into this very page and answering the session and the feed in it
  // (worker/web/home.ts, lib/serverBoot.ts): only the home screen's chunks are left to fetch early. Nothing else
  // here may stand between those cards and their first paint — not even a first localStorage read (a synchronous
  // trip to the browser process) or the money formatter (the server wrote the prices).
  if (document.documentElement.hasAttribute("data-ssr")) return preloadHome();
  let signedIn = false;
  let region = null;
  try {
    signedIn = localStorage.getItem(BOOT.signedInKey) === "1";
    region = localStorage.getItem(BOOT.regionKey);
  } catch {
    return; // storage blocked: the app asks the server itself
  }
  // Anonymous visitors see the login screen, whatever the address.
  if (!signedIn) return;
  // Building the money formatter loads ICU data (~200 ms at CPU ×4): do it while the page waits for its scripts and
  // the feed, instead of on the way to the first card (lib/format.ts takes it) — after the first frame, so the static
  // shell is on screen first.
  requestAnimationFrame(() =>
    setTimeout(() => {
      window.__gongguWon = new Intl.NumberFormat(BOOT.wonFormat.locale, BOOT.wonFormat.options);
    }),
  );
  const early = {};
  window.__gongguEarly = early;
  const url = (paths, inputs) =>
    `${location.origin}/api/trpc/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`;
  const keep = (key, response) => {
    early[key] = response;
    response.catch(() => {}); // a failure is the app's to show, when it takes the response
    return response;
  };
  // The feed first: it is what the screen shows first, and the slowest thing it waits for.
  const feedUrl = url("groupBuys.list,auth.me", { 0: { regionId: region, status: "OPEN", limit: BOOT.feedPage } });
  const feed = home && region ? keep(feedUrl, fetch(feedUrl)) : null;
  if (!feed) keep(url("auth.me", {}), fetch(url("auth.me", {})));
  // Then the home screen's chunk and its imports, only where the home screen is what will render.
  if (home) preloadHome();
  if (!feed) return;
  // The suggestions are drawn after the feed's first cards (pages/home/Feed.tsx): they are asked for once the feed
  // has answered, so they don't compete with it for the server's time. The app takes this response over as usual.
  const suggestionsUrl = url("recommend.forMe", { 0: { limit: BOOT.suggestionCount } });
  const later = () => fetch(suggestionsUrl);
  keep(suggestionsUrl, feed.then(later, later));
})();
