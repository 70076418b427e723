import { trpcServer } from "@hono/trpc-server";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { notificationsSocket } from "./community/notificationsSocket";
import type { AppEnv } from "./env";
import { newId } from "./lib/ids";
import { API_BODY_LIMIT_BYTES, MAX_BATCH_SIZE } from "./lib/limits";
import { handleQueue } from "./queue/consumer";
import { handleScheduled } from "./scheduled";
import { createContext, readAuth } from "./trpc/context";
import { appRouter } from "./trpc/router";

export { GroupBuyRoom } from "./durable/GroupBuyRoom";
export { UserChannel } from "./durable/UserChannel";

// Only the default handler and Durable Object classes may be exported here (workerd entrypoints).
const app = new Hono<AppEnv>();

app.use("/api/*", async (c, next) => {
  c.set("requestId", c.req.header("cf-ray") ?? newId());
  await next();
  c.header("X-Request-Id", c.get("requestId"));
  c.header("X-Content-Type-Options", "nosniff");
  if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
});

app.use(
  "/api/*",
  bodyLimit({
    maxSize: API_BODY_LIMIT_BYTES,
    onError: (c) =>
      c.json(
        { error: { code: "PAYLOAD_TOO_LARGE", message: `Requests are limited to ${API_BODY_LIMIT_BYTES / 1024} KB.` } },
        413,
      ),
  }),
);

// CSRF: a cookie rides along on cross-site requests, a bearer token does not. Cookie-authenticated writes must come
// from our own origin (browsers always send Origin on POST).
app.use("/api/*", async (c, next) => {
  if (c.req.method !== "GET" && c.req.method !== "HEAD" && readAuth(c.req.raw)?.kind === "cookie") {
    const origin = c.req.header("origin");
    const allowed = new Set([new URL(c.req.url).origin, c.env.APP_ORIGIN]);
    if (!origin || !allowed.has(origin)) {
      return c.json({ error: { code: "FORBIDDEN", message: "Cross-site request refused." } }, 403);
    }
  }
  await next();
});

app.get("/api/health", (c) => c.json({ ok: true, service: "gonggu", time: Date.now() }));

app.get("/api/notifications/ws", notificationsSocket);

app.all("/api/rooms/:id/ws", async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    return c.json({ error: { code: "BAD_REQUEST", message: "This endpoint only accepts WebSocket upgrades." } }, 426);
  }
  const stub = c.env.GROUP_BUY.get(c.env.GROUP_BUY.idFromName(c.req.param("id")));
  return stub.fetch(c.req.raw);
});

app.use(
  "/api/trpc/*",
  trpcServer({
    endpoint: "/api/trpc",
    router: appRouter,
    maxBatchSize: MAX_BATCH_SIZE,
    createContext: (opts, c) => createContext(c, opts.resHeaders),
    onError({ error, path, ctx }) {
      if (error.code === "INTERNAL_SERVER_ERROR") {
        console.error(
          JSON.stringify({
            level: "error",
            requestId: ctx?.requestId,
            path,
            message: error.message,
            stack: error.stack,
          }),
        );
      }
    },
  }),
);

app.all("/api/*", (c) => c.json({ error: { code: "NOT_FOUND", message: "No such API route." } }, 404));

// Everything else is the SPA (only reached in dev when run_worker_first matches; assets are served before the worker).
app.all("*", (c) => c.env.ASSETS.fetch(c.req.raw));

export default {
  fetch: app.fetch,
  queue: (batch, env, ctx) => handleQueue(batch, env, ctx),
  scheduled: (controller, env, ctx) => handleScheduled(controller, env, ctx),
} satisfies ExportedHandler<Env>;
