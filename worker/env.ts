/**
 * Optional settings that `wrangler types` cannot see. Secrets are typed from .dev.vars.example by `npm run cf-typegen`
 * (production values: `wrangler secret put NAME`).
 */
declare global {
  interface Env {
    LIBSQL_URL?: string;
    LIBSQL_AUTH_TOKEN?: string;
    /** Queue retry backoff (worker/queue/retry.ts): base and cap in seconds. */
    QUEUE_RETRY_BASE_S?: string;
    QUEUE_RETRY_MAX_S?: string;
    /** JSON map regionId → D1 binding name for region books moved off the main database (worker/wallet/books.ts). */
    LEDGER_BOOKS?: string;
    /** "1" only in `npm run bench:read`'s wrangler dev: serves the bare baseline routes under /api/bench/. */
    BENCH_ROUTES?: string;
    /** Only in bench:chat's capacity rows' wrangler dev: the room-wide chat cap, lifted (worker/durable/chatRoomCap.ts). */
    BENCH_CHAT_ROOM_LIMIT?: string;
  }
}

export type AppEnv = { Bindings: Env; Variables: { requestId: string } };
