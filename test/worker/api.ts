import { exports } from "cloudflare:workers";
import { clientIp } from "../../scripts/lib/clientIp";
import { BASE } from "./helpers";

export type ProcedureKind = "query" | "mutation";

export interface ApiCall {
  path: string;
  kind: ProcedureKind;
  /** Any JSON value; `undefined` sends no input. */
  input?: unknown;
  /** Bearer token. */
  token?: string;
  /** Raw Cookie header. */
  cookie?: string;
  origin?: string;
  /** Client IP as Cloudflare reports it (cf-connecting-ip); default: a fresh one (`testClientIp`). */
  ip?: string;
  headers?: Record<string, string>;
}

export interface ApiResult {
  status: number;
  headers: Headers;
  /** The parsed JSON body (or the raw text when it is not JSON). */
  body: unknown;
  /** `result.data` of a successful call. */
  data: unknown;
  /** `error.data.code` of a failed call (e.g. "FORBIDDEN"), null on success. */
  code: string | null;
  message: string | null;
  error: { message: string; code: number; data: Record<string, unknown> } | null;
}

let clientSerial = Math.floor(Math.random() * 60_000);

/**
 * A client address of its own for a test's user or call. Without one every request would come from the runtime's
 * fallback 127.0.0.1, one network for the whole suite, and per-network limits (30 sign-ups an hour) would refuse it
 * after a few files: the tests are many people, as in production.
 */
export function testClientIp(): string {
  return clientIp(++clientSerial);
}

/** One tRPC call over raw HTTP into the whole worker (Hono middleware included), the way any client sends it. */
export async function callApi(call: ApiCall): Promise<ApiResult> {
  const headers = new Headers(call.headers);
  if (call.token) headers.set("authorization", `Bearer ${call.token}`);
  if (call.cookie) headers.set("cookie", call.cookie);
  if (call.origin) headers.set("origin", call.origin);
  headers.set("cf-connecting-ip", call.ip ?? testClientIp());
  const url = new URL(`/api/trpc/${call.path}`, BASE);
  let init: RequestInit;
  if (call.kind === "query") {
    if (call.input !== undefined) url.searchParams.set("input", JSON.stringify(call.input));
    init = { method: "GET", headers };
  } else {
    headers.set("content-type", "application/json");
    init = { method: "POST", headers, body: call.input === undefined ? undefined : JSON.stringify(call.input) };
  }
  return readApiResponse(await exports.default.fetch(new Request(url, init)));
}

export async function readApiResponse(res: Response): Promise<ApiResult> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: left as text so the assertion shows it
  }
  const b = body as { result?: { data?: unknown }; error?: ApiResult["error"] } | null;
  const error = b && typeof b === "object" && b.error && typeof b.error === "object" ? b.error : null;
  return {
    status: res.status,
    headers: res.headers,
    body,
    data: error ? undefined : b?.result?.data,
    code: error ? String(error.data?.code ?? "?") : null,
    message: error ? error.message : null,
    error,
  };
}
