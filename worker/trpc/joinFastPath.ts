import type { TRPCError } from "@trpc/server";
import {
  getAcceptHeader,
  getErrorShape,
  getHTTPStatusCode,
  transformTRPCResponse,
} from "@trpc/server/unstable-core-do-not-import";
import type { Context as HonoContext, Next } from "hono";
import { groupBuyJoinInput } from "../../shared/schemas/groupbuy";
import { tokenClaim } from "../accounts/sessionToken";
import type { AppEnv } from "../env";
import { closedRefusal } from "../groupbuy/closedHint";
import { type RoomError, roomErrorToTRPC } from "../groupbuy/roomResult";
import { apiHeaderPairs, withApiHeaders } from "../lib/apiHeaders";
import { apiResponseMeta, logServerError } from "../lib/errors";
import { type Context, readAuth } from "./context";
import { appRouter } from "./router";

export const JOIN_PATH = "groupBuys.join";

/**
 * A sold-out storm's refusals without tRPC's request machinery. On a buy this isolate knows is closed (closedHint.ts),
 * groupBuys.join answers nearly every attempt from the hint: a signed token's claim, the input, the hint. Here that
 * answer is given before tRPC (its request parsing, context, procedure chain, abort signals): the same checks in the
 * same order as the procedure (claimProcedure with a claim, the input schema, refuseEarly's hint), and the same
 * response, shaped by tRPC's own getErrorShape with the app's errorFormatter, its status, headers, onError and
 * responseMeta, for a plain call or the SDK's batch of one (shaped once per refusal: shapedRefusal). Anything else — no claim (cookie or older token), a batch
 * of more calls or another query string, another content type,
 * a body that does not parse or validate, a member, a replayed idempotency key, a hint that is stale (its refresh is
 * claimed by the procedure's own call) or absent — goes on to tRPC unchanged.
 */
export async function joinFastPath(c: HonoContext<AppEnv>, next: Next) {
  const req = c.req.raw;
  const contentType = req.headers.get("content-type")?.toLowerCase().split(";", 1)[0].trim();
  const query = req.url.indexOf("?");
  // one call: the plain form, or the SDK's batch of one (httpBatchLink: ?batch=1, the input under "0")
  const batch = query >= 0 && req.url.slice(query) === "?batch=1";
  if (
    req.method !== "POST" ||
    contentType !== "application/json" ||
    (query >= 0 && !batch) ||
    getAcceptHeader(req.headers) === "application/jsonl"
  ) {
    return next();
  }
  const auth = readAuth(req);
  if (!auth) return next();
  const now = Date.now();
  const claim = await tokenClaim(c.env.PASSWORD_PEPPER, auth.token, now);
  if (!claim) return next();
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text()); // Hono keeps the text: tRPC reads the same body if this falls through
  } catch {
    return next();
  }
  if (batch) raw = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>)["0"] : undefined;
  const input = groupBuyJoinInput.safeParse(raw);
  if (!input.success) return next();
  const refusal = closedRefusal(input.data.id, claim.userId, input.data.idempotencyKey, now, true);
  if (!refusal) return next();
  const shaped = shapedRefusal(refusal, batch);
  if (!shaped) return next();
  const requestId = c.get("requestId");
  logServerError(requestId, JOIN_PATH, shaped.error);
  return withApiHeaders(
    new Response(shaped.before + JSON.stringify(requestId) + shaped.after, {
      status: shaped.status,
      headers: [...shaped.headers, ...apiHeaderPairs(requestId, shaped.cacheControl)],
    }),
  );
}

/** A refusal's answer, shaped once: everything but the request id, which goes between `before` and `after`. */
interface ShapedRefusal {
  error: TRPCError;
  status: number;
  headers: [string, string][];
  /** Whether `headers` has its own Cache-Control (else the API's `no-store` goes with it). */
  cacheControl: boolean;
  before: string;
  after: string;
}

/** Per refusal the hint holds (a new object each time the room words it again): its plain and batched answers. */
const shapes = new WeakMap<RoomError, { plain?: ShapedRefusal | null; batch?: ShapedRefusal | null }>();
/** Stands for the request id while an answer is shaped (not a string a request id or a message could be). */
const REQUEST_ID_MARK = "\u0000request id\u0000";

/**
 * The answer tRPC gives for this refusal (as worker/index.ts's tRPC handler would: tRPC's getErrorShape with the
 * app's errorFormatter, its status, its headers plus apiResponseMeta's), shaped once per refusal and kind of call,
 * because a storm hears the same refusal thousands of times a second and only the request id differs. The
 * errorFormatter reads nothing of the context but the request id, and nothing of the input (init.ts; the fast-path
 * tests compare every byte with tRPC's own answer); if the request id does not appear exactly once in the answer,
 * null: tRPC answers.
 */
function shapedRefusal(refusal: RoomError, batch: boolean): ShapedRefusal | null {
  let byKind = shapes.get(refusal);
  if (!byKind) {
    byKind = {};
    shapes.set(refusal, byKind);
  }
  const known = batch ? byKind.batch : byKind.plain;
  if (known !== undefined) return known;
  const error = roomErrorToTRPC(refusal);
  const config = appRouter._def._config;
  const ctx = { requestId: REQUEST_ID_MARK } as Context;
  const answer = { error: getErrorShape({ config, error, type: "mutation", path: JOIN_PATH, input: undefined, ctx }) };
  const headers: [string, string][] = [
    ["vary", "trpc-accept, accept"],
    ["content-type", "application/json"],
  ];
  apiResponseMeta({ errors: [error] }).headers?.forEach((value, name) => {
    headers.push([name, value]);
  });
  const parts = JSON.stringify(transformTRPCResponse(config, batch ? [answer] : answer)).split(
    JSON.stringify(REQUEST_ID_MARK),
  );
  const shaped =
    parts.length === 2
      ? {
          error,
          status: getHTTPStatusCode([answer], [error]),
          headers,
          cacheControl: headers.some(([name]) => name.toLowerCase() === "cache-control"),
          before: parts[0],
          after: parts[1],
        }
      : null;
  if (batch) byKind.batch = shaped;
  else byKind.plain = shaped;
  return shaped;
}
