import {
  productCatalogInput,
  productCreateInput,
  productListInput,
  productUpdateInput,
} from "../../../shared/schemas/groupbuy";
import { createProduct, listMyProducts, productCatalog, updateProduct } from "../../groupbuy/products";
import { activeProcedure, router, sellerProcedure } from "../init";

export const productsRouter = router({
  create: sellerProcedure
    .input(productCreateInput)
    .mutation(({ ctx, input }) => createProduct(ctx.db, ctx.user.id, input, ctx.now)),
  update: sellerProcedure
    .input(productUpdateInput)
    .mutation(({ ctx, input }) => updateProduct(ctx.db, ctx.user.id, input, ctx.now)),
  /** The seller's own products. */
  list: sellerProcedure
    .input(productListInput)
    .query(({ ctx, input }) => listMyProducts(ctx.db, ctx.user.id, input.cursor, input.limit)),
  /** Products the caller may host a group buy of in their home neighbourhood. */
  catalog: activeProcedure
    .input(productCatalogInput)
    .query(({ ctx, input }) => productCatalog(ctx.db, ctx.user.homeRegionId, input)),
});
