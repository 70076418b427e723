import { registerHooks } from "node:module";

/**
 * Worker code imports siblings without extensions ("../lib/ids"), which Vite and wrangler resolve but Node's ESM
 * loader does not. Scripts that reuse worker modules (password hashing, drizzle schema) call this first and then
 * import those modules dynamically.
 */
export function resolveExtensionlessTs(): void {
  registerHooks({
    resolve(specifier, context, next) {
      try {
        return next(specifier, context);
      } catch (e) {
        const relative = specifier.startsWith("./") || specifier.startsWith("../");
        if ((e as { code?: string }).code !== "ERR_MODULE_NOT_FOUND" || !relative || specifier.endsWith(".ts")) throw e;
        try {
          return next(`${specifier}.ts`, context);
        } catch {
          return next(`${specifier}/index.ts`, context);
        }
      }
    },
  });
}
