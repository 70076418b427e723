import { and, desc, eq, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { z } from "zod";
import type { productCatalogInput, productCreateInput, productUpdateInput } from "../../shared/schemas/groupbuy";
import type { Db } from "../db/client";
import { products, regions, users } from "../db/schema";
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

/** A region's 시·도: its city is "<시·도> <시·군·구>" ("서울 마포구" → "서울"). */
function metroOf(city: SQLWrapper): SQL {
  return sql`CASE WHEN instr(${city}, ' ') > 0 THEN substr(${city}, 1, instr(${city}, ' ') - 1) ELSE ${city} END`;
}

/** The seller's home neighbourhood (users.homeRegionId), joined beside the region a buy would open in. */
export const sellerHome = alias(regions, "seller_home");

/**
 * A seller delivers within the 시·도 of their home neighbourhood, so a neighbour may host a buy of their product only
 * there (a 둔산동 bakery does not come to 서교동). A seller with no home neighbourhood serves nowhere for hosts. True
 * only when both cities are known and match; `city` is the region the buy would open in.
 */
export function sellerServes(city: SQLWrapper): SQL<number | null> {
  return sql<number | null>`${metroOf(sellerHome.city)} = ${metroOf(city)}`;
}

/** Products that approved sellers open to hosting by verified buyers, from sellers who serve the caller's home. */
export async function productCatalog(db: Db, homeRegionId: string | null, input: z.output<typeof productCatalogInput>) {
  const home = alias(regions, "host_home");
  const rows = await db
    .select({ product: products, sellerName: users.displayName })
    .from(products)
    .innerJoin(users, eq(users.id, products.sellerId))
    .innerJoin(sellerHome, eq(sellerHome.id, users.homeRegionId))
    // no home neighbourhood: nothing to host (the join finds no region)
    .innerJoin(home, eq(home.id, homeRegionId ?? ""))
    .where(
      and(
        eq(products.allowHosts, true),
        eq(products.archived, false),
        eq(users.role, "seller"),
        sellerServes(home.city),
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
