import { eq } from "drizzle-orm";
import { trustInput } from "../../../shared/schemas/groupbuy";
import { users } from "../../db/schema";
import { trustRecord } from "../../groupbuy/trust";
import { fail } from "../../lib/errors";
import { authedProcedure, router } from "../init";

export const trustRouter = router({
  /** A user's trust record (completed buys, no-shows, host cancellations, reports), shown on profiles. */
  get: authedProcedure.input(trustInput).query(async ({ ctx, input }) => {
    const user = await ctx.db
      .select({ id: users.id, displayName: users.displayName })
      .from(users)
      .where(eq(users.id, input.userId))
      .get();
    if (!user) fail("NOT_FOUND", "No user with that id.");
    return { ...user, ...(await trustRecord(ctx.db, input.userId)) };
  }),
});
