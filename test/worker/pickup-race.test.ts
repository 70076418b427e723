import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { groupBuyMembers, trustEvents } from "../../worker/db/schema";
import { beforeStatement } from "./d1-interpose";
import { db, key, newResident, openBuy, untilStatus } from "./groupbuy-helpers";
import { checkLedgerAfterEachTest } from "./ledger-invariants";

// Issue 5: the ledger invariants hold after every test (each book the test wrote to).
checkLedgerAfterEachTest();

/** A READY buy of three buyers (one share each). */
async function readyBuy() {
  const { gb, seller, region } = await openBuy({ totalShares: 3, minShares: 2, maxPerPerson: 1 });
  const buyers = [];
  for (let i = 0; i < 3; i++) buyers.push(await newResident(region, 50_000));
  for (const b of buyers) await b.api.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey: key() });
  await untilStatus(gb.id, "FILLED");
  await seller.api.groupBuys.markOrdered.mutate({ id: gb.id });
  await seller.api.groupBuys.markReady.mutate({ id: gb.id });
  return { gb, seller, buyers };
}

async function stateOf(groupBuyId: string, userId: string) {
  const row = await db()
    .select()
    .from(groupBuyMembers)
    .where(and(eq(groupBuyMembers.groupBuyId, groupBuyId), eq(groupBuyMembers.userId, userId)))
    .get();
  const events = await db()
    .select()
    .from(trustEvents)
    .where(and(eq(trustEvents.userId, userId), eq(trustEvents.kind, "no_show")))
    .all();
  return { pickedUp: row?.pickedUpAt !== null, noShow: row?.noShowAt !== null, noShowEvents: events.length };
}

/**
 * A buyer confirming their pickup while the seller marks them a no-show: whichever write lands second finds the
 * other's and changes nothing — never both on the row, never a no-show on the trust record of a buyer who picked up.
 * Each order is forced by landing the other request between the loser's read and its write.
 */
describe("pickup vs no-show at once", () => {
  it("the pickup lands between the no-show's read and its write: picked up, no trust event", async () => {
    const { gb, seller, buyers } = await readyBuy();
    const [b] = buyers;
    const race = beforeStatement(/trust_events/, b.id, () => b.api.groupBuys.confirmPickup.mutate({ id: gb.id }));
    let noShow: unknown;
    try {
      noShow = await seller.api.groupBuys.markNoShow.mutate({ id: gb.id, userId: b.id }).catch((e: Error) => e.message);
    } finally {
      race.restore();
    }
    expect(await stateOf(gb.id, b.id)).toEqual({ pickedUp: true, noShow: false, noShowEvents: 0 });
    expect(noShow).toMatch(/already confirmed their pickup/);
  });

  it("the no-show lands between the pickup's read and its write: a no-show, the pickup refused", async () => {
    const { gb, seller, buyers } = await readyBuy();
    const [b] = buyers;
    const race = beforeStatement(/update "group_buy_members" set "picked_up_at"/, b.id, () =>
      seller.api.groupBuys.markNoShow.mutate({ id: gb.id, userId: b.id }),
    );
    let pickup: unknown;
    try {
      pickup = await b.api.groupBuys.confirmPickup.mutate({ id: gb.id }).catch((e: Error) => e.message);
    } finally {
      race.restore();
    }
    expect(await stateOf(gb.id, b.id)).toEqual({ pickedUp: false, noShow: true, noShowEvents: 1 });
    expect(pickup).toMatch(/not having picked up/);
  });
});
