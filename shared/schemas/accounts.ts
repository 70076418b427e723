import { z } from "zod";
import { idSchema, NO_CONTROL_CHARS, reasonSchema } from "./common";

export const emailSchema = z
  .string()
  .trim()
  .min(1, "Enter your email address")
  .max(254, "Email is at most 254 characters")
  .toLowerCase()
  .pipe(z.email("Enter a valid email address"));
export const passwordSchema = z
  .string()
  .min(10, "Password must be at least 10 characters")
  .max(128, "Password must be at most 128 characters");
export const displayNameSchema = z
  .string()
  .trim()
  .min(2, "Display name must be 2–20 characters")
  .max(20, "Display name must be 2–20 characters")
  .regex(NO_CONTROL_CHARS, "Display name cannot contain line breaks or control characters");

export const signupInput = z.object({
  email: emailSchema,
  password: passwordSchema,
  displayName: displayNameSchema,
});
export const loginInput = z.object({
  email: emailSchema,
  // Not the signup rule: a login must not reveal the password policy of an existing account.
  password: z.string().min(1, "Enter your password").max(128, "Password must be at most 128 characters"),
  /** "bearer" returns a token for SDK callers instead of (only) setting the cookie. */
  tokenKind: z.enum(["cookie", "bearer"]).default("cookie"),
});

// Korean business registration number: 10 digits, printed as 123-45-67890.
export const businessNumberSchema = z
  .string()
  .trim()
  .regex(/^\d{3}-?\d{2}-?\d{5}$/, "Business number is 10 digits (123-45-67890)")
  .transform((s) => s.replace(/-/g, ""));
export const sellerApplyInput = z.object({
  businessName: z
    .string()
    .trim()
    .min(2, "Business name must be 2–60 characters")
    .max(60, "Business name must be 2–60 characters")
    .regex(NO_CONTROL_CHARS, "Business name cannot contain line breaks or control characters"),
  businessNumber: businessNumberSchema,
});
export const sellerDecisionInput = z.object({
  applicationId: idSchema,
  reason: reasonSchema.optional(),
});
export const suspendUserInput = z.object({
  userId: idSchema,
  days: z
    .number()
    .int("Days must be a whole number")
    .min(1, "Suspend for 1–365 days")
    .max(365, "Suspend for 1–365 days"),
  reason: reasonSchema,
});

export const ROLES = ["buyer", "seller", "admin"] as const;
export type Role = (typeof ROLES)[number];
