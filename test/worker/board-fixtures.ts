import type { BoardCategory } from "../../shared/schemas/board";
import { createPost } from "../../worker/community/board";
import { addComment } from "../../worker/community/comments";
import { report } from "../../worker/community/moderation";
import { offerSupply } from "../../worker/community/proposals";
import { type Fixtures, type FixtureUser, insertUser } from "./fixtures";
import { fixtureBuy } from "./groupbuy-fixtures";
import { verifyResident } from "./recommend-fixtures";

/** A visible post in the fixture region by `author` (a fresh resident when omitted or anonymous). */
export async function boardPost(fx: Fixtures, author?: FixtureUser | null, category: BoardCategory = "proposal") {
  const writer = author ?? (await insertUser(fx.db, "buyer"));
  await verifyResident(fx.db, writer.id, fx.region.id);
  const { id } = await createPost(
    fx.db,
    writer,
    { regionId: fx.region.id, category, title: "픽스처 글", body: "픽스처 본문" },
    Date.now(),
  );
  return id;
}

/** A comment by `author` (a fresh resident when omitted or anonymous) on a fresh post. */
export async function boardComment(fx: Fixtures, author?: FixtureUser | null) {
  const writer = author ?? (await insertUser(fx.db, "buyer"));
  const postId = await boardPost(fx);
  await verifyResident(fx.db, writer.id, fx.region.id);
  const { id } = await addComment(
    fx.db,
    { id: writer.id, displayName: "픽스처" },
    { postId, body: "댓글" },
    Date.now(),
  );
  return id;
}

/** A post with one open report (so moderators have something to approve). */
export async function reportedPost(fx: Fixtures) {
  const id = await boardPost(fx);
  const reporter = await insertUser(fx.db, "buyer");
  await report(fx.db, reporter, { targetType: "post", targetId: id, reason: "spam" }, 3, Date.now());
  return id;
}

/** A proposal post in the fixture region that `sellerId` offered to supply, and an OPEN buy of theirs to link. */
export async function linkableOffer(fx: Fixtures, sellerId?: string) {
  const seller = sellerId ? { id: sellerId } : await insertUser(fx.db, "seller");
  const postId = await boardPost(fx);
  await offerSupply(fx.db, { id: seller.id, displayName: "픽스처 상점" }, { postId, message: "공급 가능" }, Date.now());
  const groupBuy = await fixtureBuy(fx.db, fx.region.id, seller.id);
  return { postId, groupBuyId: groupBuy.id };
}
