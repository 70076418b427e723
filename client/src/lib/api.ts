import { TRPCClientError } from "@trpc/client";
import { type AppRouter, createGongguClient, type RouterOutputs } from "../../../shared/sdk";

export type { RouterOutputs };

/**
 * The typed SDK on our own origin. The session lives in an HttpOnly cookie that fetch sends same-origin by default,
 * so no token is ever visible to JavaScript.
 */
export const api = createGongguClient({ url: window.location.origin });

export type Me = RouterOutputs["auth"]["me"];
export type Region = RouterOutputs["regions"]["list"][number];

/** The tRPC error code of a failed call (e.g. "UNAUTHORIZED"), or null for network and other errors. */
export function errorCode(error: unknown): string | null {
  return error instanceof TRPCClientError ? ((error as TRPCClientError<AppRouter>).data?.code ?? null) : null;
}

/** Server validation messages per input field (the errorFormatter's flattened zod issues). */
export function fieldErrors(error: unknown): Record<string, string[] | undefined> {
  if (!(error instanceof TRPCClientError)) return {};
  const data = (error as TRPCClientError<AppRouter>).data as { zodError?: { fieldErrors?: Record<string, string[]> } };
  return data?.zodError?.fieldErrors ?? {};
}

/** The server's message for a failed call (it is written for people), or null for network failures. */
export function errorMessage(error: unknown): string | null {
  return error instanceof TRPCClientError ? error.message : null;
}
