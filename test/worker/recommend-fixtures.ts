import { sql } from "drizzle-orm";
import type { Db } from "../../worker/db/client";
import { regionVerifications, users } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { insertRegion, insertUser, type TestRegion } from "./fixtures";

// TEMPORARY: the group-buy tables as the groupbuy domain defines them (worker/db/schema/groupbuy.ts on its branch),
// created here only while their migration is not on main. Delete ensureGroupBuyTables once it is.
export async function ensureGroupBuyTables(db: Db) {
  await db.run(sql`CREATE TABLE IF NOT EXISTS products (
    id text PRIMARY KEY NOT NULL, seller_id text NOT NULL REFERENCES users(id), title text NOT NULL,
    description text NOT NULL, category text NOT NULL, image_urls text NOT NULL, total_quantity integer NOT NULL,
    unit text NOT NULL, total_price integer NOT NULL, allow_hosts integer NOT NULL, archived integer DEFAULT 0 NOT NULL,
    created_at integer NOT NULL, updated_at integer NOT NULL)`);
  await db.run(sql`CREATE TABLE IF NOT EXISTS group_buys (
    id text PRIMARY KEY NOT NULL, product_id text NOT NULL REFERENCES products(id),
    seller_id text NOT NULL REFERENCES users(id), host_id text NOT NULL REFERENCES users(id),
    region_id text NOT NULL REFERENCES regions(id), title text NOT NULL, category text NOT NULL, unit text NOT NULL,
    total_quantity integer NOT NULL, total_price integer NOT NULL, total_shares integer NOT NULL,
    min_shares integer NOT NULL, max_per_person integer NOT NULL, price_per_share integer NOT NULL,
    deadline integer NOT NULL, pickup_place text NOT NULL, pickup_start integer NOT NULL, pickup_end integer NOT NULL,
    status text NOT NULL, status_reason text, taken_shares integer DEFAULT 0 NOT NULL,
    participant_count integer DEFAULT 0 NOT NULL, mirror_seq integer DEFAULT 0 NOT NULL, closed_at integer,
    ready_at integer, completed_at integer, cancelled_by text, settled_at integer, created_at integer NOT NULL,
    updated_at integer NOT NULL)`);
  await db.run(sql`CREATE TABLE IF NOT EXISTS group_buy_members (
    group_buy_id text NOT NULL REFERENCES group_buys(id), user_id text NOT NULL REFERENCES users(id),
    shares integer NOT NULL, amount integer NOT NULL, status text NOT NULL, picked_up_at integer, pickup_by text,
    no_show_at integer, joined_at integer NOT NULL, updated_at integer NOT NULL,
    PRIMARY KEY (group_buy_id, user_id))`);
}

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
  await db.update(users).set({ homeRegionId: regionId }).where(sql`${users.id} = ${userId}`);
}

export interface GroupBuyFixture {
  id: string;
  productId: string;
  sellerId: string;
  category: string;
}

/** A group buy (and its product) in a region, OPEN by default. */
export async function insertGroupBuy(
  db: Db,
  o: {
    regionId: string;
    category?: string;
    sellerId?: string;
    productId?: string;
    status?: string;
    deadline?: number;
    title?: string;
  },
): Promise<GroupBuyFixture> {
  const now = Date.now();
  const sellerId = o.sellerId ?? (await insertUser(db, "seller")).id;
  const category = o.category ?? "fresh";
  const productId = o.productId ?? newId(now);
  await db.run(sql`INSERT OR IGNORE INTO products (id, seller_id, title, description, category, image_urls,
      total_quantity, unit, total_price, allow_hosts, created_at, updated_at)
    VALUES (${productId}, ${sellerId}, ${"상품"}, ${"설명"}, ${category}, ${"[]"}, 10, ${"kg"}, 50000, 0, ${now}, ${now})`);
  const id = newId(now);
  await db.run(sql`INSERT INTO group_buys (id, product_id, seller_id, host_id, region_id, title, category, unit,
      total_quantity, total_price, total_shares, min_shares, max_per_person, price_per_share, deadline, pickup_place,
      pickup_start, pickup_end, status, created_at, updated_at)
    VALUES (${id}, ${productId}, ${sellerId}, ${sellerId}, ${o.regionId}, ${o.title ?? "공구"}, ${category}, ${"kg"},
      10, 50000, 10, 2, 5, 5000, ${o.deadline ?? now + 3 * 86_400_000}, ${"정문"}, ${now + 4 * 86_400_000},
      ${now + 5 * 86_400_000}, ${o.status ?? "OPEN"}, ${now}, ${now})`);
  return { id, productId, sellerId, category };
}

/** A membership row as the groupbuy domain's join mirror writes it. */
export async function insertMember(db: Db, groupBuyId: string, userId: string, status: "joined" | "left" = "joined") {
  const now = Date.now();
  await db.run(sql`INSERT INTO group_buy_members (group_buy_id, user_id, shares, amount, status, joined_at, updated_at)
    VALUES (${groupBuyId}, ${userId}, 1, 5000, ${status}, ${now}, ${now})`);
}
