import { Hono } from "hono";
import { groupBuyListInput } from "../../shared/schemas/groupbuy";
import { resolveSession } from "../accounts/sessions";
import { getDb } from "../db/client";
import type { AppEnv } from "../env";
import { listGroupBuys } from "../groupbuy/service";
import { readAuth } from "../trpc/context";

/**
 * Bare Hono routes doing exactly what a tRPC procedure does (same session lookup, same zod input, same domain call)
 * without tRPC, so bench/read.ts can measure tRPC's overhead in the same worker. Mounted under /api/bench/ only when
 * BENCH_ROUTES=1 (worker/index.ts); production never serves them.
 */
export const benchRoutes = new Hono<AppEnv>();

benchRoutes.get("/groupBuys.list", async (c) => {
  const db = getDb(c.env);
  const now = Date.now();
  const auth = readAuth(c.req.raw);
  const session = auth ? await resolveSession(db, auth.token, now) : null;
  if (!session) return c.json({ error: "UNAUTHORIZED" }, 401);
  const input = groupBuyListInput.safeParse(JSON.parse(c.req.query("input") ?? "{}"));
  if (!input.success) return c.json({ error: "BAD_REQUEST" }, 400);
  return c.json(await listGroupBuys(db, session.user.id, input.data, now));
});
