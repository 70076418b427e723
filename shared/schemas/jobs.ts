import { z } from "zod";

/**
 * Every Queue message body. Features add variants here; the consumer switches on `type`. Bodies are strict (unknown
 * keys are refused): a job carries ids only, never card data or amounts the consumer would trust.
 */
export const jobMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ping"), at: z.number().int() }),
]);
export type JobMessage = z.infer<typeof jobMessageSchema>;
