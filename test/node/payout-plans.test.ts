import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { expect, test } from "vitest";
import type { Db } from "../../worker/db/client";
import * as schema from "../../worker/db/schema";
import { listPayouts } from "../../worker/groupbuy/payoutAdmin";
import { migrationStatements } from "./libsql-db";

const CURSOR = "1796324484023_01M8YM2BJR3A4GMCS0P5V73R7A";

/**
 * Each filter of admin.payouts.list (the console's Payouts tab) reads an index in its order: no scan of every payout,
 * no sort of them all, whatever the page. The plans of the statements listPayouts really sends, on the migrated schema
 * (libSQL; D1 runs the same SQLite planner on the same migrations).
 */
test("admin.payouts.list's filters read seller_payouts by index, in page order", async () => {
  const client = createClient({ url: ":memory:" });
  await client.migrate(migrationStatements());
  const sent: { sql: string; params: unknown[] }[] = [];
  const logger = { logQuery: (sql: string, params: unknown[]) => void sent.push({ sql, params }) };
  const db = drizzle(client, { schema, logger }) as unknown as Db;
  const filters = [
    {},
    { status: "paid" },
    { status: "failed", from: 1, to: 2 },
    { needsOperator: true },
    { needsOperator: false },
    { sellerId: "01M8YM2BJR3A4GMCS0P5V73R7B" },
    { from: 1, to: 2 },
    { cursor: CURSOR },
    { status: "paid", cursor: CURSOR },
  ] as const;
  const plans: Record<string, string> = {};
  for (const filter of filters) {
    sent.length = 0;
    await listPayouts(db, { limit: 50, ...filter });
    for (const q of sent) {
      const plan = await client.execute({ sql: `EXPLAIN QUERY PLAN ${q.sql}`, args: q.params as never[] });
      plans[`${JSON.stringify(filter)} ${q.sql.slice(0, 30)}`] = plan.rows.map((r) => String(r.detail)).join(" | ");
    }
  }
  // before 0021: a bare page, a status, a time range or a cursor was "SCAN seller_payouts … USE TEMP B-TREE FOR ORDER BY"
  const unindexed = Object.entries(plans).filter(
    ([, plan]) =>
      /SCAN seller_payouts(?! USING (COVERING )?INDEX seller_payouts_(status_)?created_idx)/.test(plan) ||
      / TEMP B-TREE FOR ORDER BY/.test(plan),
  );
  expect(unindexed).toEqual([]);
  client.close();
});
