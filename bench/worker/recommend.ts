/**
 * A tiny Worker for `npm run bench:recommend -- --d1`: seeds a synthetic interaction log into local D1 and runs the
 * real cron step (recomputeRecommendations) and the real serving path (recommendForUser) on it. Never deployed:
 * bench/recommend.ts runs it with `wrangler dev` from a temp config on 127.0.0.1.
 */

import { generateInteractions, SYNTHETIC_REGIONS } from "../../scripts/recommend/synthetic";
import { getDb } from "../../worker/db/client";
import { SIGNAL_WEIGHTS } from "../../worker/recommend/config";
import { recomputeRecommendations } from "../../worker/recommend/recompute";
import { recommendForUser } from "../../worker/recommend/serve";

interface BenchEnv {
  DB: D1Database;
}
type Body = Record<string, number | boolean | string>;

const DAY = 86_400_000;
const CATEGORY_KEYS = ["fresh", "processed", "household", "kids", "pet", "beauty", "other"];

let cached: { key: string; data: ReturnType<typeof generateInteractions> } | null = null;
function dataset(n: number, start: number) {
  const key = `${n}:${start}`;
  if (cached?.key !== key) cached = { key, data: generateInteractions({ interactions: n, start }) };
  return cached.data;
}

/** Multi-row INSERTs of ≤ 100 bound values, sent 50 statements per batch. */
async function insertRows(env: BenchEnv, head: string, rows: unknown[][]) {
  if (rows.length === 0) return;
  const perStatement = Math.floor(100 / rows[0].length);
  const placeholders = `(${rows[0].map(() => "?").join(",")})`;
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const part = rows.slice(i, i + perStatement);
    statements.push(env.DB.prepare(`${head} VALUES ${part.map(() => placeholders).join(",")}`).bind(...part.flat()));
  }
  for (let i = 0; i < statements.length; i += 50) await env.DB.batch(statements.slice(i, i + 50));
}

async function handle(path: string, body: Body, env: BenchEnv): Promise<unknown> {
  const db = getDb(env);
  const n = Number(body.n);
  const start = Number(body.start);
  switch (path) {
    case "/seed/catalog": {
      const data = dataset(n, start);
      const now = Date.now();
      await insertRows(
        env,
        "INSERT OR IGNORE INTO regions (id, name, name_en, city, lat, lng, radius_m)",
        SYNTHETIC_REGIONS.map((r) => [r.id, r.id, r.id, "서울특별시", r.lat, r.lng, 1500]),
      );
      const buyers = [...new Set(data.rows.map((r) => r.userId))];
      const sellers = [...new Set(data.items.map((i) => i.sellerId!))];
      const userRow = (id: string, role: string) => [id, `${id}@bench.local`, "!", id, role, now];
      await insertRows(env, "INSERT OR IGNORE INTO users (id, email, password_hash, display_name, role, created_at)", [
        ...buyers.map((id) => userRow(id, "buyer")),
        ...sellers.map((id) => userRow(id, "seller")),
      ]);
      // Home region and a current verification: where most of the user's joins are.
      const home = new Map<string, string>();
      for (const r of data.rows) if (!home.has(r.userId)) home.set(r.userId, r.region);
      await insertRows(
        env,
        "INSERT OR IGNORE INTO region_verifications (id, user_id, region_id, distance_m, verified_at, expires_at)",
        [...home].map(([u, region]) => [`v-${u}`, u, region, 10, now, now + 30 * DAY]),
      );
      await env.DB.prepare(
        "UPDATE users SET home_region_id = (SELECT region_id FROM region_verifications v WHERE v.user_id = users.id) WHERE home_region_id IS NULL",
      ).run();
      const products = new Map(data.items.map((i) => [i.productId!, i]));
      const category = (c: string | null) => CATEGORY_KEYS[Math.abs(hash(c ?? "")) % CATEGORY_KEYS.length];
      await insertRows(
        env,
        "INSERT OR IGNORE INTO products (id, seller_id, title, description, category, image_urls, total_quantity, unit, total_price, allow_hosts, created_at, updated_at)",
        [...products.values()].map((p) => [
          p.productId,
          p.sellerId,
          p.productId,
          "-",
          category(p.category),
          "[]",
          10,
          "kg",
          50000,
          0,
          now,
          now,
        ]),
      );
      // Offers still running at the end of the log are OPEN; earlier ones are done.
      const lastAt = data.rows[data.rows.length - 1].at;
      const lastSeen = new Map<string, number>();
      for (const r of data.rows) lastSeen.set(r.itemId, r.at);
      await insertRows(
        env,
        "INSERT OR IGNORE INTO group_buys (id, product_id, seller_id, host_id, region_id, title, category, unit, total_quantity, total_price, total_shares, min_shares, max_per_person, price_per_share, deadline, pickup_place, pickup_start, pickup_end, status, created_at, updated_at)",
        data.items.map((i) => {
          const open = (lastSeen.get(i.id) ?? 0) > lastAt - 3 * DAY;
          return [
            i.id,
            i.productId,
            i.sellerId,
            i.sellerId,
            i.regionId,
            i.id,
            category(i.category),
            "kg",
            10,
            50000,
            10,
            2,
            5,
            5000,
            open ? now + 3 * DAY : start,
            "-",
            now + 4 * DAY,
            now + 5 * DAY,
            open ? "OPEN" : "COMPLETED",
            start,
            now,
          ];
        }),
      );
      return { users: buyers.length, sellers: sellers.length, items: data.items.length, products: products.size };
    }
    case "/seed/interactions": {
      const data = dataset(n, start);
      const slice = data.interactions.slice(Number(body.offset), Number(body.offset) + Number(body.count));
      await insertRows(
        env,
        "INSERT OR IGNORE INTO rec_interactions (user_id, item_id, kind, weight, at)",
        slice.map((it) => [it.userId, it.itemId, it.kind, SIGNAL_WEIGHTS[it.kind], it.at]),
      );
      return { inserted: slice.length };
    }
    case "/recompute": {
      const t = performance.now();
      const result = await recomputeRecommendations(db, Number(body.now ?? Date.now()), {
        full: Boolean(body.full),
        maxUsers: body.maxUsers ? Number(body.maxUsers) : undefined,
      });
      return { ...result, ms: performance.now() - t };
    }
    case "/touch": {
      // New views for `count` users: what makes them due for the next incremental run.
      const data = dataset(n, start);
      const users = [...new Set(data.rows.map((r) => r.userId))].slice(0, Number(body.count));
      await insertRows(
        env,
        "INSERT OR REPLACE INTO rec_interactions (user_id, item_id, kind, weight, at)",
        users.map((u, i) => [u, data.items[i % data.items.length].id, "view", SIGNAL_WEIGHTS.view, Number(body.now)]),
      );
      return { touched: users.length };
    }
    case "/serve": {
      const user = await env.DB.prepare("SELECT id, home_region_id AS homeRegionId FROM users WHERE id = ?")
        .bind(String(body.userId))
        .first<{ id: string; homeRegionId: string | null }>();
      if (!user) return { error: "no such user" };
      const t = performance.now();
      const res = await recommendForUser(db, user, Date.now(), 10);
      return { items: res.items.length, ms: performance.now() - t };
    }
    default:
      return null;
  }
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}

export default {
  async fetch(req: Request, env: BenchEnv): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/health") return Response.json({ ok: true });
    try {
      const result = await handle(url.pathname, (await req.json()) as Body, env);
      return result === null ? new Response("not found", { status: 404 }) : Response.json(result);
    } catch (e) {
      return Response.json({ error: String(e) }, { status: 500 });
    }
  },
} satisfies ExportedHandler<BenchEnv>;
