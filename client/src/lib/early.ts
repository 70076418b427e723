/**
 * Responses to the requests index.html's inline script (client/boot/early.js) sent before any of our modules loaded,
 * by URL. The tRPC client fetches through `fetchEarly`: a GET for one of those URLs takes the response already on its
 * way (each at most once), anything else goes to the network.
 */
const early: Record<string, Promise<Response> | undefined> =
  (window as { __gongguEarly?: Record<string, Promise<Response>> }).__gongguEarly ?? {};

export const fetchEarly: typeof fetch = (input, init) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  const waiting = (init?.method ?? "GET") === "GET" ? early[url] : undefined;
  if (!waiting) return fetch(input, init);
  early[url] = undefined;
  return waiting;
};
