import { z } from "zod";
import { BANK_CODES, BUSINESS_TYPES } from "../payouts";
import { businessNumberSchema, emailSchema } from "./accounts";
import { NO_CONTROL_CHARS } from "./common";

/**
 * A seller's payout account (정산 계좌): registered with Toss 지급대행 v2 (/v2/sellers), which keeps the account number
 * and decides, by the seller's status, whether and how much it will pay them.
 */

const personName = z
  .string()
  .trim()
  .min(1, "Enter a name")
  .max(40, "Names are at most 40 characters")
  .regex(NO_CONTROL_CHARS, "Names cannot contain line breaks or control characters");

/** Mobile or landline digits; hyphens are dropped. */
const phoneSchema = z
  .string()
  .trim()
  .regex(/^0\d{1,2}-?\d{3,4}-?\d{4}$/, "Phone is 9–11 digits starting with 0 (010-1234-5678)")
  .transform((s) => s.replace(/-/g, ""));

/** Account numbers are 10–16 digits at Korean banks; hyphens as printed on a bankbook are dropped. */
export const accountNumberSchema = z
  .string()
  .trim()
  .regex(/^\d[\d-]{8,18}\d$/, "Account number is digits (hyphens allowed)")
  .transform((s) => s.replace(/-/g, ""))
  .pipe(z.string().regex(/^\d{10,16}$/, "Account number is 10–16 digits"));

/**
 * `seller.payoutAccount.save`: one form for register and update. A business (개인사업자/법인) also gives its
 * representative and registration number; an individual only their name.
 */
export const payoutAccountInput = z
  .object({
    businessType: z.enum(BUSINESS_TYPES),
    /** The person (INDIVIDUAL) or the business name (상호). */
    name: personName,
    representativeName: personName.optional(),
    businessNumber: businessNumberSchema.optional(),
    email: emailSchema,
    phone: phoneSchema,
    bankCode: z.enum(BANK_CODES),
    accountNumber: accountNumberSchema,
    holderName: personName,
  })
  .superRefine((v, ctx) => {
    if (v.businessType === "INDIVIDUAL") return;
    if (!v.representativeName) {
      ctx.addIssue({ code: "custom", path: ["representativeName"], message: "A business needs its representative" });
    }
    if (!v.businessNumber) {
      ctx.addIssue({ code: "custom", path: ["businessNumber"], message: "A business needs its registration number" });
    }
  });
export type PayoutAccountInput = z.infer<typeof payoutAccountInput>;
