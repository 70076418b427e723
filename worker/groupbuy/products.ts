import { and, desc, eq } from "drizzle-orm";
import type { z } from "zod";
import type { productCatalogInput, productCreateInput, productUpdateInput } from "../../shared/schemas/groupbuy";
import type { Db } from "../db/client";
import { products, users } from "../db/schema";
import { fail } from "../lib/errors";
import { newId } from "../lib/ids";
import { afterCursor, page } from "./cursor";

export type Product = typeof products.$inferSelect;

const byCreated = (p: { createdAt: number; id: string }) => ({ at: p.createdAt, id: p.id });

export async function createProduct(db: Db, sellerId: string, input: z.output<typeof productCreateInput>, now: number) {
  const product: Product = { id: newId(now), sellerId, ...input, archived: false, createdAt: now, updatedAt: now };
  await db.insert(products).values(product);
  return product;
}

/** Edits affect future group buys only: running buys keep the snapshot taken at creation. */
export async function updateProduct(db: Db, sellerId: string, input: z.output<typeof productUpdateInput>, now: number) {
  const { id, ...changes } = input;
  const row = await db
    .update(products)
    .set({ ...changes, updatedAt: now })
    .where(and(eq(products.id, id), eq(products.sellerId, sellerId)))
    .returning()
    .get();
  if (!row) fail("NOT_FOUND", "None of your products has that id.");
  return row;
}

export async function listMyProducts(db: Db, sellerId: string, cursor: string | undefined, limit: number) {
  const rows = await db
    .select()
    .from(products)
    .where(and(eq(products.sellerId, sellerId), afterCursor(products.createdAt, products.id, cursor)))
    .orderBy(desc(products.createdAt), desc(products.id))
    .limit(limit + 1)
    .all();
  return page(rows, limit, byCreated);
}

/** Products that approved sellers open to hosting by verified buyers. */
export async function productCatalog(db: Db, input: z.output<typeof productCatalogInput>) {
  const rows = await db
    .select({ product: products, sellerName: users.displayName })
    .from(products)
    .innerJoin(users, eq(users.id, products.sellerId))
    .where(
      and(
        eq(products.allowHosts, true),
        eq(products.archived, false),
        eq(users.role, "seller"),
        input.category ? eq(products.category, input.category) : undefined,
        afterCursor(products.createdAt, products.id, input.cursor),
      ),
    )
    .orderBy(desc(products.createdAt), desc(products.id))
    .limit(input.limit + 1)
    .all();
  return page(
    rows.map((r) => ({ ...r.product, sellerName: r.sellerName })),
    input.limit,
    byCreated,
  );
}
