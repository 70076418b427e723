import {
  boardListInput,
  commentInput,
  commentsInput,
  createPostInput,
  deleteCommentInput,
  deletePostInput,
  likeInput,
  linkGroupBuyInput,
  postIdInput,
  reportInput,
  supplyOfferInput,
  updatePostInput,
} from "../../../shared/schemas/board";
import { createPost, deletePost, getPost, listPosts, setLike, updatePost } from "../../community/board";
import { addComment, deleteComment, listComments } from "../../community/comments";
import { reportThreshold } from "../../community/config";
import { report } from "../../community/moderation";
import { linkGroupBuy, offerSupply } from "../../community/proposals";
import { assertSellerOwnsGroupBuy } from "../../groupbuy/service";
import { activeProcedure, authedProcedure, router, sellerProcedure } from "../init";

/** The region board. Reading needs a login; writing needs an active account and (checked inside) a current
 * verification of the post's region. */
export const boardRouter = router({
  list: authedProcedure.input(boardListInput).query(({ ctx, input }) => listPosts(ctx.db, input, ctx.now)),
  get: authedProcedure.input(postIdInput).query(({ ctx, input }) => getPost(ctx.db, input.id, ctx.user, ctx.now)),
  comments: authedProcedure
    .input(commentsInput)
    .query(({ ctx, input }) => listComments(ctx.db, ctx.user, input, ctx.now)),

  create: activeProcedure
    .input(createPostInput)
    .mutation(({ ctx, input }) => createPost(ctx.db, ctx.user, input, ctx.now)),
  update: activeProcedure
    .input(updatePostInput)
    .mutation(({ ctx, input }) => updatePost(ctx.db, ctx.user, input, ctx.now)),
  delete: activeProcedure.input(deletePostInput).mutation(async ({ ctx, input }) => {
    const { id, notices } = await deletePost(ctx.db, ctx.user, input.id, input.reason, ctx.now);
    ctx.pushLive(notices);
    return { id };
  }),

  comment: activeProcedure.input(commentInput).mutation(async ({ ctx, input }) => {
    const { id, notices } = await addComment(ctx.db, ctx.user, input, ctx.now);
    ctx.pushLive(notices);
    return { id };
  }),
  deleteComment: activeProcedure.input(deleteCommentInput).mutation(async ({ ctx, input }) => {
    const { id, notices } = await deleteComment(ctx.db, ctx.user, input.id, input.reason, ctx.now);
    ctx.pushLive(notices);
    return { id };
  }),

  like: activeProcedure
    .input(likeInput)
    .mutation(({ ctx, input }) => setLike(ctx.db, ctx.user, input.postId, input.liked, ctx.now)),
  report: activeProcedure
    .input(reportInput)
    .mutation(({ ctx, input }) => report(ctx.db, ctx.user, input, reportThreshold(ctx.env), ctx.now)),

  /** A seller's "I can supply this" on a proposal post. */
  offerSupply: sellerProcedure.input(supplyOfferInput).mutation(async ({ ctx, input }) => {
    const { id, notices } = await offerSupply(ctx.db, ctx.user, input, ctx.now);
    ctx.pushLive(notices);
    return { id };
  }),
  /** The seller opened a group buy for their offer: the post and the buy now point at each other. */
  linkGroupBuy: sellerProcedure.input(linkGroupBuyInput).mutation(async ({ ctx, input }) => {
    const linked = await linkGroupBuy(
      ctx.db,
      ctx.user,
      input,
      (groupBuyId, sellerId, regionId) => assertSellerOwnsGroupBuy(ctx.db, groupBuyId, sellerId, regionId),
      ctx.now,
    );
    ctx.pushLive(linked.notices);
    return { postId: linked.postId, groupBuyId: linked.groupBuyId };
  }),
});
