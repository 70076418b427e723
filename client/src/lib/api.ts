import { TRPCClientError } from "@trpc/client";
import { createGongguClient, type RouterOutputs } from "../../../shared/sdkClient";
import { gongguErrorOf } from "../../../shared/sdkErrors";
import type { ValidationIssue } from "../../../shared/validation";
import { fetchEarly } from "./early";

export type { RouterOutputs };

/**
 * The typed SDK on our own origin. The session lives in an HttpOnly cookie that fetch sends same-origin by default,
 * so no token is ever visible to JavaScript. The boot requests index.html already sent are taken over, not repeated.
 */
export const api = createGongguClient({ url: window.location.origin, fetch: fetchEarly });

/** A second client for a boot request that must go out in a batch of its own (see lib/homePrefetch.ts). */
export const bootClient = () => createGongguClient({ url: window.location.origin, fetch: fetchEarly });

export type Me = RouterOutputs["auth"]["me"];
export type Region = RouterOutputs["regions"]["list"][number];

/** The tRPC error code of a failed call (e.g. "UNAUTHORIZED"), or null for network and other errors. */
export function errorCode(error: unknown): string | null {
  return gongguErrorOf(error)?.code ?? null;
}

/**
 * Whether a load failed because the thing is not there: NOT_FOUND, or an id in the address that is not even valid
 * (BAD_REQUEST). Retrying cannot help.
 */
export function isNotFound(error: unknown): boolean {
  const code = errorCode(error);
  return code === "NOT_FOUND" || code === "BAD_REQUEST";
}

/** Whether loading it again cannot help: the thing is not there (isNotFound), or not for this reader (FORBIDDEN). */
export function isLoadFinal(error: unknown): boolean {
  return isNotFound(error) || errorCode(error) === "FORBIDDEN";
}

/** The server's validation issues (stable codes + limits; lib/validation.ts words them), or [] for other errors. */
export function validationIssuesOf(error: unknown): ValidationIssue[] {
  return gongguErrorOf(error)?.issues ?? [];
}

/** The machine-readable details of a refusal (e.g. { reason: "deferred_cap", remaining }), or null. */
export function errorDetails(error: unknown): Record<string, unknown> | null {
  return gongguErrorOf(error)?.details ?? null;
}

/** The server's message for a failed call (it is written for people), or null for network failures. */
export function errorMessage(error: unknown): string | null {
  return error instanceof TRPCClientError ? error.message : null;
}
