import { and, eq } from "drizzle-orm";
import { type Db, runBatch } from "../db/client";
import { boardPosts, boardSupplyOffers, users } from "../db/schema";
import { fail, failWith } from "../lib/errors";
import { newId } from "../lib/ids";
import { linkedPostLikes } from "../recommend/interactions";
import { loadPost } from "./board";
import { notify } from "./notifications";

/**
 * A seller answers a 공구 제안 (proposal) post with "I can supply this". One offer per seller per post; the author is
 * notified. The offer is shown on the post and, once linked, on the group buy it became.
 */
export async function offerSupply(
  db: Db,
  seller: { id: string; displayName: string },
  args: { postId: string; message: string },
  now: number,
) {
  const post = await loadPost(db, args.postId, { id: seller.id, role: "seller" });
  if (post.status !== "visible")
    failWith("PRECONDITION_FAILED", "This post is under review.", { reason: "under_review" });
  if (post.category !== "proposal")
    fail("PRECONDITION_FAILED", "Only group-buy proposals (공구 제안) take supply offers.");
  if (post.authorId === seller.id) fail("BAD_REQUEST", "You can't offer to supply your own proposal.");
  const id = newId(now);
  const notice = notify(db, {
    userId: post.authorId,
    now,
    kind: "board.supply_offer",
    params: { postId: post.id, postTitle: post.title, sellerName: seller.displayName },
    dedupeKey: `supply:${post.id}:${seller.id}`,
  });
  const [inserted] = await runBatch(db, [
    db
      .insert(boardSupplyOffers)
      .values({ id, postId: post.id, sellerId: seller.id, message: args.message, createdAt: now })
      .onConflictDoNothing()
      .returning({ id: boardSupplyOffers.id }),
    notice,
  ]);
  if ((inserted as unknown[]).length === 0) fail("CONFLICT", "You already offered to supply this proposal.");
  return { id, notices: [notice] };
}

/**
 * Links the seller's offer to the group buy they opened for it, so the post points at the buy and the buy back at
 * the post. Ownership of the group buy is checked by `assertOwnsGroupBuy` (the group-buy domain's rule).
 */
export async function linkGroupBuy(
  db: Db,
  seller: { id: string },
  args: { postId: string; groupBuyId: string },
  assertOwnsGroupBuy: (groupBuyId: string, sellerId: string, regionId: string) => Promise<void>,
  now: number,
) {
  const offer = await db
    .select({
      id: boardSupplyOffers.id,
      groupBuyId: boardSupplyOffers.groupBuyId,
      title: boardPosts.title,
      authorId: boardPosts.authorId,
      regionId: boardPosts.regionId,
    })
    .from(boardSupplyOffers)
    .innerJoin(boardPosts, eq(boardPosts.id, boardSupplyOffers.postId))
    .where(and(eq(boardSupplyOffers.postId, args.postId), eq(boardSupplyOffers.sellerId, seller.id)))
    .get();
  if (!offer) fail("NOT_FOUND", "Offer to supply this proposal first.");
  if (offer.groupBuyId) fail("CONFLICT", "Your offer is already linked to a group buy.");
  await assertOwnsGroupBuy(args.groupBuyId, seller.id, offer.regionId);
  const notice = notify(db, {
    userId: offer.authorId,
    now,
    kind: "board.proposal_linked",
    params: { postId: args.postId, postTitle: offer.title, groupBuyId: args.groupBuyId },
    dedupeKey: `proposal_linked:${args.postId}:${args.groupBuyId}`,
  });
  await runBatch(db, [
    db.update(boardSupplyOffers).set({ groupBuyId: args.groupBuyId }).where(eq(boardSupplyOffers.id, offer.id)),
    linkedPostLikes(db, args),
    notice,
  ]);
  return { postId: args.postId, groupBuyId: args.groupBuyId, notices: [notice] };
}

/** The proposal posts a group buy grew out of (the group-buy page shows these). */
export function proposalsForGroupBuy(db: Db, groupBuyId: string) {
  return db
    .select({
      postId: boardPosts.id,
      title: boardPosts.title,
      regionId: boardPosts.regionId,
      authorName: users.displayName,
      sellerId: boardSupplyOffers.sellerId,
    })
    .from(boardSupplyOffers)
    .innerJoin(boardPosts, eq(boardPosts.id, boardSupplyOffers.postId))
    .innerJoin(users, eq(users.id, boardPosts.authorId))
    .where(and(eq(boardSupplyOffers.groupBuyId, groupBuyId), eq(boardPosts.status, "visible")))
    .all();
}
