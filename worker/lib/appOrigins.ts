/** The origins the app's pages are served from: the API's own and APP_ORIGIN (where the SPA may live instead). */
export function appOrigins(req: Request, env: { APP_ORIGIN: string }): string[] {
  return [new URL(req.url).origin, env.APP_ORIGIN];
}

/**
 * True when a browser sent this request from one of the app's pages: a fetch from our own origin carries
 * `Sec-Fetch-Site: same-origin`, one from APP_ORIGIN is a CORS request with its Origin. A cookie GET that is neither may
 * be another site's link or <img> riding on the session cookie (a sibling subdomain is same-site, so SameSite=Lax
 * sends it), so nothing is recorded on its behalf.
 */
export function sentByAppPage(req: Request, env: { APP_ORIGIN: string }): boolean {
  if (req.headers.get("sec-fetch-site") === "same-origin") return true;
  const origin = req.headers.get("origin");
  return origin !== null && appOrigins(req, env).includes(origin);
}
