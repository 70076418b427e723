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
