import { TRPCError } from "@trpc/server";
import { type ErrorCode, ErrorDetails, stackless } from "../lib/errors";

/**
 * Results crossing the Durable Object RPC boundary. A thrown TRPCError would arrive as a plain Error (its code and
 * details lost), so the room returns expected failures as values and the procedure turns them back into errors.
 */
export type RoomError = {
  ok: false;
  code: ErrorCode;
  message: string;
  details?: Record<string, string | number | boolean | null>;
};
export type RoomResult<T extends object> = ({ ok: true } & T) | RoomError;

export function roomError(code: ErrorCode, message: string, details?: RoomError["details"]): RoomError {
  return details ? { ok: false, code, message, details } : { ok: false, code, message };
}

/** Expected (typed, non-internal) TRPCErrors become RoomErrors; anything else is rethrown. */
export function toRoomError(e: unknown): RoomError {
  if (e instanceof TRPCError && e.code !== "INTERNAL_SERVER_ERROR") {
    const details = e.cause instanceof ErrorDetails ? e.cause.details : undefined;
    return roomError(e.code as ErrorCode, e.message, details);
  }
  throw e;
}

/** Runs a synchronous room step; a `fail()` inside it becomes a RoomError value. */
export function attempt<T extends object>(step: () => T): ({ ok: true } & T) | RoomError {
  try {
    return { ok: true, ...step() };
  } catch (e) {
    return toRoomError(e);
  }
}

/** The TRPCError a RoomError stands for. */
export function roomErrorToTRPC(e: RoomError): TRPCError {
  // a room's refusal is always an expected 4xx (RoomError's codes), answered thousands of times a second in a storm
  return stackless(
    () =>
      new TRPCError({
        code: e.code,
        message: e.message,
        cause: e.details ? new ErrorDetails(e.details) : undefined,
      }),
  );
}

/** The success value without its `ok` tag, or the RoomError thrown as the TRPCError it stands for. */
export function unwrapRoom<R extends { ok: boolean }>(
  result: R,
): Omit<Extract<R, { ok: true }>, "ok" | typeof Symbol.dispose> {
  if (!result.ok) throw roomErrorToTRPC(result as unknown as RoomError);
  const { ok: _ok, ...value } = result as unknown as Record<string, unknown>;
  return value as Omit<Extract<R, { ok: true }>, "ok" | typeof Symbol.dispose>;
}
