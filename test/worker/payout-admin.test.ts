import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, sellerPayouts } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { platformAccount, sellerPayableAvailableAccount } from "../../worker/wallet/accounts";
import { transfer } from "../../worker/wallet/ledger";
import { captureLogs } from "./card-scan";
import { insertRegion, insertUser, tokenFor } from "./fixtures";
import { db } from "./groupbuy-helpers";
import { bearerClient, errorOf } from "./helpers";
import { availableToSeller, expectMoney, payoutRun, payoutTransfers } from "./payout-helpers";

// admin.payouts.list (every seller's payouts, the ones the daily batch left for an operator findable) and
// admin.payouts.recheck (the batch's own step for one requested payout, now).

async function clientAs(role: "seller" | "admin" | "buyer") {
  const user = await insertUser(db(), role);
  return { user, client: bearerClient(await tokenFor(db(), user)) };
}

type Row = Partial<typeof sellerPayouts.$inferInsert> & { createdAt: number };

async function payoutRows(sellerId: string, regionId: string, rows: Row[]) {
  const ids: string[] = [];
  for (const r of rows) {
    const id = newId(r.createdAt);
    ids.push(id);
    await db()
      .insert(sellerPayouts)
      .values({ id, sellerId, regionId, amount: 10_000, status: "requested", ...r });
  }
  return ids;
}

const auditCount = async () => (await db().select().from(auditLog).all()).length;

describe("admin.payouts.list", () => {
  it("filters by status, needs-operator, seller and requested time, and pages with a cursor", async () => {
    const region = await insertRegion(db());
    const { client: admin } = await clientAs("admin");
    const { user: seller } = await clientAs("seller");
    const { user: other } = await clientAs("seller");
    const t0 = Date.UTC(2001, 0, 1) + Math.floor(Math.random() * 1e9); // a range no other test writes in
    const [stuck, inFlight, fresh, paid, failed] = await payoutRows(seller.id, region.id, [
      { createdAt: t0 + 5, failureReason: "Needs an operator: Error: Not enough points" },
      { createdAt: t0 + 4, failureReason: "GATEWAY_DOWN: the gateway is down", gatewayRef: "po_1" },
      { createdAt: t0 + 3 },
      { createdAt: t0 + 2, status: "paid", gatewayRef: "po_2", paidAt: t0 + 10 },
      { createdAt: t0 + 1, status: "failed", failureReason: "INVALID_ACCOUNT: closed" },
    ]);
    const [othersStuck] = await payoutRows(other.id, region.id, [
      { createdAt: t0 + 6, failureReason: "Needs an operator: the gateway paid 9000 won, not 10000" },
    ]);
    const range = { from: t0, to: t0 + 100 };

    const all = await admin.admin.payouts.list.query({ ...range, limit: 10 });
    expect(all.items.map((p) => p.id)).toEqual([othersStuck, stuck, inFlight, fresh, paid, failed]);
    expect(all.nextCursor).toBeNull();
    expect(all.needsOperator).toBeGreaterThanOrEqual(2);
    expect(all.items[1]).toEqual({
      id: stuck,
      sellerId: seller.id,
      sellerName: expect.stringMatching(/\S/),
      sellerEmail: seller.email,
      regionId: region.id,
      amount: 10_000,
      status: "requested",
      gatewayRef: null,
      failureReason: "Needs an operator: Error: Not enough points",
      needsOperator: true,
      requestedAt: t0 + 5,
      paidAt: null,
    });
    expect(all.items.find((p) => p.id === paid)).toMatchObject({ gatewayRef: "po_2", paidAt: t0 + 10 });

    const ids = async (input: Parameters<typeof admin.admin.payouts.list.query>[0]) =>
      (await admin.admin.payouts.list.query({ ...range, limit: 10, ...input })).items.map((p) => p.id);
    expect(await ids({ needsOperator: true })).toEqual([othersStuck, stuck]);
    // the others, a requested payout with no reason at all among them
    expect(await ids({ needsOperator: false })).toEqual([inFlight, fresh, paid, failed]);
    expect(await ids({ status: "requested" })).toEqual([othersStuck, stuck, inFlight, fresh]);
    expect(await ids({ status: "failed" })).toEqual([failed]);
    expect(await ids({ sellerId: other.id })).toEqual([othersStuck]);
    expect(await ids({ sellerId: seller.id, needsOperator: true })).toEqual([stuck]);
    expect(await ids({ from: t0 + 2, to: t0 + 4 })).toEqual([fresh, paid]); // from inclusive, to exclusive

    const pages: string[] = [];
    let cursor: string | undefined;
    do {
      const p = await admin.admin.payouts.list.query({ ...range, limit: 4, cursor });
      expect(p.items.length).toBeLessThanOrEqual(4);
      pages.push(...p.items.map((i) => i.id));
      cursor = p.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).toEqual(all.items.map((p) => p.id));
  });

  it("refuses non-admins, and bad input with BAD_REQUEST and the field, writing nothing", async () => {
    for (const role of ["buyer", "seller"] as const) {
      const { client } = await clientAs(role);
      expect((await errorOf(client.admin.payouts.list.query({ limit: 5 }))).code).toBe("FORBIDDEN");
      expect((await errorOf(client.admin.payouts.recheck.mutate({ payoutId: newId() }))).code).toBe("FORBIDDEN");
    }
    expect((await errorOf(bearerClient().admin.payouts.list.query({ limit: 5 }))).code).toBe("UNAUTHORIZED");

    const { client: admin } = await clientAs("admin");
    const audits = await auditCount();
    const bad = [
      { limit: 0 },
      { limit: 101 },
      { limit: 5, status: "stuck" },
      { limit: 5, sellerId: "nope" },
      { limit: 5, from: 2_000, to: 1_000 },
      { limit: 5, from: -1 },
      { limit: 5, needsOperator: "yes" },
      { limit: 5, cursor: "not-a-cursor" },
    ];
    for (const input of bad) {
      const error = await errorOf(admin.admin.payouts.list.query(input as never));
      expect(error.code, JSON.stringify(input)).toBe("BAD_REQUEST");
    }
    const range = await errorOf(admin.admin.payouts.list.query({ limit: 5, from: 2_000, to: 1_000 }));
    expect(range.zodError).toMatchObject({ fieldErrors: { to: ["from must be before to"] } });
    expect((await errorOf(admin.admin.payouts.recheck.mutate({ payoutId: "x" }))).code).toBe("BAD_REQUEST");
    expect((await errorOf(admin.admin.payouts.recheck.mutate({ payoutId: newId() }))).code).toBe("NOT_FOUND");
    expect(await auditCount()).toBe(audits);
  });
});

describe("admin.payouts.recheck", { timeout: 60_000 }, () => {
  it("a payout the ledger refused stays held until the cause is fixed; then rechecks (twice at once, again) pay it once", async () => {
    const payee = await availableToSeller();
    const { seller, region } = payee;
    const drift = (amount: number, from: "seller" | "clearing") => {
      const sellerAccount = sellerPayableAvailableAccount(seller.id, region);
      const clearing = platformAccount("pg_clearing", region);
      return transfer(db(), {
        id: `drift:${newId()}`,
        book: region,
        debit: from === "seller" ? sellerAccount : clearing,
        credit: from === "seller" ? clearing : sellerAccount,
        amount,
        kind: "payout",
        now: Date.now(),
      });
    };
    await drift(1, "seller"); // 1 won short: the ledger refuses the payout
    const logs = captureLogs();
    try {
      await payoutRun();
    } finally {
      logs.restore();
    }
    const { client: admin, user: adminUser } = await clientAs("admin");
    const listed = await admin.admin.payouts.list.query({ sellerId: seller.id, needsOperator: true, limit: 5 });
    expect(listed.items).toHaveLength(1);
    const [held] = listed.items;
    expect(held).toMatchObject({ status: "requested", needsOperator: true, amount: 19_000 });
    expect(held.failureReason).toMatch(/^Needs an operator: .*Not enough points/);

    // not fixed yet: the recheck holds it again, nothing moves
    const quiet = captureLogs();
    try {
      expect(await admin.admin.payouts.recheck.mutate({ payoutId: held.id })).toMatchObject({
        end: "stuck",
        status: "requested",
      });
    } finally {
      quiet.restore();
    }
    expect(await payoutTransfers(held.id)).toEqual([]);

    await drift(1, "clearing"); // the operator puts the won back
    const recheck = () =>
      admin.admin.payouts.recheck
        .mutate({ payoutId: held.id })
        .then((r) => r.status)
        .catch(async (e) => (await errorOf(Promise.reject(e))).code);
    // each pays the same payout (same gateway key, same ledger id) or finds it already paid
    const twice = await Promise.all([recheck(), recheck()]);
    expect(twice).toContain("paid");
    for (const end of twice) expect(["paid", "PRECONDITION_FAILED"]).toContain(end);
    const again = await errorOf(admin.admin.payouts.recheck.mutate({ payoutId: held.id }));
    expect(again.code).toBe("PRECONDITION_FAILED");

    expect(await payoutTransfers(held.id)).toHaveLength(1);
    await expectMoney(payee, { available: 0, paid: 19_000 });
    const after = await admin.admin.payouts.list.query({ sellerId: seller.id, limit: 5 });
    expect(after.items).toEqual([
      expect.objectContaining({ id: held.id, status: "paid", needsOperator: false, failureReason: null }),
    ]);
    const audits = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.actorId, adminUser.id), eq(auditLog.action, "payout.recheck")))
      .all();
    expect(audits.length).toBeGreaterThanOrEqual(2);
  });
});
