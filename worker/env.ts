/** Optional settings that `wrangler types` cannot see (unset by default). */
declare global {
  interface Env {
    LIBSQL_URL?: string;
    LIBSQL_AUTH_TOKEN?: string;
  }
}

export type AppEnv = { Bindings: Env; Variables: { requestId: string } };
