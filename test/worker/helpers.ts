import { exports } from "cloudflare:workers";
import { TRPCClientError } from "@trpc/client";
import { createGongguClient, type GongguClient } from "../../shared/sdk";
import { testClientIp } from "./api";

export const BASE = "http://localhost";

/** fetch into the whole worker (Hono + tRPC) with a cookie jar, like a browser on our origin (at its own address). */
export function browserFetch(ip = testClientIp()): typeof fetch & { cookies: Map<string, string> } {
  const cookies = new Map<string, string>();
  const f = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init);
    const headers = new Headers(req.headers);
    if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", ip);
    if (cookies.size) headers.set("cookie", [...cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    if (req.method !== "GET") headers.set("origin", BASE);
    const res = await exports.default.fetch(new Request(req, { headers }));
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const [name, value] = pair.split("=");
      if (attrs.some((a: string) => a.trim().toLowerCase() === "max-age=0")) cookies.delete(name);
      else cookies.set(name, value);
    }
    return res;
  };
  return Object.assign(f, { cookies });
}

/** A client that authenticates with the session cookie (the SPA's way). */
export function cookieClient(jar = browserFetch()): GongguClient {
  return createGongguClient({ url: BASE, fetch: jar });
}

/** A client that authenticates with a bearer token (the SDK's way). */
export function bearerClient(token?: string): GongguClient {
  return createGongguClient({
    url: BASE,
    token,
    headers: { "cf-connecting-ip": testClientIp() },
    fetch: (i, init) => exports.default.fetch(new Request(i, init)),
  });
}

let counter = 0;
export function uniqueEmail(prefix = "user"): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

/** Signs up a fresh buyer and returns a cookie client logged in as them. */
export async function newBuyer(name = "테스트이웃") {
  const jar = browserFetch();
  const client = cookieClient(jar);
  const email = uniqueEmail();
  const password = "correct horse battery";
  const { user } = await client.auth.signup.mutate({ email, password, displayName: name });
  return { client, jar, user, email, password };
}

export async function errorOf(
  promise: Promise<unknown>,
): Promise<{ code: string; message: string; zodError: unknown; details: Record<string, unknown> | null }> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof TRPCClientError) {
      return { code: e.data?.code, message: e.message, zodError: e.data?.zodError, details: e.data?.details ?? null };
    }
    throw e;
  }
  throw new Error("expected the call to fail, but it succeeded");
}
