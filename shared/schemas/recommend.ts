import { z } from "zod";
import { idSchema } from "./common";

/** Most suggestions one request returns (the diversity cap applies to the first 10). */
export const RECOMMEND_LIMIT_MAX = 50;
export const INTERESTS_MAX = 5;

// Category keys are validated against the group-buy catalogue's list in worker/recommend/preferences.ts.
export const interestCategorySchema = z
  .string()
  .trim()
  .min(1, "Pick a category")
  .max(32, "Category keys are at most 32 characters");

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
