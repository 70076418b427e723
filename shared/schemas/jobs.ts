import { z } from "zod";

/**
 * Every Queue message body. Features add variants here; the consumer switches on `type`. Bodies are strict (unknown
 * keys are refused): a job carries ids only, never card data or amounts the consumer would trust.
 */
export const jobMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ping"), at: z.number().int() }),
  // Group buys (worker/groupbuy/settlement.ts): converge one hold on its buy's status; settle a completed buy.
  z.strictObject({ type: z.literal("groupbuy.settleHold"), groupBuyId: z.string().max(40), holdId: z.string().max(40) }),
  z.strictObject({ type: z.literal("groupbuy.complete"), groupBuyId: z.string().max(40) }),
]);
export type JobMessage = z.infer<typeof jobMessageSchema>;
