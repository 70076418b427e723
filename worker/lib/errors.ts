import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import { DrizzleQueryError } from "drizzle-orm";

export type ErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "TOO_MANY_REQUESTS"
  | "PRECONDITION_FAILED"
  | "PAYLOAD_TOO_LARGE";

/** Every expected failure is a TRPCError with a code and a sentence the user can act on. */
export function fail(code: ErrorCode, message: string): never {
  throw new TRPCError({ code, message });
}

/**
 * The cause of a TOO_MANY_REQUESTS error: how long to wait. The API sends it as `Retry-After` and in the error data,
 * with `details` (a reason the client words) when there are some.
 */
export class RetryAfter extends Error {
  constructor(
    readonly ms: number,
    readonly details: ErrorDetails["details"] | null = null,
  ) {
    super(`Retry after ${ms} ms`);
    this.name = "RetryAfter";
  }
}

export function failRateLimited(
  message: string,
  retryAfterMs: number,
  details: ErrorDetails["details"] | null = null,
): never {
  throw new TRPCError({ code: "TOO_MANY_REQUESTS", message, cause: new RetryAfter(retryAfterMs, details) });
}

/** A wait as the English messages say it: "15 minutes", "1 minute", "3 hours". */
export function waitInWords(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  const [n, unit] = minutes < 120 ? [minutes, "minute"] : [Math.ceil(minutes / 60), "hour"];
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** Whole seconds to wait before retrying (at least 1), or null when the error is not a rate limit. */
export function retryAfterSeconds(error: unknown): number | null {
  if (!(error instanceof TRPCError) || !(error.cause instanceof RetryAfter)) return null;
  return Math.max(1, Math.ceil(error.cause.ms / 1000));
}

/** tRPC's responseMeta for the API: a rate-limited call tells HTTP clients when to come back (batched calls: the longest). */
export function apiResponseMeta({ errors }: { errors: TRPCError[] }): { headers?: Headers } {
  const wait = Math.max(0, ...errors.map((e) => retryAfterSeconds(e) ?? 0));
  return wait > 0 ? { headers: new Headers({ "Retry-After": String(wait) }) } : {};
}

const HTTP_STATUS = { BAD_REQUEST: 400, FORBIDDEN: 403, NOT_FOUND: 404, PAYLOAD_TOO_LARGE: 413 } as const;
export type ApiErrorCode = keyof typeof HTTP_STATUS;

/**
 * An error answered outside tRPC (body limit, CSRF, unknown route) in the shape tRPC uses, so the SDK raises a
 * TRPCClientError with `data.code` instead of "Unable to transform response".
 */
export function apiError(
  code: ApiErrorCode,
  message: string,
  requestId: string,
  httpStatus: number = HTTP_STATUS[code],
) {
  return {
    httpStatus,
    body: { error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus, requestId } } },
  };
}

/**
 * Logs a 5xx with everything needed to find it again: the request id the caller was told, the procedure, and the
 * whole cause chain (drizzle wraps the driver's "no such table" in "Failed query: …"). Expected errors are not logged.
 */
export function logServerError(requestId: string | undefined, path: string | undefined, error: TRPCError): void {
  if (getHTTPStatusCodeFromError(error) < 500) return;
  if (error.cause instanceof ErrorDetails) {
    // a refusal with a reason the client words (a full room): worth a line, not an error with its stack
    console.warn(JSON.stringify({ level: "warn", requestId, path, code: error.code, details: error.cause.details }));
    return;
  }
  const causes = causesForLog(error.cause);
  console.error(
    JSON.stringify({
      level: "error",
      requestId,
      path,
      code: error.code,
      message: withoutQueryValues(error.message, error),
      causes,
      stack: error.stack && withoutQueryValues(error.stack, error),
    }),
  );
}

/**
 * drizzle's "Failed query: <sql>\nparams: <values>" carries the statement's values (an email, a password hash, a post's
 * body), and tRPC copies that message into the TRPCError's message and stack: the log keeps the SQL, not the values.
 */
export function withoutQueryValues(text: string, error: unknown): string {
  let out = text;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof DrizzleQueryError && e.params.length > 0) {
      out = out.replaceAll(`\nparams: ${e.params}`, `\nparams: (${e.params.length} values withheld)`);
    }
  }
  return out;
}

/** An error as a log line may carry it: its text without a failed query's values (every log of a caught error). */
export function errorForLog(error: unknown): string {
  return withoutQueryValues(String(error), error);
}

/** causeChain for a log line: each message without a failed query's values. */
export function causesForLog(error: unknown): string[] {
  return causeChain(error).map((m) => withoutQueryValues(m, error));
}

/**
 * Machine-readable facts about a failure (e.g. `{ reason: "insufficient_points", shortfall: 3000 }`). Pass it as the
 * TRPCError's cause; the errorFormatter copies `details` into `error.data.details` for the client.
 */
export class ErrorDetails extends Error {
  constructor(readonly details: Record<string, string | number | boolean | null>) {
    super("details");
    this.name = "ErrorDetails";
  }
}

/**
 * Builds an error without capturing a stack trace, for expected refusals (4xx) thrown on hot paths: their stack is
 * never shown or logged (logServerError logs 5xx only), and V8 walks the whole async stack (Hono, tRPC) to capture one.
 */
export function stackless<T extends Error>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** The details a client words an expected refusal by (`error.data.details`): a reason's, or a rate limit's. */
export function detailsOf(error: TRPCError): ErrorDetails["details"] | null {
  if (error.cause instanceof ErrorDetails) return error.cause.details;
  return error.cause instanceof RetryAfter ? error.cause.details : null;
}

/** Like fail(), with details for the client. */
export function failWith(code: ErrorCode, message: string, details: ErrorDetails["details"]): never {
  throw new TRPCError({ code, message, cause: new ErrorDetails(details) });
}

/** The messages of an error and its causes, outermost first (drizzle wraps the driver's error in "Failed query: …"). */
export function causeChain(error: unknown, max = 5): string[] {
  const messages: string[] = [];
  for (let e: unknown = error; messages.length < max && e !== undefined && e !== null; e = (e as Error).cause) {
    messages.push(e instanceof Error ? e.message : String(e));
    if (!(e instanceof Error)) break;
  }
  return messages;
}
