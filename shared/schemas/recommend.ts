import { z } from "zod";
import { idSchema } from "./common";
import { PRODUCT_CATEGORIES } from "./groupbuy";

/** Most suggestions one request returns (the diversity cap applies to the first 10). */
export const RECOMMEND_LIMIT_MAX = 50;
export const INTERESTS_MAX = 5;

export const interestCategorySchema = z.enum(PRODUCT_CATEGORIES, {
  error: (issue) => `Unknown category "${String(issue.input)}". Choose from: ${PRODUCT_CATEGORIES.join(", ")}.`,
});

export const forMeInput = z
  .object({
    limit: z
      .number()
      .int("The limit is a whole number")
      .min(1, "Ask for at least 1 suggestion")
      .max(RECOMMEND_LIMIT_MAX, `At most ${RECOMMEND_LIMIT_MAX} suggestions`)
      .default(10),
  })
  .default({ limit: 10 });

export const setInterestsInput = z.object({
  categories: z
    .array(interestCategorySchema)
    .max(INTERESTS_MAX, `Pick at most ${INTERESTS_MAX} categories`)
    .refine((cs) => new Set(cs).size === cs.length, "Each category only once"),
});

export const notInterestedInput = z.object({ groupBuyId: idSchema });
