/** Limits of the HTTP API that clients must respect too (the SDK batches at most MAX_BATCH_SIZE calls). */
export const API_BODY_LIMIT_BYTES = 64 * 1024;
export const MAX_BATCH_SIZE = 10;
