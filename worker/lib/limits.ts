// Request limits of the HTTP API. They live here, not in worker/index.ts: workerd treats every named export of the
// main module as an entrypoint and refuses to start when one is not a handler or class.
export const API_BODY_LIMIT_BYTES = 64 * 1024;
export const MAX_BATCH_SIZE = 10;
