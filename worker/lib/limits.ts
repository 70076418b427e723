// Request limits of the HTTP API. They live here, not in worker/index.ts: workerd treats every named export of the
// main module as an entrypoint and refuses to start when one is not a handler or class. The values are in
// shared/limits.ts because the SDK batches by the same limit.
export { API_BODY_LIMIT_BYTES, MAX_BATCH_SIZE } from "../../shared/limits";
