import { createTRPCClient, httpBatchLink } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../worker/trpc/router";
// Runtime imports here carry ".ts": Node runs this file directly (`gonggu/sdk` → shared/sdk.ts, type stripping).
import { MAX_BATCH_SIZE } from "./limits.ts";

export type { AppRouter };
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export interface GongguClientOptions {
  /** Base URL of the service, e.g. http://localhost:8787 */
  url: string;
  /** A bearer token from `auth.login({ ..., tokenKind: "bearer" })`; omit for anonymous calls. */
  token?: string | (() => string | undefined);
  /** Custom fetch (tests, proxies). Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
}

/** The typed Gonggu SDK: every procedure of the API with its input and output types. */
export function createGongguClient(options: GongguClientOptions) {
  const base = options.url.replace(/\/+$/, "");
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${base}/api/trpc`,
        maxItems: MAX_BATCH_SIZE,
        fetch: options.fetch,
        headers() {
          const token = typeof options.token === "function" ? options.token() : options.token;
          return { ...options.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) };
        },
      }),
    ],
  });
}

export type GongguClient = ReturnType<typeof createGongguClient>;
