import { trpcServer } from "@hono/trpc-server";
import { Hono, type Context as HonoContext } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { notificationsSocket } from "./community/notificationsSocket";
import type { AppEnv } from "./env";
import { PAYOUT_WEBHOOK_PATH, payoutWebhook } from "./groupbuy/payoutWebhook";
import { roomSocket } from "./groupbuy/roomGateway";
import { apiHeaderPairs, hasApiHeaders } from "./lib/apiHeaders";
import { appOrigins } from "./lib/appOrigins";
import { benchRoutes } from "./lib/benchRoutes";
import { type ApiErrorCode, apiError, apiResponseMeta, logServerError } from "./lib/errors";
import { newId } from "./lib/ids";
import { API_BODY_LIMIT_BYTES, MAX_BATCH_SIZE } from "./lib/limits";
import { handleQueue } from "./queue/consumer";
import { handleScheduled } from "./scheduled";
import { createContext, onlyCalls, readAuth } from "./trpc/context";
import { JOIN_PATH, joinFastPath } from "./trpc/joinFastPath";
import { appRouter } from "./trpc/router";
import { homePage } from "./web/home";

export { GroupBuyRoom } from "./durable/GroupBuyRoom";
export { SandboxGateway } from "./durable/SandboxGateway";
export { UserChannel } from "./durable/UserChannel";

// Only the default handler and Durable Object classes may be exported here (workerd entrypoints).
const app = new Hono<AppEnv>();

function errorResponse(c: HonoContext<AppEnv>, code: ApiErrorCode, message: string, httpStatus?: number) {
  const { body, httpStatus: status } = apiError(code, message, c.get("requestId"), httpStatus);
  return c.json(body, status as ContentfulStatusCode);
}

app.use("/api/*", async (c, next) => {
  const requestId = c.req.header("cf-ray") ?? newId();
  c.set("requestId", requestId);
  await next();
  if (hasApiHeaders(c.res)) return;
  const headers = apiHeaderPairs(requestId, c.res.headers.has("Cache-Control"));
  // Set on the response itself: Hono's c.header() copies a finished response on every call (three copies per API
  // request). A response whose headers are immutable (one a fetch returned, e.g. a room's WebSocket upgrade) throws
  // at the first set and takes the copying way.
  try {
    for (const [name, value] of headers) c.res.headers.set(name, value);
  } catch {
    for (const [name, value] of headers) c.header(name, value);
  }
});

const tooLarge = (c: HonoContext<AppEnv>) =>
  errorResponse(c, "PAYLOAD_TOO_LARGE", `Requests are limited to ${API_BODY_LIMIT_BYTES / 1024} KB; send less data.`);
const countedBodyLimit = bodyLimit({ maxSize: API_BODY_LIMIT_BYTES, onError: tooLarge });

// Hono's bodyLimit, with the common case decided first as it decides it: a declared Content-Length without a
// Transfer-Encoding is compared with the limit (the runtime never hands over more than it declares). Hono reads the
// body's stream object and three headers for that; this reads two headers. Anything else (a streamed body) goes to
// Hono's, which counts the bytes.
app.use("/api/*", async (c, next) => {
  const headers = c.req.raw.headers;
  const length = headers.get("content-length");
  if (length === null || headers.has("transfer-encoding")) return countedBodyLimit(c, next);
  if (Number.parseInt(length, 10) > API_BODY_LIMIT_BYTES) return tooLarge(c);
  await next();
});

// CSRF: a cookie rides along on cross-site requests, a bearer token does not. Cookie-authenticated writes must come
// from our own origin (browsers always send Origin on POST).
app.use("/api/*", async (c, next) => {
  if (c.req.method !== "GET" && c.req.method !== "HEAD" && readAuth(c.req.raw)?.kind === "cookie") {
    const origin = c.req.header("origin");
    if (!origin || !appOrigins(c.req.raw, c.env).includes(origin)) {
      return errorResponse(
        c,
        "FORBIDDEN",
        "Cross-site request refused: cookie-authenticated writes must come from the app.",
      );
    }
  }
  await next();
});

app.get("/api/health", (c) => c.json({ ok: true, service: "gonggu", time: Date.now() }));

app.get("/api/notifications/ws", notificationsSocket);

app.get("/api/rooms/:id/ws", roomSocket);

app.post(PAYOUT_WEBHOOK_PATH, payoutWebhook);

// Baselines for bench/read.ts; absent (404) unless BENCH_ROUTES=1, which only the bench's wrangler dev sets.
app.use("/api/bench/*", async (c, next) => {
  if (c.env.BENCH_ROUTES !== "1") return errorResponse(c, "NOT_FOUND", "No such API route.");
  await next();
});
app.route("/api/bench", benchRoutes);

// A sold-out storm's refusals from the closed-buy hint, answered as tRPC would without its machinery; the rest of the
// join's calls go on to tRPC below.
app.use(`/api/trpc/${JOIN_PATH}`, joinFastPath);

// Built per request so the error log carries the request id even when creating the context itself failed.
app.use("/api/trpc/*", (c, next) =>
  trpcServer({
    endpoint: "/api/trpc",
    router: appRouter,
    maxBatchSize: MAX_BATCH_SIZE,
    // Only the hot join may use the isolate's session cache: it re-checks the session in its guard batch.
    createContext: (opts, c) =>
      createContext(c, opts.resHeaders, { cachedSession: onlyCalls(opts.info, ["groupBuys.join"]) }),
    responseMeta: apiResponseMeta,
    onError: ({ error, path }) => logServerError(c.get("requestId"), path, error),
  })(c, next),
);

app.all("/api/*", (c) => errorResponse(c, "NOT_FOUND", "No such API route."));

// The home screen of a signed-in browser: index.html with the first feed cards in it (wrangler.toml runs the worker
// first for "/"; every other path is served by the assets server alone).
app.get("/", homePage);

// Everything else is the SPA (only reached in dev when run_worker_first matches; assets are served before the worker).
app.all("*", (c) => c.env.ASSETS.fetch(c.req.raw));

export default {
  fetch: app.fetch,
  queue: (batch, env, ctx) => handleQueue(batch, env, ctx),
  scheduled: (controller, env, ctx) => handleScheduled(controller, env, ctx),
} satisfies ExportedHandler<Env>;
