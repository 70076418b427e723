import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_BUYERS, DEMO_SELLERS } from "../../scripts/seed/demo-data";
import groupBuySeed from "../../scripts/seed/groupbuys";
import { seedStatements } from "../../scripts/seed/steps";
import { idSchema } from "../../shared/schemas/common";
import type { Db } from "../../worker/db/client";
import { runBatch } from "../../worker/db/client";
import { trustEvents } from "../../worker/db/schema";
import { createProduct, listMyProducts, productCatalog, updateProduct } from "../../worker/groupbuy/products";
import { listGroupBuys } from "../../worker/groupbuy/service";
import { trustEventStatement, trustRecord } from "../../worker/groupbuy/trust";
import { openLibsqlDb } from "./libsql-db";

// The group-buy tables and the D1-side group-buy code on libSQL (the driver a busy region may move to), plus the
// demo seed's group buys.
describe("group buys on libSQL", () => {
  let db: Db;
  let close: () => void;
  const DAY = 86_400_000;
  const t0 = Date.UTC(2026, 10, 2, 3);

  beforeAll(async () => {
    ({ db, close } = await openLibsqlDb());
    const steps = await seedStatements({ now: t0, hashPassword: async () => "!" });
    for (const statement of steps.flatMap((s) => s.sql)) await db.run(sql.raw(statement));
  });
  afterAll(() => close());

  const count = async (table: string) =>
    Number((await db.get<{ n: number }>(sql.raw(`SELECT count(*) AS n FROM ${table}`)))?.n);

  it("seeds products and OPEN buys with valid ids, once per week", async () => {
    const products = await count("products");
    const buys = await count("group_buys");
    expect(products).toBeGreaterThan(0);
    expect(buys).toBeGreaterThan(0);
    const rows = await db.all<{ id: string; status: string; deadline: number; price_per_share: number }>(
      sql`SELECT id, status, deadline, price_per_share FROM group_buys`,
    );
    for (const r of rows) {
      expect(idSchema.safeParse(r.id).success).toBe(true);
      expect(r.status).toBe("OPEN");
      expect(r.deadline).toBeGreaterThan(t0);
    }
    // the same week again: nothing new; next week: a fresh set of open buys, the old ones untouched
    for (const s of groupBuySeed.statements({ now: t0 + DAY, hashPassword: async () => "!" })) await db.run(sql.raw(s));
    expect(await count("group_buys")).toBe(buys);
    for (const s of groupBuySeed.statements({ now: t0 + 7 * DAY, hashPassword: async () => "!" })) {
      await db.run(sql.raw(s));
    }
    expect(await count("group_buys")).toBe(buys * 2);
    expect(await count("products")).toBe(products);
  });

  it("lists the region feed for a verified resident (seeded verification)", async () => {
    const buyer = DEMO_BUYERS[0];
    const feed = await listGroupBuys(db, buyer.id, { regionId: buyer.homeRegionId, status: "OPEN", limit: 3 }, t0);
    expect(feed.items.length).toBeGreaterThan(0);
    expect(feed.items.every((i) => i.regionId === buyer.homeRegionId && i.status === "OPEN")).toBe(true);
  });

  it("creates, updates and lists products, and the hosting catalog", async () => {
    const seller = DEMO_SELLERS[0].id;
    const p = await createProduct(
      db,
      seller,
      {
        title: "리브레 테스트 상품",
        description: "",
        category: "kids",
        imageUrls: ["https://example.com/a.png"],
        totalQuantity: 3,
        unit: "개",
        totalPrice: 9_000,
        allowHosts: true,
      },
      t0,
    );
    expect(p.imageUrls).toEqual(["https://example.com/a.png"]);
    expect((await updateProduct(db, seller, { id: p.id, archived: true }, t0)).archived).toBe(true);
    const mine = await listMyProducts(db, seller, undefined, 100);
    expect(mine.items.map((x) => x.id)).toContain(p.id);
    const catalog = await productCatalog(db, DEMO_BUYERS[0].homeRegionId, { category: "kids", limit: 10 });
    expect(catalog.items.map((x) => x.id)).not.toContain(p.id); // archived
  });

  it("counts the trust record from events, each event once", async () => {
    const user = DEMO_BUYERS[1].id;
    const event = { id: `no_show:x:${user}`, userId: user, kind: "no_show" as const, reference: "x", at: t0 };
    await runBatch(db, [trustEventStatement(db, event), trustEventStatement(db, event)]);
    await db.insert(trustEvents).values({ ...event, id: `completed:y:${user}`, kind: "completed" });
    expect(await trustRecord(db, user)).toEqual({ completedBuys: 1, noShows: 1, hostCancellations: 0, reports: 0 });
  });
});
