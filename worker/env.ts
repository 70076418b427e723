/** Secrets (`wrangler secret put`; .dev.vars locally) and optional settings that `wrangler types` cannot see. */
declare global {
  interface Env {
    PASSWORD_PEPPER: string;
    /** Comma-separated "version:base64key" pairs; the highest version encrypts, every listed version decrypts. */
    BILLING_KEY_SECRETS: string;
    LIBSQL_URL?: string;
    LIBSQL_AUTH_TOKEN?: string;
  }
}

export type AppEnv = { Bindings: Env; Variables: { requestId: string } };
