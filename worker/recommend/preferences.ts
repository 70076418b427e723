import { eq } from "drizzle-orm";
import type { ProductCategory } from "../../shared/schemas/groupbuy";
import { type Db, runBatch } from "../db/client";
import { recInterests } from "../db/schema";
import { fail } from "../lib/errors";
import { recordInteraction, retractInteraction } from "./interactions";
import { groupBuyExists } from "./store";

export async function getInterests(
  db: Db,
  userId: string,
): Promise<{ categories: ProductCategory[]; updatedAt: number | null }> {
  const row = await db.select().from(recInterests).where(eq(recInterests.userId, userId)).get();
  return { categories: row?.categories ?? [], updatedAt: row?.updatedAt ?? null };
}

/** Onboarding's favourite categories (replaces the previous choice; an empty list clears it). */
export async function setInterests(db: Db, userId: string, categories: ProductCategory[], now: number) {
  await db
    .insert(recInterests)
    .values({ userId, categories, updatedAt: now })
    .onConflictDoUpdate({ target: recInterests.userId, set: { categories, updatedAt: now } });
  return { categories, updatedAt: now };
}

/** "Not interested": hides the group buy from the user's suggestions now and counts against similar ones later. */
export async function markNotInterested(db: Db, userId: string, groupBuyId: string, now: number, undo = false) {
  if (!(await groupBuyExists(db, groupBuyId))) fail("NOT_FOUND", "That group buy does not exist.");
  const kind = "not_interested" as const;
  await runBatch(db, [
    undo
      ? retractInteraction(db, { userId, itemId: groupBuyId, kind })
      : recordInteraction(db, { userId, itemId: groupBuyId, kind, at: now }),
  ]);
  return { groupBuyId, notInterested: !undo };
}
