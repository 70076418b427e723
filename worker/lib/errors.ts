import { TRPCError } from "@trpc/server";

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
 * Machine-readable facts about a failure (e.g. `{ reason: "insufficient_points", shortfall: 3000 }`). Pass it as the
 * TRPCError's cause; the errorFormatter copies `details` into `error.data.details` for the client.
 */
export class ErrorDetails extends Error {
  constructor(readonly details: Record<string, string | number | boolean | null>) {
    super("details");
    this.name = "ErrorDetails";
  }
}

/** Like fail(), with details for the client. */
export function failWith(code: ErrorCode, message: string, details: ErrorDetails["details"]): never {
  throw new TRPCError({ code, message, cause: new ErrorDetails(details) });
}
