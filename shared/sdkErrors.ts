import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "../worker/trpc/router";

/** What the worker's errorFormatter (worker/trpc/init.ts) puts in `error.data`. */
type ErrorData = NonNullable<TRPCClientError<AppRouter>["data"]>;

/** tRPC's error codes: BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, PRECONDITION_FAILED, TOO_MANY_REQUESTS, … */
export type GongguErrorCode = ErrorData["code"];
/** Machine-readable facts of a refusal, e.g. `{ reason: "not_enough_shares", remaining: 2 }`. */
export type GongguErrorDetails = NonNullable<ErrorData["details"]>;

/** Everything a caller can branch on, from an API call's error or a room's refusal, without reading the message. */
export interface GongguError {
  code: GongguErrorCode;
  /** A sentence for people (English); word your own UI from `code`, `reason` and `issues`. */
  message: string;
  /** null for room (WebSocket) errors. */
  httpStatus: number | null;
  /** Quote it to support; every API answer has one. null for room errors. */
  requestId: string | null;
  /** Bad input: zod's flattened issues per field. */
  zodError: ErrorData["zodError"];
  /** Bad input: the same problems as stable codes with the limit that was broken (shared/validation.ts). */
  issues: ErrorData["issues"];
  /** TOO_MANY_REQUESTS: whole seconds to wait before trying again. */
  retryAfterSeconds: number | null;
  details: GongguErrorDetails | null;
  /** `details.reason`: e.g. "sold_out", "not_enough_shares", "insufficient_points", "max_per_person", "closed". */
  reason: string | null;
}

/** A refusal's stable reason code (`details.reason`), or null when it has none. */
export function reasonOf(details: Readonly<Record<string, unknown>> | null | undefined): string | null {
  return typeof details?.reason === "string" ? details.reason : null;
}

/** A live room's refusal or failure (connectRoom): same fields as an API error. */
export class GongguRoomError extends Error {
  readonly info: GongguError;
  constructor(info: Omit<GongguError, "httpStatus" | "requestId" | "reason">) {
    super(info.message);
    this.name = "GongguRoomError";
    this.info = { ...info, httpStatus: null, requestId: null, reason: reasonOf(info.details) };
  }
}

/**
 * The typed error behind a failed call: a TRPCClientError from any procedure (including errors the worker answers
 * before tRPC, such as the body limit) or a GongguRoomError. null for anything else (network failures, your own bugs).
 */
export function gongguErrorOf(error: unknown): GongguError | null {
  if (error instanceof GongguRoomError) return error.info;
  if (!(error instanceof TRPCClientError)) return null;
  const data = (error as TRPCClientError<AppRouter>).data;
  if (!data) return null; // no answer from the service (network) or one that is not ours
  const details = data.details ?? null;
  return {
    code: data.code,
    message: error.message,
    httpStatus: data.httpStatus ?? null,
    requestId: data.requestId ?? null,
    zodError: data.zodError ?? null,
    issues: data.issues ?? null,
    retryAfterSeconds: data.retryAfterSeconds ?? null,
    details,
    reason: reasonOf(details),
  };
}

/** Whether `error` is a Gonggu error (with one of `codes`, if given): `if (isGongguError(e, "CONFLICT")) …`. */
export function isGongguError(
  error: unknown,
  ...codes: GongguErrorCode[]
): error is TRPCClientError<AppRouter> | GongguRoomError {
  const info = gongguErrorOf(error);
  return info !== null && (codes.length === 0 || codes.includes(info.code));
}
