import { z } from "zod";

/** Ids are 26-char sortable ids; region ids are readable slugs. */
export const idSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, "Not a valid id");
export const regionIdSchema = z
  .string()
  .min(2, "Region ids are 2–64 characters")
  .max(64, "Region ids are 2–64 characters")
  .regex(/^[a-z0-9-]+$/, "Region ids are lowercase letters, digits and dashes");
/** For single-line names people type: no newlines, NUL or terminal escape codes (emoji and Hangul are fine). */
export const NO_CONTROL_CHARS = /^[^\p{Cc}]*$/u;
export const idempotencyKeySchema = z
  .string()
  .min(8, "Idempotency keys are 8–64 characters")
  .max(64, "Idempotency keys are 8–64 characters")
  .regex(/^[A-Za-z0-9_-]+$/, "Idempotency keys use letters, digits, '-' and '_' only");
export const cursorSchema = z.string().max(128).optional();
export const limitSchema = z.number().int().min(1).max(100).default(20);
export const reasonSchema = z.string().trim().min(2, "Give a reason of at least 2 characters").max(500);
