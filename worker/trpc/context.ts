import type { Context as HonoContext } from "hono";
import { readCookie, resolveSession, SESSION_COOKIE, type SessionKind } from "../accounts/sessions";
import { type NotifyStatement, pushLive } from "../community/notifications";
import { type Db, getDb } from "../db/client";
import type { users } from "../db/schema";
import type { AppEnv } from "../env";

export type User = typeof users.$inferSelect;

export type Context = {
  env: Env;
  db: Db;
  now: number;
  requestId: string;
  ip: string;
  /** The raw session token and how it arrived; null when anonymous. */
  auth: { token: string; kind: SessionKind } | null;
  user: User | null;
  resHeaders: Headers;
  waitUntil: (promise: Promise<unknown>) => void;
  /** After a batch with notify() statements commits: relays them to open sockets in the background. */
  pushLive: (statements: NotifyStatement[]) => void;
};

export function readAuth(req: Request): Context["auth"] {
  // The auth scheme is case-insensitive (RFC 9110 §11.1).
  const bearer = /^bearer\s+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "");
  if (bearer) return { token: bearer[1], kind: "bearer" };
  const cookie = readCookie(req.headers.get("cookie"), SESSION_COOKIE);
  return cookie ? { token: cookie, kind: "cookie" } : null;
}

export async function createContext(c: HonoContext<AppEnv>, resHeaders: Headers): Promise<Context> {
  const db = getDb(c.env);
  const now = Date.now();
  const auth = readAuth(c.req.raw);
  const session = auth ? await resolveSession(db, auth.token, now) : null;
  return {
    env: c.env,
    db,
    now,
    requestId: c.get("requestId"),
    ip: c.req.header("cf-connecting-ip") ?? "127.0.0.1",
    auth: session ? auth : null,
    user: session?.user ?? null,
    resHeaders,
    waitUntil: (p) => c.executionCtx.waitUntil(p),
    pushLive: (statements) => c.executionCtx.waitUntil(pushLive(c.env, db, statements)),
  };
}
