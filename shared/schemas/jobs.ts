import { z } from "zod";

/** Every Queue message body. Features add variants here; the consumer switches on `type`. */
export const jobMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ping"), at: z.number().int() }),
  // Group buys (worker/groupbuy/settlement.ts): converge one hold on its buy's status; settle a completed buy.
  z.object({ type: z.literal("groupbuy.settleHold"), groupBuyId: z.string().max(40), holdId: z.string().max(40) }),
  z.object({ type: z.literal("groupbuy.complete"), groupBuyId: z.string().max(40) }),
]);
export type JobMessage = z.infer<typeof jobMessageSchema>;
