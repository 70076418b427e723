import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { formatReason } from "../../shared/recommend-reasons";
import { getDb, runBatch } from "../../worker/db/client";
import { users } from "../../worker/db/schema";
import { confirmPickup } from "../../worker/groupbuy/pickup";
import worker from "../../worker/index";
import { recordInteraction } from "../../worker/recommend/interactions";
import type { RecomputePlan } from "../../worker/recommend/plan";
import { planUserModels } from "../../worker/recommend/plan";
import { RECOMPUTE, recomputeRecommendations } from "../../worker/recommend/recompute";
import { loadInteractionWindow, popularityStatements, userModelStatements } from "../../worker/recommend/store";
import { insertUser, tokenFor } from "./fixtures";
import { fixtureBuy, fixtureFilledBuy, joinAs } from "./groupbuy-fixtures";
import { bearerClient, errorOf } from "./helpers";
import { freshRegion, insertGroupBuy, insertMember, verifyResident } from "./recommend-fixtures";

const db = getDb(env);

async function resident(regionId: string) {
  const user = await insertUser(db, "buyer");
  await verifyResident(db, user.id, regionId);
  return { user, client: bearerClient(await tokenFor(db, user)) };
}

async function join(userId: string, groupBuyId: string, at = Date.now()) {
  await runBatch(db, [recordInteraction(db, { userId, itemId: groupBuyId, kind: "join", at })]);
}

describe("recordInteraction", () => {
  it("is one idempotent statement that rides in a batch; repeats keep one row with the latest time", async () => {
    const region = await freshRegion(db);
    const { user } = await resident(region.id);
    const gb = await insertGroupBuy(db, { regionId: region.id });
    await runBatch(db, [
      recordInteraction(db, { userId: user.id, itemId: gb.id, kind: "view", at: 1000 }),
      recordInteraction(db, { userId: user.id, itemId: gb.id, kind: "view", at: 3000 }),
      recordInteraction(db, { userId: user.id, itemId: gb.id, kind: "view", at: 2000 }),
      recordInteraction(db, { userId: user.id, itemId: gb.id, kind: "join", at: 2000 }),
    ]);
    const rows = await db.all<{ kind: string; weight: number; at: number }>(
      sql`SELECT kind, weight, at FROM rec_interactions WHERE user_id = ${user.id} ORDER BY kind`,
    );
    expect(rows).toEqual([
      { kind: "join", weight: 3, at: 2000 },
      { kind: "view", weight: 1, at: 3000 },
    ]);
  });
});

describe("interests", () => {
  it("stores onboarding categories and rejects unknown or too many", async () => {
    const { client } = await resident((await freshRegion(db)).id);
    expect(await client.recommend.interests.query()).toEqual({ categories: [], updatedAt: null });
    await client.recommend.setInterests.mutate({ categories: ["fresh", "pet"] });
    expect((await client.recommend.interests.query()).categories).toEqual(["fresh", "pet"]);
    const unknown = await errorOf(client.recommend.setInterests.mutate({ categories: ["weapons" as never] }));
    expect(unknown.code).toBe("BAD_REQUEST");
    expect(unknown.message).toContain("weapons");
    const many = await errorOf(
      client.recommend.setInterests.mutate({ categories: ["fresh", "pet", "kids", "beauty", "other", "household"] }),
    );
    expect(many.code).toBe("BAD_REQUEST");
    const dup = await errorOf(client.recommend.setInterests.mutate({ categories: ["fresh", "fresh"] }));
    expect(dup.code).toBe("BAD_REQUEST");
  });
});

describe("recommend.forMe", () => {
  it("defaults the limit to 10 and refuses more than 50", async () => {
    const region = await freshRegion(db);
    const { client } = await resident(region.id);
    for (let i = 0; i < 12; i++) await insertGroupBuy(db, { regionId: region.id });
    expect((await client.recommend.forMe.query()).items).toHaveLength(10);
    expect((await client.recommend.forMe.query({ limit: 11 })).items).toHaveLength(11);
    const err = await errorOf(client.recommend.forMe.query({ limit: 51 }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.zodError).toMatchObject({ fieldErrors: { limit: ["At most 50 suggestions"] } });
  });

  it("asks for a verified neighbourhood first", async () => {
    const user = await insertUser(db, "buyer");
    const err = await errorOf(bearerClient(await tokenFor(db, user)).recommend.forMe.query({ limit: 10 }));
    expect(err.code).toBe("PRECONDITION_FAILED");
    const region = await freshRegion(db);
    await verifyResident(db, user.id, region.id, Date.now() - 31 * 86_400_000); // expired
    const expired = await errorOf(bearerClient(await tokenFor(db, user)).recommend.forMe.query({ limit: 10 }));
    expect(expired.code).toBe("PRECONDITION_FAILED");
  });

  it("serves only OPEN buys of the user's region that they have not joined or dismissed; a join shows at once", async () => {
    const region = await freshRegion(db);
    const other = await freshRegion(db);
    const { user, client } = await resident(region.id);
    const open1 = await insertGroupBuy(db, { regionId: region.id });
    const open2 = await insertGroupBuy(db, { regionId: region.id });
    const dismissed = await insertGroupBuy(db, { regionId: region.id });
    const joinedElsewhere = await insertGroupBuy(db, { regionId: region.id });
    await insertGroupBuy(db, { regionId: region.id, status: "FILLED" });
    await insertGroupBuy(db, { regionId: region.id, deadline: Date.now() - 1000 });
    await insertGroupBuy(db, { regionId: other.id });
    await insertMember(db, joinedElsewhere.id, user.id);
    await client.recommend.notInterested.mutate({ groupBuyId: dismissed.id });

    const ids = async () => (await client.recommend.forMe.query({ limit: 10 })).items.map((i) => i.groupBuy.id).sort();
    expect(await ids()).toEqual([open1.id, open2.id].sort());

    // The user joins open1: their next request no longer offers it, with no recompute in between.
    await insertMember(db, open1.id, user.id);
    await join(user.id, open1.id);
    expect(await ids()).toEqual([open2.id]);
    expect((await client.recommend.forMe.query({ limit: 10 })).interactions).toBe(2);

    await client.recommend.undoNotInterested.mutate({ groupBuyId: dismissed.id });
    expect(await ids()).toEqual([open2.id, dismissed.id].sort());
    const missing = await errorOf(client.recommend.notInterested.mutate({ groupBuyId: "01ARZ3NDEKTSV4RRFFQ69G5FAV" }));
    expect(missing.code).toBe("NOT_FOUND");
  });

  it("after the cron: a regular gets what their taste neighbours joined, a newcomer gets local popularity", async () => {
    const region = await freshRegion(db);
    // Eight past buys in common: enough history (n = 8) for the personal side to carry real weight.
    const past = await Promise.all(
      Array.from({ length: 8 }, () => insertGroupBuy(db, { regionId: region.id, status: "COMPLETED" })),
    );
    const liked = await insertGroupBuy(db, { regionId: region.id, category: "pet", title: "사료" });
    const popular = await insertGroupBuy(db, { regionId: region.id, category: "household", title: "휴지" });
    const me = await resident(region.id);
    for (const gb of past) await join(me.user.id, gb.id);
    // Three neighbours share my history and joined `liked`.
    for (let i = 0; i < 3; i++) {
      const { user } = await resident(region.id);
      for (const gb of past) await join(user.id, gb.id);
      await join(user.id, liked.id);
    }
    // Eight strangers with other tastes all joined `popular`.
    for (let i = 0; i < 8; i++) {
      const { user } = await resident(region.id);
      await join(user.id, popular.id);
    }
    const result = await recomputeRecommendations(db, Date.now(), { full: true });
    expect(result.skipped).toBe(false);

    const mine = await me.client.recommend.forMe.query({ limit: 10 });
    expect(mine.items.map((i) => i.groupBuy.id)).toEqual([liked.id, popular.id]);
    expect(mine.items[0].reason).toEqual({ kind: "neighbours", params: { count: 3 } });
    expect(formatReason(mine.items[0].reason, "ko")).toBe("이웃 3명이 참여");
    expect(mine.items[0].groupBuy).toMatchObject({ title: "사료", category: "pet", pricePerShare: 5000 });

    const newcomer = await resident(region.id);
    const fresh = await newcomer.client.recommend.forMe.query({ limit: 10 });
    expect(fresh.items.map((i) => i.groupBuy.id)).toEqual([popular.id, liked.id]);
    expect(fresh.items[0].reason).toEqual({ kind: "local_popular", params: {} });
    expect(formatReason(fresh.items[0].reason, "ko")).toBe("우리 동네 인기");
  });

  it("onboarding interests lift a category for a user with no history", async () => {
    const region = await freshRegion(db);
    const household = await insertGroupBuy(db, { regionId: region.id, category: "household" });
    const pet = await insertGroupBuy(db, { regionId: region.id, category: "pet" });
    for (let i = 0; i < 3; i++) await join((await resident(region.id)).user.id, household.id);
    for (let i = 0; i < 2; i++) await join((await resident(region.id)).user.id, pet.id);
    await recomputeRecommendations(db, Date.now(), { full: true });
    const { client } = await resident(region.id);
    expect((await client.recommend.forMe.query({ limit: 10 })).items.map((i) => i.groupBuy.id)).toEqual([
      household.id,
      pet.id,
    ]);
    await client.recommend.setInterests.mutate({ categories: ["pet"] });
    const after = await client.recommend.forMe.query({ limit: 10 });
    expect(after.items.map((i) => i.groupBuy.id)).toEqual([pet.id, household.id]);
    expect(after.items[0].reason).toEqual({ kind: "interest", params: { category: "pet" } });
  });

  it("a brand-new neighbourhood borrows popularity from the region next door", async () => {
    const old = await freshRegion(db, { lat: 20, lng: 127 });
    const fresh = await freshRegion(db, { lat: 20.01, lng: 127 }); // ~1.1 km away
    const seller = await insertUser(db, "seller");
    const hit = await insertGroupBuy(db, { regionId: old.id, sellerId: seller.id, category: "fresh" });
    for (let i = 0; i < 12; i++) await join((await resident(old.id)).user.id, hit.id);
    // The same product rerun in the new region, next to an unknown one.
    const rerun = await insertGroupBuy(db, { regionId: fresh.id, sellerId: seller.id, productId: hit.productId });
    const unknown = await insertGroupBuy(db, { regionId: fresh.id, category: "beauty" });
    await recomputeRecommendations(db, Date.now(), { full: true });
    const { client } = await resident(fresh.id);
    const res = await client.recommend.forMe.query({ limit: 10 });
    expect(res.fallback).toBe(true);
    expect(res.items.map((i) => i.groupBuy.id)).toEqual([rerun.id, unknown.id]);
    expect(res.items[0].reason).toEqual({ kind: "nearby_popular", params: {} });
  });

  it("keeps at most 3 buys of one seller in the top 10", async () => {
    const region = await freshRegion(db);
    const big = await insertUser(db, "seller");
    const bigBuys = [];
    for (let i = 0; i < 6; i++) {
      bigBuys.push(
        await insertGroupBuy(db, {
          regionId: region.id,
          sellerId: big.id,
          category: (["fresh", "pet", "kids", "beauty", "other", "household"] as const)[i],
        }),
      );
    }
    const others = [];
    for (let i = 0; i < 3; i++)
      others.push(await insertGroupBuy(db, { regionId: region.id, category: (["fresh", "pet", "kids"] as const)[i] }));
    // The big seller's buys are the most popular.
    for (const gb of bigBuys) for (let i = 0; i < 3; i++) await join((await resident(region.id)).user.id, gb.id);
    for (const gb of others) await join((await resident(region.id)).user.id, gb.id);
    await recomputeRecommendations(db, Date.now(), { full: true });
    const { client } = await resident(region.id);
    const items = (await client.recommend.forMe.query({ limit: 10 })).items.map((i) => i.groupBuy.id);
    expect(items).toHaveLength(9);
    const bigIds = new Set(bigBuys.map((b) => b.id));
    expect(items.slice(0, 6).filter((id) => bigIds.has(id))).toHaveLength(3);
    expect(new Set(items.slice(3, 6))).toEqual(new Set(others.map((o) => o.id)));
  });
});

describe("incremental recompute (cron)", () => {
  it("loads only users who can be neighbours (shared buy or product) and scores exactly as from everything", async () => {
    const region = await freshRegion(db);
    const seller = await insertUser(db, "seller");
    const a = await insertGroupBuy(db, { regionId: region.id, sellerId: seller.id });
    const rerunOfA = await insertGroupBuy(db, { regionId: region.id, sellerId: seller.id, productId: a.productId });
    const [b, c, e] = await Promise.all([1, 2, 3].map(() => insertGroupBuy(db, { regionId: region.id })));
    const [x, sameBuy, sameProduct, stranger] = await Promise.all([1, 2, 3, 4].map(() => resident(region.id)));
    for (const gb of [a, b]) await join(x.user.id, gb.id);
    for (const gb of [a, c]) await join(sameBuy.user.id, gb.id);
    for (const gb of [rerunOfA, c]) await join(sameProduct.user.id, gb.id);
    await join(stranger.user.id, e.id);

    const sub = await loadInteractionWindow(db, 0, [x.user.id]);
    expect(new Set(sub.interactions.map((i) => i.userId))).toEqual(
      new Set([x.user.id, sameBuy.user.id, sameProduct.user.id]),
    );
    const everything = await loadInteractionWindow(db, 0);
    const model = (w: typeof sub) =>
      planUserModels({
        interactions: w.interactions,
        lookup: (id) => w.items.get(id),
        targets: [x.user.id],
        servable: (id) => w.items.get(id)?.open === true,
      })[0];
    const fromSub = model(sub);
    const fromAll = model(everything);
    const rounded = (m: typeof fromSub) => ({
      neighbours: m.neighbours.map((n) => [n.userId, n.similarity.toFixed(9)]),
      candidates: m.candidates.map((c) => [c.itemId, c.score.toFixed(9), c.neighbours]),
    });
    expect(rounded(fromSub)).toEqual(rounded(fromAll));
    expect(fromSub.neighbours.map((n) => n.userId).sort()).toEqual([sameBuy.user.id, sameProduct.user.id].sort());
    expect(fromSub.candidates.map((c) => c.itemId).sort()).toEqual([c.id, rerunOfA.id].sort());
  });

  it("rescores only users with new interactions, pages through many, and skips idle runs", async () => {
    const T = Date.now() + 3_600_000; // after every other test's interactions
    const region = await freshRegion(db);
    const gb = await insertGroupBuy(db, { regionId: region.id });
    const full = await recomputeRecommendations(db, T, { full: true });
    expect(full.done).toBe(true);

    const users = [];
    for (let i = 0; i < 3; i++) {
      const { user } = await resident(region.id);
      await join(user.id, gb.id, T + 60_000);
      users.push(user.id);
    }
    const first = await recomputeRecommendations(db, T + 10 * 60_000, { maxUsers: 2 });
    expect(first).toMatchObject({ users: 2, done: false });
    const second = await recomputeRecommendations(db, T + 15 * 60_000, { maxUsers: 2 });
    expect(second).toMatchObject({ users: 1, done: true });
    const stored = await db.all<{ user_id: string }>(
      sql`SELECT user_id FROM rec_candidates WHERE computed_at >= ${T + 10 * 60_000} ORDER BY user_id`,
    );
    expect(stored.map((r) => r.user_id)).toEqual([...users].sort());

    const idle = await recomputeRecommendations(db, T + 20 * 60_000);
    expect(idle.skipped).toBe(true);

    // One user does something new: the run loads only the three users around that buy, not the whole log.
    const other = await insertGroupBuy(db, { regionId: region.id });
    await join(users[0], other.id, T + 25 * 60_000);
    const one = await recomputeRecommendations(db, T + 26 * 60_000);
    expect(one).toMatchObject({ users: 1, interactions: 4, skipped: false });
  });

  it("runs from the worker's scheduled handler", async () => {
    const region = await freshRegion(db);
    const gb = await insertGroupBuy(db, { regionId: region.id });
    const { user } = await resident(region.id);
    await join(user.id, gb.id, Date.now() + 7_200_000);
    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({ scheduledTime: Date.now() + 7_300_000, cron: "*/5 * * * *" }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const row = await db.get<{ n: number }>(sql`SELECT n FROM rec_candidates WHERE user_id = ${user.id}`);
    expect(row?.n).toBe(1);
  });
});

describe("D1 limits", () => {
  it("a heavy cron run writes in statements of ≤ 100 parameters and < 100 KB, a few hundred in all", () => {
    const id = (prefix: string, i: number) => `${prefix}${i}`.padEnd(26, "0");
    const plan: RecomputePlan = {
      users: Array.from({ length: RECOMPUTE.maxUsersPerRun }, (_, u) => ({
        userId: id("U", u),
        n: 200,
        neighbours: Array.from({ length: 30 }, (_, i) => ({ userId: id("N", i), similarity: 0.123456 })),
        candidates: Array.from({ length: 100 }, (_, i) => ({ itemId: id("G", i), score: 1.234567, neighbours: 12 })),
        affinity: ["fresh", "processed", "household", "kids", "pet", "beauty", "other"].map((c) => [c, 0.5]),
      })),
      regions: Array.from({ length: 30 }, (_, r) => ({
        regionId: `region-${r}`,
        fallback: false,
        mass: 100,
        table: Array.from({ length: 300 }, (_, k): [string, number] => [`i:${id("G", k)}`, 1.5]),
      })),
    };
    const statements = [...popularityStatements(db, plan, 0), ...userModelStatements(db, plan, 0)];
    for (const statement of statements) {
      const { sql: text, params } = (statement as unknown as { toSQL(): { sql: string; params: unknown[] } }).toSQL();
      expect(params.length).toBeLessThanOrEqual(100);
      expect(new TextEncoder().encode(text + JSON.stringify(params)).length).toBeLessThan(100_000);
    }
    // The cron shares D1's 1,000 queries per invocation with the other domains' steps.
    expect(statements.length).toBeLessThan(450);
  });
});

describe("signals from the group-buy flow", () => {
  it("a real join is a signal at once, a view is recorded, and a pickup becomes a purchase at the next cron run", async () => {
    const region = await freshRegion(db);
    const gb = await fixtureBuy(db, region.id);
    const other = await fixtureBuy(db, region.id);
    const buyer = await insertUser(db, "buyer");
    await joinAs(db, buyer.id, region.id, gb.id);
    const kinds = async (userId: string) =>
      (
        await db.all<{ item_id: string; kind: string }>(
          sql`SELECT item_id, kind FROM rec_interactions WHERE user_id = ${userId} ORDER BY kind`,
        )
      ).map((r) => `${r.kind}:${r.item_id}`);
    expect(await kinds(buyer.id)).toEqual([`join:${gb.id}`]);
    const client = bearerClient(await tokenFor(db, buyer));
    expect((await client.recommend.forMe.query()).items.map((i) => i.groupBuy.id)).toEqual([other.id]);

    await client.groupBuys.get.query({ id: other.id });
    // the view is recorded after the answer (waitUntil): polled up to 10 s (50 polls of 20 ms could run out under load)
    await expect
      .poll(() => kinds(buyer.id), { timeout: 10_000, interval: 20 })
      .toEqual([`join:${gb.id}`, `view:${other.id}`]);

    const { gb: ready, memberId } = await fixtureFilledBuy(db, region.id, { until: "READY" });
    const member = (await db.select().from(users).where(eq(users.id, memberId)).get())!;
    await confirmPickup(db, env, member, ready.id, Date.now());
    await recomputeRecommendations(db, Date.now() + 1000, { full: true });
    expect(await kinds(memberId)).toContain(`purchase:${ready.id}`);
  });
});
