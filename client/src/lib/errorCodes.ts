import type { MessageKey } from "../i18n/ko";

/**
 * A sentence per error code, for refusals the server does not explain with a reason the client words (errorText.ts).
 * A module of its own, without the API client, so the Node tests of the wording can read it.
 */
export const BY_CODE: Partial<Record<string, MessageKey>> = {
  NOT_FOUND: "error.notFound",
  BAD_REQUEST: "error.badRequest",
  UNAUTHORIZED: "error.loggedOut",
  FORBIDDEN: "error.forbidden",
  PRECONDITION_FAILED: "error.notNow",
  CONFLICT: "error.conflict",
  TOO_MANY_REQUESTS: "error.tooFast",
  SERVICE_UNAVAILABLE: "error.unavailable",
  PAYLOAD_TOO_LARGE: "error.tooLarge",
};
