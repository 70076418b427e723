import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { charges, deadLetters, sellerApplications, sellerPayables, users } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { insertRegion, insertUser, tokenFor } from "./fixtures";
import { fixtureBuy, fixtureFilledBuy } from "./groupbuy-fixtures";
import { bearerClient, errorOf } from "./helpers";
import { assertLedgerInvariants } from "./ledger-invariants";
import { db } from "./wallet-helpers";

// The seller and admin consoles' own reads: seller.groupBuys, admin.payables.list, admin.stats.timeline.

async function clientAs(role: "seller" | "admin" | "buyer") {
  const user = await insertUser(db(), role);
  return { user, client: bearerClient(await tokenFor(db(), user)) };
}

describe("seller.groupBuys", () => {
  it("lists only the seller's own buys with the actions the state machine allows", async () => {
    const region = await insertRegion(db());
    const { user, client } = await clientAs("seller");
    const open = await fixtureBuy(db(), region.id, user.id);
    const { gb: ready } = await fixtureFilledBuy(db(), region.id, { sellerId: user.id, until: "READY" });
    const { gb: filled } = await fixtureFilledBuy(db(), region.id, { sellerId: user.id });
    await fixtureBuy(db(), region.id); // another seller's

    const { items, nextCursor } = await client.seller.groupBuys.query({ limit: 10 });
    expect(nextCursor).toBeNull();
    const byId = new Map(items.map((i) => [i.id, i]));
    expect([...byId.keys()].sort()).toEqual([open.id, ready.id, filled.id].sort());
    expect(byId.get(open.id)).toMatchObject({
      // the card says where (the region's own name), not just what
      regionName: region.name,
      regionNameEn: region.id,
      status: "OPEN",
      actions: { order: false, ready: false, cancel: true, noShow: false },
    });
    expect(byId.get(filled.id)).toMatchObject({
      status: "FILLED",
      actions: { order: true, ready: false, cancel: true, noShow: false },
    });
    expect(byId.get(ready.id)).toMatchObject({
      status: "READY",
      actions: { order: false, ready: false, cancel: false, noShow: true },
    });

    const onlyReady = await client.seller.groupBuys.query({ status: "READY", limit: 10 });
    expect(onlyReady.items.map((i) => i.id)).toEqual([ready.id]);
    const firstPage = await client.seller.groupBuys.query({ limit: 2 });
    const secondPage = await client.seller.groupBuys.query({ limit: 2, cursor: firstPage.nextCursor! });
    expect([...firstPage.items, ...secondPage.items].map((i) => i.id)).toEqual(items.map((i) => i.id));
    await assertLedgerInvariants();
  });

  it("refuses buyers and a bad cursor with typed errors", async () => {
    const { client: buyer } = await clientAs("buyer");
    expect((await errorOf(buyer.seller.groupBuys.query({ limit: 5 }))).code).toBe("FORBIDDEN");
    const { client: seller } = await clientAs("seller");
    expect((await errorOf(seller.seller.groupBuys.query({ limit: 5, cursor: "nope" }))).code).toBe("BAD_REQUEST");
  });
});

describe("admin.sellers.list", () => {
  it("lists approved sellers newest first with their suspension, paging by cursor", async () => {
    const { client } = await clientAs("admin");
    const now = Date.now();
    const made = [];
    for (const [i, suspendedUntil] of [null, now + 86_400_000, now - 1000].entries()) {
      const seller = await insertUser(db(), "seller");
      if (suspendedUntil !== null) await db().update(users).set({ suspendedUntil }).where(eq(users.id, seller.id));
      await db()
        .insert(sellerApplications)
        .values({
          id: newId(now + i),
          userId: seller.id,
          businessName: `가게 ${i}`,
          businessNumber: "1234567890",
          status: "approved",
          createdAt: now + i,
        });
      made.push(seller.id);
    }
    const first = await client.admin.sellers.list.query({ limit: 2 });
    const second = await client.admin.sellers.list.query({ limit: 2, cursor: first.nextCursor! });
    const top = [...first.items, ...second.items].slice(0, 3);
    expect(top.map((s) => s.userId)).toEqual([...made].reverse());
    expect(top.map((s) => s.suspended)).toEqual([false, true, false]);
    expect(top[0]).toMatchObject({ businessName: "가게 2", email: expect.stringContaining("@") });
  });
});

describe("admin.payables.list", () => {
  it("lists every seller's payables with totals per status", async () => {
    const region = await insertRegion(db());
    const { client } = await clientAs("admin");
    const before = await client.admin.payables.list.query({ limit: 100 });
    const now = Date.now();
    const rows: {
      id: string;
      sellerId: string;
      groupBuyId: string;
      regionId: string;
      status: "pending" | "available";
      net: number;
    }[] = [];
    for (const [status, net] of [
      ["pending", 9_500],
      ["available", 19_000],
    ] as const) {
      const gb = await fixtureBuy(db(), region.id);
      rows.push({ id: newId(now), sellerId: gb.sellerId, groupBuyId: gb.id, regionId: region.id, status, net });
    }
    // Due in 100 years: these rows have no ledger behind them, and another file's payout cron (run with a later `now`
    // in the shared runtime) would otherwise try to release the pending one and overdraw (groupbuy-settlement).
    const availableAt = now + 100 * 365 * 86_400_000;
    await db()
      .insert(sellerPayables)
      .values(rows.map((r) => ({ ...r, gross: r.net + 500, fee: 500, availableAt, createdAt: now, updatedAt: now })));

    const after = await client.admin.payables.list.query({ limit: 100 });
    expect(after.totals.pending.net - before.totals.pending.net).toBe(9_500);
    expect(after.totals.available.net - before.totals.available.net).toBe(19_000);
    expect(after.totals.available.fee - before.totals.available.fee).toBe(500);
    const available = await client.admin.payables.list.query({ status: "available", limit: 100 });
    expect(available.items.every((p) => p.status === "available")).toBe(true);
    expect(available.items.find((p) => p.id === rows[1].id)).toMatchObject({ title: "픽스처 사과 5kg", net: 19_000 });
  });
});

describe("admin.stats.timeline", () => {
  it("counts joins, successful charges and failures in the bucket they happened", async () => {
    const region = await insertRegion(db());
    const { client } = await clientAs("admin");
    const before = await client.admin.stats.timeline.query({ bucket: "hour", points: 24 });
    expect(before.t).toHaveLength(24);
    expect(before.t[1] - before.t[0]).toBe(3_600_000);
    expect(before.t[23]).toBeLessThanOrEqual(Date.now());

    await fixtureFilledBuy(db(), region.id); // one join
    const now = Date.now();
    const charge = (status: "succeeded" | "failed") => ({
      id: newId(now),
      userId: newId(now),
      book: region.id,
      amount: 10_000,
      method: "card" as const,
      status,
      orderId: `o-${newId()}`,
      idempotencyKey: newId(),
      createdAt: now,
      updatedAt: now,
    });
    await db()
      .insert(charges)
      .values([charge("succeeded"), charge("failed")]);
    const dead = newId(now);
    await db()
      .insert(deadLetters)
      .values({ id: dead, messageId: `m-${dead}`, queue: "gonggu-jobs-dlq", body: {}, attempts: 3, createdAt: now });
    // an old failure outside the window is not counted
    await db()
      .insert(deadLetters)
      .values({
        id: newId(),
        messageId: `m-old-${dead}`,
        queue: "gonggu-jobs-dlq",
        body: {},
        attempts: 3,
        createdAt: 0,
      });

    const after = await client.admin.stats.timeline.query({ bucket: "hour", points: 24 });
    // The hour these happened in, found by its start in each answer (the window may have moved on by an hour).
    const hour = after.t.filter((t) => t <= now).at(-1)!;
    type Series = "joins" | "charges" | "failures";
    const inHour = (s: typeof after, series: Series) => (s.t.includes(hour) ? s[series][s.t.indexOf(hour)] : 0);
    const added = (series: Series) => inHour(after, series) - inHour(before, series);
    expect(added("joins")).toBe(1);
    expect(added("charges")).toBe(1);
    expect(added("failures")).toBe(2);
    // and nowhere else: the old failure is outside the window
    const elsewhere = (s: typeof after) => s.failures.reduce((a, n, i) => a + (s.t[i] === hour ? 0 : n), 0);
    expect(elsewhere(after) - elsewhere(before)).toBe(0);

    const days = await client.admin.stats.timeline.query({ bucket: "day", points: 7 });
    expect(days.t).toHaveLength(7);
    expect(days.joins.at(-1)).toBeGreaterThanOrEqual(1);
  });

  it("rejects out-of-range windows with a field error", async () => {
    const { client } = await clientAs("admin");
    const err = await errorOf(client.admin.stats.timeline.query({ bucket: "hour", points: 5000 }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.zodError).toMatchObject({ fieldErrors: { points: ["Ask for 2–168 points"] } });
  });
});
