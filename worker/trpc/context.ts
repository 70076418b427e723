import type { Context as HonoContext } from "hono";
import {
  readCookie,
  resolveSession,
  resolveSessionCached,
  SESSION_COOKIE,
  type SessionKind,
} from "../accounts/sessions";
import { tokenClaim } from "../accounts/sessionToken";
import { type NotifyStatement, pushLive } from "../community/notifications";
import { type Db, getDb } from "../db/client";
import type { users } from "../db/schema";
import type { AppEnv } from "../env";
import { sentByAppPage } from "../lib/appOrigins";

export type User = typeof users.$inferSelect;

export type Context = {
  env: Env;
  db: Db;
  now: number;
  requestId: string;
  ip: string;
  /** A browser sent this request from one of the app's pages (lib/appOrigins.ts), not another site's link or image. */
  fromAppPage: boolean;
  /** The raw session token and how it arrived; null when anonymous. */
  auth: { token: string; kind: SessionKind } | null;
  user: User | null;
  /**
   * Set when `user` came from this isolate's session cache (createContext's `cachedSession`): the session's token
   * hash, which the procedure must re-check (liveSessionQuery) before anything but a refusal.
   */
  cachedSession: { tokenHash: string } | null;
  /**
   * groupBuys.join only: the token is one we issued (sessionToken.ts) and its session has NOT been read yet. `userId`
   * may decide a refusal and nothing else; `resolve()` reads the session (cache or D1) and returns the fields above.
   * Procedures that use it must run `joinCaller` (groupbuy/actions.ts) before anything but a refusal.
   */
  claim: {
    userId: string;
    /** The raw token, for a procedure that reads its session itself (joinCaller folds it into the guard batch). */
    token: string;
    resolve: () => Promise<Pick<Context, "auth" | "user" | "cachedSession">>;
  } | null;
  resHeaders: Headers;
  waitUntil: (promise: Promise<unknown>) => void;
  /** After a batch with notify() statements commits: relays them to open sockets in the background. */
  pushLive: (statements: NotifyStatement[]) => void;
};

/**
 * Each request's credentials, read once: the CSRF check, the join fast path and createContext all ask, and every ask
 * was a header read or two from the runtime and a regex. A request's headers do not change while it is handled (a
 * middleware that rebuilds the Request, such as the body limit's, makes a new key).
 */
const authOf = new WeakMap<Request, Context["auth"]>();

export function readAuth(req: Request): Context["auth"] {
  const known = authOf.get(req);
  if (known !== undefined) return known;
  const auth = readAuthOnce(req);
  authOf.set(req, auth);
  return auth;
}

function readAuthOnce(req: Request): Context["auth"] {
  // The auth scheme is case-insensitive (RFC 9110 §11.1).
  const bearer = /^bearer\s+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "");
  if (bearer) return { token: bearer[1], kind: "bearer" };
  const cookie = readCookie(req.headers.get("cookie"), SESSION_COOKIE);
  return cookie ? { token: cookie, kind: "cookie" } : null;
}

/** True when every call of a tRPC request is one of `paths` (the procedures that may use the session cache). */
export function onlyCalls(info: { calls: { path: string }[] }, paths: readonly string[]): boolean {
  return info.calls.length > 0 && info.calls.every((call) => paths.includes(call.path));
}

/**
 * `cachedSession`: the caller may take the session from this isolate's cache (only groupBuys.join, which re-checks
 * it in its guard batch; see worker/accounts/sessionCache.ts for the bound). Such a caller with a signed token gets a
 * `claim` instead and reads the session only when it gets past its fast refusals.
 */
export async function createContext(
  c: HonoContext<AppEnv>,
  resHeaders: Headers,
  options: { cachedSession?: boolean } = {},
): Promise<Context> {
  const db = getDb(c.env);
  const now = Date.now();
  const auth = readAuth(c.req.raw);
  const base = {
    env: c.env,
    db,
    now,
    requestId: c.get("requestId"),
    ip: c.req.header("cf-connecting-ip") ?? "127.0.0.1",
    fromAppPage: sentByAppPage(c.req.raw, c.env),
    resHeaders,
    waitUntil: (p: Promise<unknown>) => c.executionCtx.waitUntil(p),
    pushLive: (statements: NotifyStatement[]) => c.executionCtx.waitUntil(pushLive(c.env, db, statements)),
  };
  const read = async (): Promise<Pick<Context, "auth" | "user" | "cachedSession">> => {
    if (!auth) return { auth: null, user: null, cachedSession: null };
    if (!options.cachedSession) {
      const session = await resolveSession(db, auth.token, now);
      return { auth: session ? auth : null, user: session?.user ?? null, cachedSession: null };
    }
    const resolved = await resolveSessionCached(db, auth.token, now);
    return {
      auth: resolved ? auth : null,
      user: resolved?.session.user ?? null,
      cachedSession: resolved?.cached ? { tokenHash: resolved.session.tokenHash } : null,
    };
  };
  const claim = auth && options.cachedSession ? await tokenClaim(c.env.PASSWORD_PEPPER, auth.token, now) : null;
  if (claim && auth) {
    return {
      ...base,
      auth: null,
      user: null,
      cachedSession: null,
      claim: { userId: claim.userId, token: auth.token, resolve: read },
    };
  }
  return { ...base, ...(await read()), claim: null };
}
