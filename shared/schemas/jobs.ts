import { z } from "zod";

/** Every Queue message body. Features add variants here; the consumer switches on `type`. */
export const jobMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ping"), at: z.number().int() }),
]);
export type JobMessage = z.infer<typeof jobMessageSchema>;
