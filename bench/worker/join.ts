/**
 * The Worker for `npm run bench:join`: the whole app (so joins go through Hono, tRPC, the session lookup and the
 * GroupBuyRoom Durable Object exactly as in production) plus bench-only routes under /bench/. Never deployed:
 * bench/join.ts runs it with `wrangler dev` from a temp config.
 *
 *   POST /bench/seed         region, seller, group buys, N funded residents with bearer sessions
 *   POST /bench/trpc/join    the BASELINE: the same procedure guards, but the fill is a conditional UPDATE on D1
 *   POST /bench/state        what each buy really took (DO counts, D1 counter, ledger holds) for the oversell check
 *   POST /bench/room-stats   a room's group-commit counters (read right before and after its storm)
 *   POST /bench/settled      a DO buy's hold rows mirrored to D1 and those not settled yet (the wait after its storm)
 *   POST /bench/queue-log    the queue batches this isolate ran since the last read (when, how long, which jobs)
 */
import { trpcServer } from "@hono/trpc-server";
import { and, eq, gt, sql } from "drizzle-orm";
import { Hono } from "hono";
import { groupBuyJoinInput } from "../../shared/schemas/groupbuy";
import { newSessionRow } from "../../worker/accounts/sessions";
import { getDb, runBatch } from "../../worker/db/client";
import { groupBuyHolds, groupBuys, regions, regionVerifications, sessions, users } from "../../worker/db/schema";
import type { AppEnv } from "../../worker/env";
import { joinCaller } from "../../worker/groupbuy/actions";
import { joinPathStats } from "../../worker/groupbuy/closedHint";
import { placeJoinHold } from "../../worker/groupbuy/ledgerOps";
import { createProduct } from "../../worker/groupbuy/products";
import { createGroupBuy, roomStub } from "../../worker/groupbuy/service";
import app from "../../worker/index";
import { fail } from "../../worker/lib/errors";
import { newId } from "../../worker/lib/ids";
import { createContext, onlyCalls } from "../../worker/trpc/context";
import { claimProcedure, router } from "../../worker/trpc/init";
import { escrowAccount, platformAccount, userChargedAccount } from "../../worker/wallet/accounts";
import { getAccounts, transferStatements } from "../../worker/wallet/ledger";

export { GroupBuyRoom, SandboxGateway, UserChannel } from "../../worker/index";

const HOUR = 3_600_000;

/**
 * The baseline join: identical guards to groupBuys.join (joinCaller: the session read in the guard batch), then ONE
 * conditional UPDATE decides the fill. No early refusals: the baseline has no room to keep a sold-out hint for.
 */
const baselineRouter = router({
  join: claimProcedure.input(groupBuyJoinInput).mutation(async ({ ctx, input }) => {
    const { user, guards } = await joinCaller(ctx.db, ctx.env, ctx, ctx.now);
    const { homeRegionId, tierLevel } = guards;
    const taken = await ctx.db
      .update(groupBuys)
      .set({ takenShares: sql`${groupBuys.takenShares} + ${input.shares}` })
      .where(
        and(
          eq(groupBuys.id, input.id),
          eq(groupBuys.status, "OPEN"),
          eq(groupBuys.regionId, homeRegionId),
          gt(groupBuys.deadline, ctx.now),
          sql`${groupBuys.takenShares} + ${input.shares} <= ${groupBuys.totalShares}`,
        ),
      )
      .returning({ price: groupBuys.pricePerShare, title: groupBuys.title, regionId: groupBuys.regionId })
      .get();
    if (!taken) fail("CONFLICT", "Sold out.");
    try {
      const hold = await placeJoinHold(ctx.env, {
        holdId: `d1:${newId()}`,
        groupBuyId: input.id,
        regionId: taken.regionId,
        userId: user.id,
        gross: taken.price * input.shares,
        shares: input.shares,
        title: taken.title,
        now: ctx.now,
        tierLevel,
      });
      return { holdId: hold.id, shares: input.shares, amount: hold.amount };
    } catch (e) {
      await ctx.db
        .update(groupBuys)
        .set({ takenShares: sql`${groupBuys.takenShares} - ${input.shares}` })
        .where(eq(groupBuys.id, input.id));
      throw e;
    }
  }),
});

const bench = new Hono<AppEnv>();
bench.use("*", async (c, next) => {
  c.set("requestId", newId());
  await next();
});
bench.use(
  "/bench/trpc/*",
  trpcServer({
    endpoint: "/bench/trpc",
    router: baselineRouter,
    // the same context as groupBuys.join (a signed token's claim; joinCaller reads the session in the guard batch)
    createContext: (opts, c) => createContext(c, opts.resHeaders, { cachedSession: onlyCalls(opts.info, ["join"]) }),
  }),
);

bench.post("/bench/seed", async (c) => {
  const body = (await c.req.json()) as { buyers: number; points: number; buys: { shares: number; price: number }[] };
  const db = getDb(c.env);
  const now = Date.now();
  const region = `bench-${newId().toLowerCase()}`;
  await db
    .insert(regions)
    .values({ id: region, name: "벤치동", nameEn: region, city: "서울", lat: 37.5, lng: 127, radiusM: 2000 });
  const sellerId = newId();
  await db.insert(users).values({
    id: sellerId,
    email: `seller-${sellerId.toLowerCase()}@bench.example`,
    passwordHash: "!",
    displayName: "벤치 판매자",
    role: "seller",
    createdAt: now,
  });
  const seller = (await db.select().from(users).where(eq(users.id, sellerId)).get())!;
  const buys: { do: string; d1: string; shares: number }[] = [];
  for (const spec of body.buys) {
    const product = await createProduct(
      db,
      sellerId,
      {
        title: `벤치 상품 ${spec.shares}`,
        description: "",
        category: "fresh",
        imageUrls: [],
        totalQuantity: spec.shares,
        unit: "개",
        totalPrice: spec.price,
        allowHosts: false,
      },
      now,
    );
    const make = async () => {
      const deadline = now + 12 * HOUR;
      const { groupBuy } = await createGroupBuy(
        db,
        c.env,
        seller,
        {
          productId: product.id,
          regionId: region,
          totalShares: spec.shares,
          minShares: 1,
          maxPerPerson: 1,
          deadline,
          pickupPlace: "벤치 주민센터",
          pickupStart: deadline + HOUR,
          pickupEnd: deadline + 2 * HOUR,
          plusEarlyAccess: false,
        },
        now,
      );
      return groupBuy.id;
    };
    buys.push({ do: await make(), d1: await make(), shares: spec.shares });
  }
  const tokens: string[] = [];
  for (let start = 0; start < body.buyers; start += 20) {
    const statements = [];
    for (let i = start; i < Math.min(body.buyers, start + 20); i++) {
      const id = newId(now);
      const session = await newSessionRow(c.env.PASSWORD_PEPPER, id, "bearer", now + 24 * HOUR, now);
      const token = session.token;
      tokens.push(token);
      statements.push(
        db.insert(users).values({
          id,
          email: `b-${id.toLowerCase()}@bench.example`,
          passwordHash: "!",
          displayName: `이웃${i}`,
          homeRegionId: region,
          createdAt: now,
        }),
        db.insert(regionVerifications).values({
          id: newId(now),
          userId: id,
          regionId: region,
          distanceM: 10,
          verifiedAt: now,
          expiresAt: now + 24 * HOUR,
        }),
        db.insert(sessions).values(session.row),
        ...transferStatements(db, {
          id: `bench-fund:${id}`,
          book: region,
          debit: platformAccount("pg_clearing", region),
          credit: userChargedAccount(id, region),
          amount: body.points,
          kind: "charge",
          now,
        }),
      );
    }
    await runBatch(db, statements);
  }
  return c.json({ region, buys, tokens });
});

bench.post("/bench/state", async (c) => {
  const { region, buys } = (await c.req.json()) as { region: string; buys: { do: string; d1: string }[] };
  const db = getDb(c.env);
  const out = [];
  for (const b of buys) {
    const room = await roomStub(c.env, b.do).debugState();
    const d1 = await db.select().from(groupBuys).where(eq(groupBuys.id, b.d1)).get();
    const escrows = await getAccounts(db, [escrowAccount(b.do, region).id, escrowAccount(b.d1, region).id]);
    const held = (id: string) => {
      const row = escrows.find((e) => e.id === escrowAccount(id, region).id);
      return row ? row.creditsPending + row.creditsPosted : 0;
    };
    out.push({
      do: {
        taken: room.counts.taken,
        confirmed: room.counts.confirmed,
        escrow: held(b.do),
        price: room.meta?.pricePerShare,
      },
      d1: { taken: d1?.takenShares ?? -1, escrow: held(b.d1), price: d1?.pricePerShare },
    });
  }
  return c.json(out);
});

/** How far a DO buy's after-join work got in D1: hold rows mirrored, and those still waiting for their settlement job. */
bench.post("/bench/settled", async (c) => {
  const { id } = (await c.req.json()) as { id: string };
  const row = await getDb(c.env)
    .select({
      mirrored: sql<number>`count(*)`,
      held: sql<number>`coalesce(sum(case when ${groupBuyHolds.settlement} = 'held' then 1 else 0 end), 0)`,
    })
    .from(groupBuyHolds)
    .where(eq(groupBuyHolds.groupBuyId, id))
    .get();
  return c.json(row ?? { mirrored: 0, held: 0 });
});

bench.post("/bench/room-stats", async (c) => {
  const { id } = (await c.req.json()) as { id: string };
  return c.json((await roomStub(c.env, id).debugState()).holdGroups);
});

/**
 * A DO buy's fill timeline (ms epoch): when its first and its last taken share was reserved, when it became FILLED;
 * and this isolate's joins by path since the last read (closedHint.ts joinPathStats, reset by the read).
 */
bench.post("/bench/room-timeline", async (c) => {
  const { id } = (await c.req.json()) as { id: string };
  const state = await roomStub(c.env, id).debugState();
  const taken = state.reservations
    .filter((r) => r.state === "reserved" || r.state === "confirmed")
    .map((r) => r.createdAt)
    .sort((a, b) => a - b);
  return c.json({
    firstReserved: taken[0] ?? null,
    allReserved: taken.length >= (state.meta?.totalShares ?? 0) ? (taken.at(-1) ?? null) : null,
    filled: state.events.find((e) => e.to_status === "FILLED")?.at ?? null,
    paths: joinPathStats(true),
  });
});

/**
 * The queue batches this isolate ran (ms epoch start and end, jobs by type): on `wrangler dev` the consumer shares the
 * one thread with the joins, so a storm's stalls can be set beside the settlement, notices and mirror jobs that ran.
 */
interface QueueRun {
  queue: string;
  start: number;
  end: number;
  jobs: Record<string, number>;
}
let queueRuns: QueueRun[] = [];

bench.post("/bench/queue-log", (c) => {
  const runs = queueRuns;
  queueRuns = [];
  return c.json(runs);
});

bench.get("/bench/health", (c) => c.json({ ok: true }));

export default {
  fetch(request, env, ctx) {
    return new URL(request.url).pathname.startsWith("/bench/")
      ? bench.fetch(request, env, ctx)
      : app.fetch(request, env, ctx);
  },
  async queue(batch, env, ctx) {
    const jobs: Record<string, number> = {};
    for (const m of batch.messages) {
      const type = String((m.body as { type?: unknown } | null)?.type ?? "?");
      jobs[type] = (jobs[type] ?? 0) + 1;
    }
    const start = Date.now();
    try {
      await app.queue(batch, env, ctx);
    } finally {
      if (queueRuns.length < 10_000) queueRuns.push({ queue: batch.queue, start, end: Date.now(), jobs });
    }
  },
  scheduled: app.scheduled,
} satisfies ExportedHandler<Env>;
