import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import type { Db } from "../../worker/db/client";
import { regionVerifications, users } from "../../worker/db/schema";
import { joinGroupBuy, transitionGroupBuy } from "../../worker/groupbuy/actions";
import { createProduct } from "../../worker/groupbuy/products";
import { createGroupBuy } from "../../worker/groupbuy/service";
import { newId } from "../../worker/lib/ids";
import { insertUser } from "./fixtures";
import { fund } from "./wallet-helpers";

// Group-buy fixtures built through the domain functions (no HTTP), for the authz and fuzz tables.

const HOUR = 3_600_000;
type UserRow = typeof users.$inferSelect;

async function userRow(db: Db, id: string): Promise<UserRow> {
  return (await db.select().from(users).where(eq(users.id, id)).get())!;
}

/** Makes `userId` a verified resident of `regionId` with `points` in that book. */
export async function makeResident(db: Db, userId: string, regionId: string, points = 50_000) {
  const now = Date.now();
  await db.update(users).set({ homeRegionId: regionId }).where(eq(users.id, userId));
  await db
    .insert(regionVerifications)
    .values({ id: newId(now), userId, regionId, distanceM: 10, verifiedAt: now, expiresAt: now + 30 * 24 * HOUR });
  if (points > 0) await fund(userId, regionId, points);
}

/** A hostable product of `sellerId`, or of a fresh seller living in `home` (so neighbours there may host it). */
export async function fixtureProduct(db: Db, sellerId?: string, home?: string) {
  const seller = sellerId ?? (await insertUser(db, "seller")).id;
  if (!sellerId && home) await db.update(users).set({ homeRegionId: home }).where(eq(users.id, seller));
  return createProduct(
    db,
    seller,
    {
      title: "픽스처 사과 5kg",
      description: "",
      category: "fresh",
      imageUrls: [],
      totalQuantity: 5,
      unit: "kg",
      totalPrice: 10_000,
      allowHosts: true,
    },
    Date.now(),
  );
}

export function buyFields(productId: string, regionId: string, totalShares = 4) {
  const deadline = Date.now() + 2 * HOUR;
  return {
    productId,
    regionId,
    totalShares,
    minShares: 1,
    maxPerPerson: totalShares,
    deadline,
    pickupPlace: "픽스처 주민센터",
    pickupStart: deadline + HOUR,
    pickupEnd: deadline + 2 * HOUR,
    plusEarlyAccess: false,
  };
}

/** An OPEN group buy in `regionId` by `sellerId` (a fresh seller when omitted). */
export async function fixtureBuy(db: Db, regionId: string, sellerId?: string, totalShares = 4) {
  const seller = await userRow(db, sellerId ?? (await insertUser(db, "seller")).id);
  const product = await fixtureProduct(db, seller.id);
  const { groupBuy } = await createGroupBuy(db, env, seller, buyFields(product.id, regionId, totalShares), Date.now());
  return groupBuy;
}

/** `userId` becomes a resident with points and joins `groupBuyId` with one share. */
export async function joinAs(db: Db, userId: string, regionId: string, groupBuyId: string) {
  await makeResident(db, userId, regionId);
  return joinGroupBuy(
    db,
    env,
    await userRow(db, userId),
    { id: groupBuyId, shares: 1, idempotencyKey: `fx-${newId()}` },
    Date.now(),
  );
}

/** A buy taken in full by `memberId` (a fresh resident when omitted), so it is FILLED; then moved on to `until`. */
export async function fixtureFilledBuy(
  db: Db,
  regionId: string,
  opts: { sellerId?: string; memberId?: string; until?: "FILLED" | "ORDERED" | "READY" } = {},
) {
  const gb = await fixtureBuy(db, regionId, opts.sellerId, 2);
  const memberId = opts.memberId ?? (await insertUser(db, "buyer")).id;
  await makeResident(db, memberId, regionId);
  await joinGroupBuy(
    db,
    env,
    await userRow(db, memberId),
    { id: gb.id, shares: 2, idempotencyKey: `fx-${gb.id}` },
    Date.now(),
  );
  const seller = await userRow(db, gb.sellerId);
  const steps =
    opts.until === "READY" ? (["ORDERED", "READY"] as const) : opts.until === "ORDERED" ? (["ORDERED"] as const) : [];
  for (const to of steps) await transitionGroupBuy(db, env, seller, gb.id, to, null, Date.now());
  return { gb, memberId };
}
