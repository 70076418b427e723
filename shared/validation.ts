import type { z } from "zod";

/**
 * Input validation problems as stable, language-free codes with the limit that was broken. The server sends them
 * with every BAD_REQUEST from zod (errorFormatter → data.issues); the SPA renders each one in the reader's language
 * (client/src/lib/validation.ts). `message` is the schema's English text, kept for SDK callers and logs.
 */
export type ValidationIssue = { path: string; message: string } & (
  | { code: "invalid_type"; expected: "number" | "integer" | "string" | "boolean" | "other" }
  | { code: "too_small"; kind: SizeKind; min: number }
  | { code: "too_big"; kind: SizeKind; max: number }
  | { code: "not_multiple_of"; step: number }
  | { code: "invalid_format"; format: string }
  | { code: "invalid_choice" }
  | { code: "invalid" }
);
export type ExpectedType = "number" | "integer" | "string" | "boolean" | "other";
export type ValidationCode = ValidationIssue["code"];
/** What a size limit counts: characters, the number itself, or list items. */
export type SizeKind = "string" | "number" | "array" | "other";

/** At most this many issues are reported (enough for any one form). */
export const MAX_REPORTED_ISSUES = 20;

function sizeKind(origin: unknown): SizeKind {
  return origin === "string" || origin === "number" || origin === "array" ? origin : "other";
}

/** A number a limit can be shown as (zod may carry bigint or Date limits; those become 0 and the text stays generic). */
const limitOf = (value: unknown, inclusive: unknown, step: 1 | -1): number => {
  const n = typeof value === "number" && Number.isFinite(value) ? value : 0;
  // ">0" (exclusive) is shown as ">= 1" for whole-number fields; the exact limit is kept for inclusive ones.
  return inclusive === false && Number.isInteger(n) ? n + step : n;
};

export function validationIssue(issue: z.core.$ZodIssue): ValidationIssue {
  const base = { path: issue.path.map(String).join("."), message: issue.message };
  switch (issue.code) {
    case "invalid_type": {
      const e: string = issue.expected;
      const expected = e === "int" ? "integer" : e === "number" || e === "string" || e === "boolean" ? e : "other";
      return { ...base, code: "invalid_type", expected: expected as ExpectedType };
    }
    case "too_small":
      return {
        ...base,
        code: "too_small",
        kind: sizeKind(issue.origin),
        min: limitOf(issue.minimum, issue.inclusive, 1),
      };
    case "too_big":
      return {
        ...base,
        code: "too_big",
        kind: sizeKind(issue.origin),
        max: limitOf(issue.maximum, issue.inclusive, -1),
      };
    case "not_multiple_of":
      return { ...base, code: "not_multiple_of", step: Number(issue.divisor) };
    case "invalid_format":
      return { ...base, code: "invalid_format", format: issue.format };
    case "invalid_value":
      return { ...base, code: "invalid_choice" };
    default:
      return { ...base, code: "invalid" };
  }
}

export function validationIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.slice(0, MAX_REPORTED_ISSUES).map(validationIssue);
}
