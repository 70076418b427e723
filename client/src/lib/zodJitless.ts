// Our CSP forbids eval: without `jitless`, zod probes `new Function` when the first schema parses (a CSP violation).
// zod reads its settings from this global when it first loads (zod/v4/core/core.js), so setting them here keeps all
// of zod out of the first load (importing zod's `config` pulled ~10 KB of it into the entry).
const scope = globalThis as { __zod_globalConfig?: { jitless?: boolean } };
scope.__zod_globalConfig = { ...scope.__zod_globalConfig, jitless: true };
