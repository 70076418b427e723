import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { membershipStatus } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { kstMonth } from "../../worker/membership/calendar";
import { clawbackReward } from "../../worker/membership/clawback";
import { reverseJoinDiscount } from "../../worker/membership/discount";
import { expireLot } from "../../worker/membership/expiry";
import { rewardState } from "../../worker/membership/lots";
import { recordCompletion } from "../../worker/membership/rewards";
import { balanceOf, escrowAccount, userChargedAccount, userRewardAccount } from "../../worker/wallet/accounts";
import type { Hold } from "../../worker/wallet/holds";
import { placeHold, postHold } from "../../worker/wallet/holds";
import { getAccounts, transfer } from "../../worker/wallet/ledger";
import { readSpendable } from "../../worker/wallet/spend";
import { insertUser } from "./fixtures";
import { assertLedgerInvariants } from "./ledger-invariants";
import { DAY, db, joinAndCapture, T0 } from "./membership-helpers";
import { fund, newBook } from "./wallet-helpers";

type Op =
  | { t: "join"; gross: number; complete: boolean }
  | { t: "spend"; amount: number }
  | { t: "advance"; days: number }
  | { t: "clawback"; pick: number }
  | { t: "refundJoin"; pick: number }
  | { t: "tier"; level: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      t: fc.constant("join" as const),
      gross: fc.integer({ min: 1, max: 80_000 }),
      complete: fc.boolean(),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ t: fc.constant("spend" as const), amount: fc.integer({ min: 1, max: 15_000 }) }),
    weight: 2,
  },
  { arbitrary: fc.record({ t: fc.constant("advance" as const), days: fc.integer({ min: 1, max: 250 }) }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant("clawback" as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant("refundJoin" as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant("tier" as const), level: fc.integer({ min: 0, max: 3 }) }), weight: 1 },
);

interface Join {
  hold: Hold;
  groupBuyId: string;
  gross: number;
  completed: boolean;
  clawed: boolean;
  refunded: boolean;
}

async function balance(id: string) {
  const [row] = await getAccounts(db(), [id]);
  return balanceOf(row);
}

async function run(charged: number, grant: number, ops: Op[]) {
  const book = newBook("prop");
  // a users row: the monthly recalculation (membership-tiers.test.ts) notifies every status row it changes
  const userId = (await insertUser(db(), "buyer", T0)).id;
  let now = T0;
  if (charged) await fund(userId, book, charged, "charged", now);
  if (grant) await fund(userId, book, grant, "reward", now); // a grant: reward points outside any lot
  const joins: Join[] = [];
  const lotIds: string[] = [];
  for (const o of ops) {
    now += 60_000;
    const funds = await readSpendable(db(), userId, book);
    const available = funds.charged + funds.reward;
    switch (o.t) {
      case "join": {
        if (available < o.gross) break; // the discount only lowers it; keep the model simple
        const { hold, groupBuyId } = await joinAndCapture(book, userId, o.gross, now);
        const j = { hold, groupBuyId, gross: o.gross, completed: false, clawed: false, refunded: false };
        joins.push(j);
        if (o.complete) {
          const outcome = await recordCompletion(
            db(),
            {
              purchaseId: hold.id,
              userId,
              book,
              groupBuyId,
              gross: o.gross,
              discount: o.gross - hold.capturedAmount,
              paid: hold.capturedAmount,
            },
            now,
          );
          j.completed = true;
          if (outcome.lotId) lotIds.push(outcome.lotId);
        }
        break;
      }
      case "spend": {
        if (available < o.amount) break;
        const holdId = `s:${newId(now)}`;
        await placeHold(db(), {
          holdId,
          userId,
          regionId: book,
          amount: o.amount,
          toAccount: escrowAccount(newId(now), book),
          now,
        });
        await postHold(db(), { holdId, now });
        break;
      }
      case "advance": {
        now += o.days * DAY;
        for (const id of lotIds) await expireLot(db(), id, now);
        break;
      }
      case "clawback": {
        const open = joins.filter((j) => j.completed && !j.clawed);
        if (!open.length) break;
        const j = open[o.pick % open.length];
        const r = await clawbackReward(db(), { purchaseId: j.hold.id, now, reason: "property" });
        expect(r.fromReward + r.fromCharged + r.writtenOff).toBe(r.target);
        j.clawed = true;
        break;
      }
      case "refundJoin": {
        const open = joins.filter((j) => !j.completed && !j.refunded);
        if (!open.length) break;
        const j = open[o.pick % open.length];
        const rewardBack = Math.min(j.hold.fromReward, j.hold.capturedAmount);
        const legs = [
          { leg: "r", amount: rewardBack, credit: userRewardAccount(userId, book) },
          { leg: "c", amount: j.hold.capturedAmount - rewardBack, credit: userChargedAccount(userId, book) },
        ];
        for (const l of legs.filter((x) => x.amount > 0)) {
          await transfer(db(), {
            id: `${j.hold.id}:refund:${l.leg}`,
            book,
            debit: escrowAccount(j.groupBuyId, book),
            credit: l.credit,
            amount: l.amount,
            kind: "escrow_refund",
            now,
          });
        }
        await reverseJoinDiscount(db(), j.hold, j.groupBuyId, now);
        j.refunded = true;
        break;
      }
      case "tier":
        await db()
          .insert(membershipStatus)
          .values({ userId, tierLevel: o.level, tierSince: now, recalcMonth: kstMonth(now), updatedAt: now })
          .onConflictDoUpdate({ target: membershipStatus.userId, set: { tierLevel: o.level } });
        break;
    }
  }
  // Σ = 0 per book, cached balances = rows, no guarded account overdrawn, holds settled once
  await assertLedgerInvariants(db(), [book]);
  for (const ref of [userChargedAccount(userId, book), userRewardAccount(userId, book)]) {
    const b = await balance(ref.id);
    expect(b.balance).toBeGreaterThanOrEqual(0);
    expect(b.available).toBeGreaterThanOrEqual(0);
  }
  // escrow holds exactly the full price of every join not refunded (the discount paid by the platform)
  for (const j of joins) {
    expect((await balance(escrowAccount(j.groupBuyId, book).id)).balance).toBe(j.refunded ? 0 : j.gross);
  }
  // the lots explain the reward balance: nothing attributed twice, never more than a lot holds
  const state = await rewardState(db(), userId, book);
  expect(state.lots.reduce((s, l) => s + l.remaining, 0) + state.withoutExpiry).toBe(Math.max(0, state.available));
  for (const l of state.lots) expect(l.remaining).toBeLessThanOrEqual(l.amount - l.clawed);
}

describe("membership money property", { timeout: 30_000 }, () => {
  it("discounts, rewards, spends, expiries and clawbacks never break Σ = 0 or make a balance negative", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 250_000 }),
        fc.integer({ min: 0, max: 3_000 }),
        fc.array(op, { minLength: 3, maxLength: 10 }),
        (charged, grant, ops) => run(charged, grant, ops),
      ),
      { numRuns: 12 },
    );
  }, 120_000);
});
