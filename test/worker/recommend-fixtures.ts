import { eq } from "drizzle-orm";
import type { GroupBuyStatus, ProductCategory } from "../../shared/schemas/groupbuy";
import type { Db } from "../../worker/db/client";
import { groupBuyMembers, groupBuys, products, regionVerifications, users } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { insertRegion, insertUser, type TestRegion } from "./fixtures";

let regionSerial = 0;

/** A region of its own per test, so popularity and feeds never mix between tests. */
export async function freshRegion(db: Db, at?: { lat: number; lng: number }): Promise<TestRegion> {
  regionSerial += 1;
  // ~55 km apart unless placed on purpose, so no two test regions count as nearby.
  const lat = at?.lat ?? 30 + regionSerial * 0.5;
  const lng = at?.lng ?? 100;
  const region = {
    id: `rec-${Date.now().toString(36)}-${regionSerial}`,
    name: `추천동${regionSerial}`,
    lat,
    lng,
    radiusM: 1500,
  };
  return insertRegion(db, region);
}

/** Makes `userId` a verified resident of `regionId` (what regions.verify does, without the coordinates). */
export async function verifyResident(db: Db, userId: string, regionId: string, now = Date.now()) {
  await db.insert(regionVerifications).values({
    id: newId(now),
    userId,
    regionId,
    distanceM: 10,
    verifiedAt: now,
    expiresAt: now + 30 * 86_400_000,
  });
  await db.update(users).set({ homeRegionId: regionId }).where(eq(users.id, userId));
}

export interface GroupBuyFixture {
  id: string;
  productId: string;
  sellerId: string;
  category: ProductCategory;
}

/**
 * A group buy (and its product) written straight into the groupbuy domain's tables, OPEN by default. No room (Durable
 * Object) behind it: the recommender only reads these rows. Joins through the real flow are in the join test.
 */
export async function insertGroupBuy(
  db: Db,
  o: {
    regionId: string;
    category?: ProductCategory;
    sellerId?: string;
    productId?: string;
    status?: GroupBuyStatus;
    deadline?: number;
    title?: string;
  },
): Promise<GroupBuyFixture> {
  const now = Date.now();
  const sellerId = o.sellerId ?? (await insertUser(db, "seller")).id;
  const category = o.category ?? "fresh";
  const productId = o.productId ?? newId(now);
  const money = { totalQuantity: 10, unit: "kg", totalPrice: 50_000 };
  await db
    .insert(products)
    .values({
      id: productId,
      sellerId,
      title: "상품",
      description: "설명",
      category,
      imageUrls: [],
      ...money,
      allowHosts: false,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing();
  const id = newId(now);
  await db.insert(groupBuys).values({
    id,
    productId,
    sellerId,
    hostId: sellerId,
    regionId: o.regionId,
    title: o.title ?? "공구",
    category,
    ...money,
    totalShares: 10,
    minShares: 2,
    maxPerPerson: 5,
    pricePerShare: 5000,
    deadline: o.deadline ?? now + 3 * 86_400_000,
    pickupPlace: "정문",
    pickupStart: now + 4 * 86_400_000,
    pickupEnd: now + 5 * 86_400_000,
    status: o.status ?? "OPEN",
    createdAt: now,
    updatedAt: now,
  });
  return { id, productId, sellerId, category };
}

/** A membership row as the groupbuy domain's room mirror writes it. */
export async function insertMember(db: Db, groupBuyId: string, userId: string, status: "joined" | "left" = "joined") {
  const now = Date.now();
  await db
    .insert(groupBuyMembers)
    .values({ groupBuyId, userId, shares: 1, amount: 5000, status, joinedAt: now, updatedAt: now });
}
