/**
 * The headers every /api response carries: the request id the caller can quote (it is also in every error's data),
 * nosniff, and `no-store` unless the handler chose its own Cache-Control. worker/index.ts adds them after the handler
 * ran; a handler that builds its response with them already (`withApiHeaders`, the sold-out fast path) spares it that
 * (a has() and three set() calls into the runtime per response).
 */
export function apiHeaderPairs(requestId: string, hasCacheControl: boolean): [string, string][] {
  const headers: [string, string][] = [
    ["X-Request-Id", requestId],
    ["X-Content-Type-Options", "nosniff"],
  ];
  if (!hasCacheControl) headers.push(["Cache-Control", "no-store"]);
  return headers;
}

const complete = new WeakSet<Response>();

/** A response built with apiHeaderPairs among its headers: worker/index.ts leaves it as it is. */
export function withApiHeaders(res: Response): Response {
  complete.add(res);
  return res;
}

export function hasApiHeaders(res: Response): boolean {
  return complete.has(res);
}
