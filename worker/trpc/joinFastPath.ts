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
import { roomErrorToTRPC } from "../groupbuy/roomResult";
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
 * responseMeta, for a plain call or the SDK's batch of one. Anything else — no claim (cookie or older token), a batch
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
  const error = roomErrorToTRPC(refusal);
  const requestId = c.get("requestId");
  logServerError(requestId, JOIN_PATH, error);
  const config = appRouter._def._config;
  // the errorFormatter reads only the request id of the context (init.ts)
  const ctx = { requestId } as Context;
  const answer = { error: getErrorShape({ config, error, type: "mutation", path: JOIN_PATH, input: raw, ctx }) };
  const headers = new Headers([
    ["vary", "trpc-accept, accept"],
    ["content-type", "application/json"],
  ]);
  apiResponseMeta({ errors: [error] }).headers?.forEach((value, name) => {
    headers.append(name, value);
  });
  const body = transformTRPCResponse(config, batch ? [answer] : answer);
  return new Response(JSON.stringify(body), { status: getHTTPStatusCode([answer], [error]), headers });
}
