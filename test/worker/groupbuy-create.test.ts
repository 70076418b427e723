import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { charges, groupBuys, products, regionVerifications } from "../../worker/db/schema";
import {
  buyInput,
  db,
  invariants,
  key,
  newProduct,
  newRegion,
  newResident,
  newSeller,
  openBuy,
  pointsOf,
  room,
  untilSettled,
  untilStatus,
} from "./groupbuy-helpers";
import { errorOf } from "./helpers";
import { checkLedgerAfterEachTest } from "./ledger-invariants";
import { debtCharge } from "./wallet-helpers";

const HOUR = 3_600_000;

// Issue 5: the ledger invariants hold after every test (each book the test wrote to).
checkLedgerAfterEachTest();

describe("products", { timeout: 30_000 }, () => {
  it("a seller creates, updates and lists their products; others cannot touch them", async () => {
    const seller = await newSeller();
    const image = "https://cdn.example.com/rice.jpg";
    const p = await newProduct(seller, { title: "유기농 쌀 20kg", totalPrice: 80_000, imageUrls: [image] });
    expect(p).toMatchObject({
      title: "유기농 쌀 20kg",
      totalPrice: 80_000,
      archived: false,
      sellerId: seller.id,
      imageUrls: [image],
      totalQuantity: 10,
      unit: "kg",
    });
    const changes = { totalPrice: 78_000, imageUrls: [image, `${image}?v=2`], totalQuantity: 20, unit: "봉" };
    const updated = await seller.api.products.update.mutate({ id: p.id, ...changes });
    expect(updated).toMatchObject(changes);
    const list = await seller.api.products.list.query({ limit: 10 });
    expect(list.items.find((x) => x.id === p.id)).toMatchObject(changes);
    // a buy of it shows the listing's images, unit and quantity
    const { groupBuy } = await seller.api.groupBuys.create.mutate(buyInput(p.id, await newRegion()));
    expect(await seller.api.groupBuys.get.query({ id: groupBuy.id })).toMatchObject({
      imageUrls: changes.imageUrls,
      unit: "봉",
      totalQuantity: 20,
      totalPrice: 78_000,
    });
    const other = await newSeller();
    expect((await errorOf(other.api.products.update.mutate({ id: p.id, title: "남의 상품" }))).code).toBe("NOT_FOUND");
  });

  it("bad product input is a typed error with field messages and writes nothing", async () => {
    const seller = await newSeller();
    const err = await errorOf(
      seller.api.products.create.mutate({
        title: "x",
        category: "weapons" as "fresh",
        totalQuantity: 0,
        unit: "",
        totalPrice: 1.5,
        imageUrls: ["http://insecure.example/a.png"],
      }),
    );
    expect(err.code).toBe("BAD_REQUEST");
    expect(Object.keys((err.zodError as { fieldErrors: object }).fieldErrors).sort()).toEqual(
      ["category", "imageUrls", "title", "totalPrice", "totalQuantity", "unit"].sort(),
    );
    expect(await db().select().from(products).where(eq(products.sellerId, seller.id)).all()).toEqual([]);
  });

  it("the catalog shows only hostable, active products of approved sellers", async () => {
    const region = await newRegion();
    const seller = await newSeller(region);
    const open = await newProduct(seller, { allowHosts: true, category: "pet" });
    const closed = await newProduct(seller, { allowHosts: false, category: "pet" });
    const buyer = await newResident(region, 0);
    const ids = (await buyer.api.products.catalog.query({ category: "pet", limit: 100 })).items.map((x) => x.id);
    expect(ids).toContain(open.id);
    expect(ids).not.toContain(closed.id);
  });

  it("a host is offered, and may host, only products of sellers who sell in their 시·도", async () => {
    const seogyo = await newRegion("서울 마포구");
    const yeoksam = await newRegion("서울 강남구");
    const dunsan = await newRegion("대전 서구");
    const nearby = await newProduct(await newSeller(yeoksam), { allowHosts: true, category: "kids" });
    const daejeon = await newProduct(await newSeller(dunsan), { allowHosts: true, category: "kids" });
    const nowhere = await newProduct(await newSeller(), { allowHosts: true, category: "kids" });
    const host = await newResident(seogyo, 20_000);
    const ids = (await host.api.products.catalog.query({ category: "kids", limit: 100 })).items.map((x) => x.id);
    expect(ids).toContain(nearby.id);
    expect(ids).not.toContain(daejeon.id);
    expect(ids).not.toContain(nowhere.id);
    for (const p of [daejeon, nowhere]) {
      const err = await errorOf(host.api.groupBuys.create.mutate(buyInput(p.id, seogyo, { hostShares: 1 })));
      expect(err.code).toBe("PRECONDITION_FAILED");
      expect(err.details).toEqual({ reason: "seller_area" });
      expect(err.message).toMatch(/does not deliver to your neighbourhood's city/);
      expect(await db().select().from(groupBuys).where(eq(groupBuys.productId, p.id)).all()).toEqual([]);
    }
    expect(await pointsOf(host.id, seogyo)).toMatchObject({ held: 0, balance: 20_000 });
    const hosted = await host.api.groupBuys.create.mutate(buyInput(nearby.id, seogyo, { hostShares: 1 }));
    expect(hosted.groupBuy).toMatchObject({ hostId: host.id, regionId: seogyo, status: "OPEN" });
    // a caller with no home neighbourhood has nothing to host
    const noHome = await newSeller();
    expect((await noHome.api.products.catalog.query({ category: "kids", limit: 100 })).items).toEqual([]);
  });
});

describe("creating group buys", { timeout: 30_000 }, () => {
  it("prices a share half-up and shows the rounding difference the seller owns", async () => {
    const { gb, pricing } = await openBuy({ totalShares: 3, minShares: 2, maxPerPerson: 1 }, { totalPrice: 10_000 });
    expect(gb.pricePerShare).toBe(3_333);
    expect(pricing).toEqual({ pricePerShare: 3_333, collectedIfFilled: 9_999, roundingDifference: -1 });
  });

  it("refuses deadlines outside 1 h – 14 d and inconsistent shares, writing nothing", async () => {
    const region = await newRegion();
    const seller = await newSeller();
    const p = await newProduct(seller);
    const now = Date.now();
    const tooSoon = buyInput(p.id, region, {
      deadline: now + 10 * 60_000,
      pickupStart: now + HOUR,
      pickupEnd: now + 2 * HOUR,
    });
    expect((await errorOf(seller.api.groupBuys.create.mutate(tooSoon))).code).toBe("BAD_REQUEST");
    const tooLate = buyInput(p.id, region, {
      deadline: now + 15 * 24 * HOUR,
      pickupStart: now + 16 * 24 * HOUR,
      pickupEnd: now + 17 * 24 * HOUR,
    });
    expect((await errorOf(seller.api.groupBuys.create.mutate(tooLate))).code).toBe("BAD_REQUEST");
    const badShares = await errorOf(
      seller.api.groupBuys.create.mutate(buyInput(p.id, region, { minShares: 11, maxPerPerson: 20 })),
    );
    expect(badShares.code).toBe("BAD_REQUEST");
    expect(Object.keys((badShares.zodError as { fieldErrors: object }).fieldErrors).sort()).toEqual([
      "maxPerPerson",
      "minShares",
    ]);
    const tinyShares = await errorOf(
      seller.api.groupBuys.create.mutate(buyInput(p.id, region, { totalShares: 600, minShares: 1 })),
    );
    expect(tinyShares.code).toBe("BAD_REQUEST");
    expect(tinyShares.message).toMatch(/at least 100 won/);
    expect(await db().select().from(groupBuys).where(eq(groupBuys.productId, p.id)).all()).toEqual([]);
  });

  it("a verified buyer hosts an approved seller's product, takes shares, and cannot leave", async () => {
    const region = await newRegion();
    const seller = await newSeller(region);
    const p = await newProduct(seller, { allowHosts: true });
    const host = await newResident(region, 20_000);
    const created = await host.api.groupBuys.create.mutate(
      buyInput(p.id, region, { hostShares: 2, idempotencyKey: key() }),
    );
    expect(created.groupBuy).toMatchObject({ hostId: host.id, sellerId: seller.id, status: "OPEN" });
    expect(created.hostJoin).toMatchObject({ shares: 2, amount: 10_000 });
    expect(await pointsOf(host.id, region)).toMatchObject({ held: 10_000 });
    const leave = await errorOf(host.api.groupBuys.leave.mutate({ id: created.groupBuy.id, idempotencyKey: key() }));
    expect(leave.code).toBe("FORBIDDEN");
    const view = await host.api.groupBuys.get.query({ id: created.groupBuy.id });
    expect(view.host).toMatchObject({ id: host.id, trust: { completedBuys: 0, hostCancellations: 0 } });
    // The host may call it off while OPEN; it counts on their trust record and every hold is voided.
    await host.api.groupBuys.cancel.mutate({ id: created.groupBuy.id, reason: "이웃들 반응이 없어 취소해요" });
    await untilSettled(created.groupBuy.id, "voided");
    expect(await pointsOf(host.id, region)).toMatchObject({ held: 0, balance: 20_000 });
    expect(await host.api.trust.get.query({ userId: host.id })).toMatchObject({ hostCancellations: 1 });
    await invariants(region);
  });

  it("a host's create retried with the same idempotency key returns the first buy and holds the points once", async () => {
    const region = await newRegion();
    const seller = await newSeller(region);
    const p = await newProduct(seller, { allowHosts: true });
    const host = await newResident(region, 20_000);
    const input = buyInput(p.id, region, { hostShares: 2, idempotencyKey: key() });
    const first = await host.api.groupBuys.create.mutate(input);
    // the client lost the answer and sends the same request again
    const again = await host.api.groupBuys.create.mutate(input);
    expect(again.groupBuy.id).toBe(first.groupBuy.id);
    expect(again.hostJoin).toEqual(first.hostJoin);
    expect(await db().select().from(groupBuys).where(eq(groupBuys.productId, p.id)).all()).toHaveLength(1);
    expect(await pointsOf(host.id, region)).toMatchObject({ held: 10_000, balance: 20_000 });
    // the same key for another buy is a mistake, not a retry
    const other = await errorOf(host.api.groupBuys.create.mutate({ ...input, hostShares: 1 }));
    expect(other.code).toBe("CONFLICT");
    await invariants(region);
  });

  it("a host whose points do not cover their shares is refused with the shortfall, and no buy is written", async () => {
    const region = await newRegion();
    const seller = await newSeller(region);
    const p = await newProduct(seller, { allowHosts: true });
    const host = await newResident(region, 7_000);
    const err = await errorOf(host.api.groupBuys.create.mutate(buyInput(p.id, region, { hostShares: 2 })));
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.details).toEqual({ reason: "insufficient_points", shortfall: 3_000 });
    // before: the buy was written, then cancelled by the room's refused hold, and stayed in the feed as CANCELLED
    expect(await db().select().from(groupBuys).where(eq(groupBuys.productId, p.id)).all()).toEqual([]);
    expect(await pointsOf(host.id, region)).toMatchObject({ held: 0, balance: 7_000 });
    await invariants(region);
  });

  it("host rules: hostable products only, own verified region only, shares required", async () => {
    const region = await newRegion();
    const seller = await newSeller(region);
    const closed = await newProduct(seller, { allowHosts: false });
    const open = await newProduct(seller, { allowHosts: true });
    const host = await newResident(region, 20_000);
    expect((await errorOf(host.api.groupBuys.create.mutate(buyInput(closed.id, region, { hostShares: 1 })))).code).toBe(
      "FORBIDDEN",
    );
    expect((await errorOf(host.api.groupBuys.create.mutate(buyInput(open.id, region)))).code).toBe("BAD_REQUEST");
    const elsewhere = await newRegion();
    expect(
      (await errorOf(host.api.groupBuys.create.mutate(buyInput(open.id, elsewhere, { hostShares: 1 })))).code,
    ).toBe("PRECONDITION_FAILED");
    const poor = await newResident(region, 1_000);
    const err = await errorOf(poor.api.groupBuys.create.mutate(buyInput(open.id, region, { hostShares: 2 })));
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toMatch(/Not enough points/);
    expect(await pointsOf(poor.id, region)).toMatchObject({ held: 0, balance: 1_000 });
    // owing a clawed-back card charge blocks joining (README, card payments): hosting takes shares too
    const owing = await newResident(region, 20_000);
    await db()
      .insert(charges)
      .values(debtCharge(owing.id, region, 5_000));
    const debt = await errorOf(owing.api.groupBuys.create.mutate(buyInput(open.id, region, { hostShares: 1 })));
    expect(debt).toMatchObject({ code: "PRECONDITION_FAILED", details: { reason: "outstanding_debt" } });
    expect(await pointsOf(owing.id, region)).toMatchObject({ held: 0, balance: 20_000 });
    expect(await db().select().from(groupBuys).where(eq(groupBuys.hostId, owing.id)).all()).toEqual([]);
    const other = await newSeller();
    expect((await errorOf(other.api.groupBuys.create.mutate(buyInput(open.id, region)))).code).toBe("FORBIDDEN");
  });

  it("a host cannot cancel after the buy filled; the seller can", async () => {
    const region = await newRegion();
    const seller = await newSeller(region);
    const p = await newProduct(seller, { allowHosts: true, totalPrice: 10_000 });
    const host = await newResident(region);
    const { groupBuy } = await host.api.groupBuys.create.mutate(
      buyInput(p.id, region, { totalShares: 2, minShares: 2, maxPerPerson: 1, hostShares: 1 }),
    );
    const other = await newResident(region);
    await other.api.groupBuys.join.mutate({ id: groupBuy.id, shares: 1, idempotencyKey: key() });
    await untilStatus(groupBuy.id, "FILLED");
    const err = await errorOf(host.api.groupBuys.cancel.mutate({ id: groupBuy.id, reason: "마음이 바뀌었어요" }));
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect((await room(groupBuy.id).debugState()).meta?.status).toBe("FILLED");
    await seller.api.groupBuys.cancel.mutate({ id: groupBuy.id, reason: "재고 부족" });
    await untilSettled(groupBuy.id, "refunded", "voided");
    expect(await pointsOf(other.id, region)).toEqual({ balance: 100_000, held: 0, available: 100_000 });
    await invariants(region);
  });
});

describe("the region feed and the detail view", { timeout: 30_000 }, () => {
  it("lists OPEN buys of a region for verified residents only, paginated", async () => {
    const region = await newRegion();
    const seller = await newSeller();
    const p = await newProduct(seller, { category: "household" });
    for (let i = 0; i < 3; i++) await seller.api.groupBuys.create.mutate(buyInput(p.id, region));
    const resident = await newResident(region, 0);
    const first = await resident.api.groupBuys.list.query({ regionId: region, limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBeTruthy();
    const second = await resident.api.groupBuys.list.query({
      regionId: region,
      limit: 2,
      cursor: first.nextCursor ?? undefined,
    });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(first.items[0]).toMatchObject({ status: "OPEN", pricePerShare: 5_000, hostName: expect.any(String) });
    // the filters: another category, and a buy that left OPEN, are listed only when asked for
    const fresh = await newProduct(seller, { category: "fresh" });
    const other = await seller.api.groupBuys.create.mutate(buyInput(fresh.id, region));
    const cancelled = await seller.api.groupBuys.create.mutate(buyInput(p.id, region));
    await seller.api.groupBuys.cancel.mutate({ id: cancelled.groupBuy.id, reason: "산지 사정으로 취소" });
    await untilStatus(cancelled.groupBuy.id, "CANCELLED");
    const ids = async (filter: { status?: "OPEN" | "CANCELLED"; category?: "fresh" | "household" }) =>
      (await resident.api.groupBuys.list.query({ regionId: region, limit: 50, ...filter })).items.map((i) => i.id);
    expect(await ids({ category: "fresh" })).toEqual([other.groupBuy.id]);
    expect(await ids({ category: "household" })).toHaveLength(3);
    expect(await ids({})).toHaveLength(4);
    expect(await ids({ status: "CANCELLED" })).toEqual([cancelled.groupBuy.id]);
    const outsider = await newResident(await newRegion(), 0);
    expect((await errorOf(outsider.api.groupBuys.list.query({ regionId: region }))).code).toBe("PRECONDITION_FAILED");
    expect((await errorOf(outsider.api.groupBuys.get.query({ id: first.items[0].id }))).code).toBe("FORBIDDEN");
    expect((await errorOf(resident.api.groupBuys.list.query({ regionId: region, cursor: "garbage" }))).code).toBe(
      "BAD_REQUEST",
    );
    // a CURRENT verification: the same resident once theirs lapsed (30 days on) sees neither the feed nor a buy
    await db()
      .update(regionVerifications)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(regionVerifications.userId, resident.id));
    const lapsed = await errorOf(resident.api.groupBuys.list.query({ regionId: region }));
    expect(lapsed).toMatchObject({ code: "PRECONDITION_FAILED", details: { reason: "verify_region" } });
    expect((await errorOf(resident.api.groupBuys.get.query({ id: first.items[0].id }))).code).toBe("FORBIDDEN");
  });
});
