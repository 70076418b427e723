import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notifications } from "../../worker/db/schema";
import worker from "../../worker/index";
import { newId } from "../../worker/lib/ids";
import { addMonthsKst, kstMonthStart } from "../../worker/membership/calendar";
import { clawbackReward } from "../../worker/membership/clawback";
import { recordCompletion } from "../../worker/membership/rewards";
import { countedSpend, getStatus, recalculateTiers } from "../../worker/membership/tiers";
import { membershipSummary } from "../../worker/membership/view";
import { captureLogs } from "./card-scan";
import { insertUser } from "./fixtures";
import { errorOf } from "./helpers";
import { assertLedgerInvariants } from "./ledger-invariants";
import { db, T0 } from "./membership-helpers";
import { buyerInBook, newBook } from "./wallet-helpers";

function completer(userId: string, book = newBook()) {
  return (paid: number, at: number) =>
    recordCompletion(
      db(),
      { purchaseId: `p:${newId(at)}`, userId, book, groupBuyId: newId(at), gross: paid, discount: 0, paid },
      at,
    );
}

/**
 * A buyer with a users row: the monthly run below notifies every status row it changes in the shared runtime — those of
 * the files before this one too — and a notice needs its user (notifications.user_id).
 */
const newUserId = async () => (await insertUser(db(), "buyer", T0)).id;

describe("tier boundaries", { timeout: 30_000 }, () => {
  it("upgrades exactly at 100,000 / 300,000 / 1,000,000 won of counted spend", async () => {
    const userId = await newUserId();
    const complete = completer(userId);
    const steps: Array<[number, number]> = [
      [99_999, 0],
      [1, 1],
      [199_999, 1],
      [1, 2],
      [699_999, 2],
      [1, 3],
    ];
    let t = T0;
    for (const [paid, level] of steps) {
      t += 1000;
      await complete(paid, t);
      expect((await getStatus(db(), userId))?.tierLevel, `after ${paid}`).toBe(level);
    }
    expect(await countedSpend(db(), userId, t)).toBe(1_000_000);
  });

  it("counts only the last 3 months, and a refunded purchase stops counting", async () => {
    const userId = await newUserId();
    const book = newBook();
    const complete = completer(userId, book);
    const old = await complete(60_000, T0);
    await complete(50_000, addMonthsKst(T0, 2));
    const at = addMonthsKst(T0, 3);
    expect(await countedSpend(db(), userId, at - 1)).toBe(110_000);
    expect(await countedSpend(db(), userId, at + 1)).toBe(50_000);
    await clawbackReward(db(), { purchaseId: old.purchaseId, now: T0 + 1, reason: "refund" });
    expect(await countedSpend(db(), userId, at - 1)).toBe(50_000);
    await assertLedgerInvariants(db(), [book]);
  });
});

describe("monthly recalculation", { timeout: 30_000 }, () => {
  it("never lowers a tier mid-month; the monthly run does, once, with a notification", async () => {
    const user = await insertUser(db(), "buyer", T0);
    const complete = completer(user.id);
    await complete(150_000, T0); // 이웃 from 2026-03-10
    // 3 months later the spend is outside the window, but a completion only ever raises the tier
    const june = addMonthsKst(T0, 3) + 86_400_000;
    await complete(1_000, june);
    expect((await getStatus(db(), user.id))?.tierLevel).toBe(1);
    expect((await membershipSummary(db(), { id: user.id, homeRegionId: null }, june)).spend.counted).toBe(1_000);

    const july1 = kstMonthStart(june, 1) + 5 * 60_000;
    const logs = captureLogs();
    try {
      const ctx = createExecutionContext();
      await worker.scheduled!(createScheduledController({ scheduledTime: july1, cron: "*/5 * * * *" }), env, ctx);
      await waitOnExecutionContext(ctx);
    } finally {
      logs.restore();
    }
    // every user whose tier the run changed (in this runtime: earlier files' users too) got their notice
    expect(logs.lines.filter((l) => l.includes("membership.notify_failed"))).toEqual([]);
    expect(await getStatus(db(), user.id)).toMatchObject({ tierLevel: 0, tierSince: july1, recalcMonth: "2026-07" });
    const inbox = await db().select().from(notifications).where(eq(notifications.userId, user.id)).all();
    expect(inbox.map((n) => [n.kind, n.params])).toEqual([
      ["membership.tier_changed", { tier: "sprout", previousTier: "neighbor" }],
    ]);
    // the same month again does nothing
    expect((await recalculateTiers(db(), july1 + 3_600_000)).some((c) => c.userId === user.id)).toBe(false);
  });

  it("also raises a tier whose spend qualifies, and keeps tierSince when nothing changes", async () => {
    const up = await newUserId();
    const same = await newUserId();
    await completer(up)(320_000, T0); // 단골 at once
    await completer(same)(120_000, T0);
    const april = kstMonthStart(T0, 1);
    const changes = await recalculateTiers(db(), april, 10_000);
    expect(changes.find((c) => c.userId === up)).toBeUndefined();
    expect(await getStatus(db(), up)).toMatchObject({ tierLevel: 2, tierSince: T0, recalcMonth: "2026-04" });
    expect(await getStatus(db(), same)).toMatchObject({ tierLevel: 1, tierSince: T0 });
  });
});

describe("membership.get and membership.quote over the API", { timeout: 30_000 }, () => {
  it("shows the tier, counted spend, what the next tier needs, and reward lots", async () => {
    const { client, user, book } = await buyerInBook();
    const now = Date.now();
    await completer(user.id, book)(150_000, now - 60_000);
    const summary = await client.membership.get.query();
    expect(summary.tier).toMatchObject({ id: "neighbor", level: 1, discountBps: 100, rewardBps: 100 });
    expect(summary.spend.counted).toBe(150_000);
    expect(summary.next).toEqual({ tier: "regular", minSpend: 300_000, needed: 150_000 });
    expect(summary.plus).toMatchObject({ status: "none", active: false });
    expect(summary.rewards).toMatchObject({ balance: 750, available: 750, withoutExpiry: 0, expiringWithin30Days: 0 });
    expect(summary.rewards.lots).toEqual([
      expect.objectContaining({ earned: 750, remaining: 750, expiresAt: addMonthsKst(now - 60_000, 12) }),
    ]);
    expect(summary.tiers.map((t) => t.id)).toEqual(["sprout", "neighbor", "regular", "vip"]);

    const quote = await client.membership.quote.query({ amount: 15_050 });
    // 1 % of 15,050 = 150.5 → 151 (half-up); reward 1 % of the net 14,899 = 148.99 → 149
    expect(quote).toEqual({
      tier: "neighbor",
      discountBps: 100,
      gross: 15_050,
      discount: 151,
      net: 14_899,
      rewardEstimate: 149,
    });
    await assertLedgerInvariants(db(), [book]);
  });

  it("rejects bad quote input with a typed, flattened error", async () => {
    const { client } = await buyerInBook();
    for (const amount of [0, -1, 1.5, 10_000_000_001]) {
      const e = await errorOf(client.membership.quote.query({ amount }));
      expect(e.code, String(amount)).toBe("BAD_REQUEST");
      expect(e.zodError).toMatchObject({ fieldErrors: { amount: expect.any(Array) } });
    }
    const e = await errorOf(client.membership.quote.query({ amount: "1000" as unknown as number }));
    expect(e.code).toBe("BAD_REQUEST");
  });
});
