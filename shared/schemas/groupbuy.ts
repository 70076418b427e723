import { z } from "zod";
import { GROUP_BUY_STATUSES, PRODUCT_CATEGORIES } from "../groupbuy";
import { cursorSchema, idempotencyKeySchema, idSchema, limitSchema, reasonSchema, regionIdSchema } from "./common";

// Inputs for products, group buys and seller payouts. The client reuses these for its forms, so every message is a
// sentence a person can act on. Money is integer won; times are epoch ms.

export { GROUP_BUY_STATUSES, type GroupBuyStatus, PRODUCT_CATEGORIES, type ProductCategory } from "../groupbuy";

export const LIMITS = {
  titleMax: 80,
  descriptionMax: 2000,
  imagesMax: 8,
  urlMax: 500,
  quantityMax: 100_000,
  unitMax: 10,
  priceMin: 1_000,
  priceMax: 10_000_000,
  sharesMin: 2,
  sharesMax: 1_000,
  /** A share must cost at least this much after rounding, or the split is meaningless. */
  perShareMin: 100,
  deadlineMinMs: 60 * 60_000,
  deadlineMaxMs: 14 * 86_400_000,
  /** Pickup must start within this long after the deadline, and last at most pickupWindowMaxMs. */
  pickupStartMaxMs: 14 * 86_400_000,
  pickupWindowMaxMs: 7 * 86_400_000,
  pickupPlaceMax: 100,
} as const;

const wonSchema = z
  .number()
  .int("Amounts are whole won")
  .min(LIMITS.priceMin, `Total price is at least ${LIMITS.priceMin.toLocaleString("ko-KR")} won`)
  .max(LIMITS.priceMax, `Total price is at most ${LIMITS.priceMax.toLocaleString("ko-KR")} won`);
const epochMsSchema = z.number().int("Times are epoch milliseconds").min(0);
const imageUrlSchema = z
  .string()
  .trim()
  .max(LIMITS.urlMax, `Image URLs are at most ${LIMITS.urlMax} characters`)
  .pipe(z.url({ protocol: /^https$/, error: "Image URLs must be https:// links" }));

const productFields = {
  title: z
    .string()
    .trim()
    .min(2, `Title must be 2–${LIMITS.titleMax} characters`)
    .max(LIMITS.titleMax, `Title must be 2–${LIMITS.titleMax} characters`),
  description: z
    .string()
    .trim()
    .max(LIMITS.descriptionMax, `Description is at most ${LIMITS.descriptionMax} characters`),
  category: z.enum(PRODUCT_CATEGORIES, "Pick one of the listed categories"),
  imageUrls: z.array(imageUrlSchema).max(LIMITS.imagesMax, `At most ${LIMITS.imagesMax} images`),
  totalQuantity: z
    .number()
    .int("Quantity is a whole number")
    .min(1, "Quantity is at least 1")
    .max(LIMITS.quantityMax, `Quantity is at most ${LIMITS.quantityMax.toLocaleString("ko-KR")}`),
  unit: z
    .string()
    .trim()
    .min(1, "Give a unit such as kg or 개")
    .max(LIMITS.unitMax, `Unit is at most ${LIMITS.unitMax} characters`),
  totalPrice: wonSchema,
  /** Whether verified buyers may host group buys of this product. */
  allowHosts: z.boolean(),
};

export const productCreateInput = z.object({
  ...productFields,
  description: productFields.description.default(""),
  imageUrls: productFields.imageUrls.default([]),
  allowHosts: productFields.allowHosts.default(false),
});
export const productUpdateInput = z
  .object({ id: idSchema, archived: z.boolean().optional() })
  .extend(z.object(productFields).partial().shape);
export const productListInput = z.object({ cursor: cursorSchema, limit: limitSchema }).default({ limit: 20 });
export const productCatalogInput = z.object({
  category: z.enum(PRODUCT_CATEGORIES).optional(),
  cursor: cursorSchema,
  limit: limitSchema,
});

export const groupBuyCreateInput = z
  .object({
    productId: idSchema,
    regionId: regionIdSchema,
    totalShares: z
      .number()
      .int("Shares are whole numbers")
      .min(LIMITS.sharesMin, `A group buy has ${LIMITS.sharesMin}–${LIMITS.sharesMax} shares`)
      .max(LIMITS.sharesMax, `A group buy has ${LIMITS.sharesMin}–${LIMITS.sharesMax} shares`),
    minShares: z.number().int("Shares are whole numbers").min(1, "The minimum is at least 1 share"),
    maxPerPerson: z.number().int("Shares are whole numbers").min(1, "Allow at least 1 share per person"),
    deadline: epochMsSchema,
    pickupPlace: z
      .string()
      .trim()
      .min(2, `Pickup place must be 2–${LIMITS.pickupPlaceMax} characters`)
      .max(LIMITS.pickupPlaceMax, `Pickup place must be 2–${LIMITS.pickupPlaceMax} characters`),
    pickupStart: epochMsSchema,
    pickupEnd: epochMsSchema,
    /** Gonggu Plus members get the first hour (the seller's choice). */
    plusEarlyAccess: z.boolean().default(false),
    /** A buyer hosting a group buy takes this many shares themselves at creation (required for hosts). */
    hostShares: z.number().int("Shares are whole numbers").min(1).optional(),
    /** Makes the host's own join retry-safe. */
    idempotencyKey: idempotencyKeySchema.optional(),
  })
  .superRefine((v, issue) => {
    if (v.minShares > v.totalShares) {
      issue.addIssue({ code: "custom", path: ["minShares"], message: "The minimum cannot exceed the total shares" });
    }
    if (v.maxPerPerson > v.totalShares) {
      issue.addIssue({ code: "custom", path: ["maxPerPerson"], message: "Max per person cannot exceed the total" });
    }
    if (v.pickupEnd <= v.pickupStart) {
      issue.addIssue({ code: "custom", path: ["pickupEnd"], message: "Pickup must end after it starts" });
    }
    if (v.pickupStart < v.deadline) {
      issue.addIssue({ code: "custom", path: ["pickupStart"], message: "Pickup starts after the deadline" });
    }
    if (v.pickupEnd - v.pickupStart > LIMITS.pickupWindowMaxMs) {
      issue.addIssue({ code: "custom", path: ["pickupEnd"], message: "The pickup window is at most 7 days" });
    }
    if (v.pickupStart - v.deadline > LIMITS.pickupStartMaxMs) {
      issue.addIssue({
        code: "custom",
        path: ["pickupStart"],
        message: "Pickup starts within 14 days of the deadline",
      });
    }
    if (v.hostShares !== undefined && v.hostShares > v.maxPerPerson) {
      issue.addIssue({ code: "custom", path: ["hostShares"], message: "The host's shares obey max per person" });
    }
  });

export const groupBuyListInput = z.object({
  regionId: regionIdSchema,
  status: z.enum(GROUP_BUY_STATUSES).default("OPEN"),
  category: z.enum(PRODUCT_CATEGORIES).optional(),
  cursor: cursorSchema,
  limit: limitSchema,
});
export const groupBuyIdInput = z.object({ id: idSchema });
export const groupBuyJoinInput = z.object({
  id: idSchema,
  shares: z
    .number()
    .int("Shares are whole numbers")
    .min(1, "Join with at least 1 share")
    .max(LIMITS.sharesMax, `At most ${LIMITS.sharesMax} shares`),
  idempotencyKey: idempotencyKeySchema,
});
export const groupBuyLeaveInput = z.object({ id: idSchema, idempotencyKey: idempotencyKeySchema });
export const groupBuyCancelInput = z.object({ id: idSchema, reason: reasonSchema });
export const groupBuyNoShowInput = z.object({ id: idSchema, userId: idSchema });
/** The seller refunds one buyer's purchase of a completed buy in full (worker/groupbuy/purchaseRefund.ts). */
export const groupBuyRefundPurchaseInput = z.object({
  groupBuyId: idSchema,
  buyerId: idSchema,
  reason: reasonSchema,
  idempotencyKey: idempotencyKeySchema,
});
export const myGroupBuysInput = z.object({ cursor: cursorSchema, limit: limitSchema }).default({ limit: 20 });
export const payoutListInput = z.object({ cursor: cursorSchema, limit: limitSchema }).default({ limit: 20 });
export const trustInput = z.object({ userId: idSchema });
