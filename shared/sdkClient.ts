import { createTRPCClient, httpBatchLink } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../worker/trpc/router";
// Runtime imports here carry ".ts": Node runs this file directly (`gonggu/sdk` → shared/sdk.ts, type stripping).
// No zod here: the SPA's first screen loads this file (shared/sdk.ts adds the room, which validates with zod).
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

/** Each client's options, so helpers such as connectRoom need only the client. */
const clientOptions = new WeakMap<object, GongguClientOptions>();

/** The options a client was created with (its base URL without a trailing slash). */
export function optionsOf(client: GongguClient): GongguClientOptions {
  const options = clientOptions.get(client);
  if (!options) throw new Error("Not a client from createGongguClient");
  return options;
}

/** The typed Gonggu SDK: every procedure of the API with its input and output types. */
export function createGongguClient(options: GongguClientOptions) {
  const base = options.url.replace(/\/+$/, "");
  const client = createTRPCClient<AppRouter>({
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
  clientOptions.set(client, { ...options, url: base });
  return client;
}

export type GongguClient = ReturnType<typeof createGongguClient>;

export type ReconciliationRow = RouterOutputs["admin"]["wallet"]["reconciliations"][number];
/** What admin.wallet.reconcile returns: the run it started, or (`alreadyRunning`) the one still in progress. */
export type ReconciliationRun = RouterOutputs["admin"]["wallet"]["reconcile"];

/** Rows per page of admin.wallet.reconciliations (its most). */
const RECONCILIATION_PAGE = 100;

/**
 * The rows a reconciliation run (admin.wallet.reconcile's `runAt`, also when it answered `alreadyRunning`) has stored
 * so far, every book database, in (book, database) order: the run is complete once there are as many as its `books`.
 * Admins only.
 */
export async function reconciliationRunRows(client: GongguClient, runAt: number): Promise<ReconciliationRow[]> {
  const rows: ReconciliationRow[] = [];
  let after: { book: string; database: string } | undefined;
  for (;;) {
    const page = await client.admin.wallet.reconciliations.query({
      limit: RECONCILIATION_PAGE,
      run: { at: runAt, after },
    });
    rows.push(...page);
    const last = page.at(-1);
    if (!last || page.length < RECONCILIATION_PAGE) return rows;
    after = { book: last.book, database: last.database };
  }
}
