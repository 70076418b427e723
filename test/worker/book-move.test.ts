import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { charges, users } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { PLUS } from "../../worker/membership/config";
import { getPlus, plusFeeId, processPlusRenewals, subscribePlus } from "../../worker/membership/plus";
import { escrowAccount, platformAccount } from "../../worker/wallet/accounts";
import { type MoveBookJob, moveUserBook, queueStrayBalances, runMoveBookJob } from "../../worker/wallet/books";
import { hasOutstandingDebt } from "../../worker/wallet/charges";
import { placeHold, voidHold } from "../../worker/wallet/holds";
import { getAccounts, getTransfer, transfer } from "../../worker/wallet/ledger";
import { walletSummary } from "../../worker/wallet/wallet";
import { until } from "./groupbuy-helpers";
import { assertLedgerInvariants } from "./ledger-invariants";
import {
  balances,
  chargeByCard,
  chargesOf,
  deliver,
  gatewayUp,
  key,
  owingAfterDecline,
  payingBuyer,
  setGateway,
  settleBody,
} from "./payments-helpers";
import {
  BOOKS_TEST,
  books,
  booksEnv,
  buyerInBook,
  db,
  debtCharge,
  ensureRegion,
  fund,
  newBook,
} from "./wallet-helpers";

const DAY = 86_400_000;

async function transitNet(pairs: [ReturnType<typeof db>, string][]) {
  let net = 0;
  for (const [database, book] of pairs) {
    const [row] = await getAccounts(database, [platformAccount("book_transit", book).id]);
    net += row ? row.creditsPosted - row.debitsPosted : 0;
  }
  return net;
}

/** Both books of a move in the main database balanced, and their transit accounts net to zero across them. */
async function expectBooksClosed(from: string, to: string) {
  expect(
    await transitNet([
      [db(), from],
      [db(), to],
    ]),
  ).toBe(0);
  await assertLedgerInvariants(db(), [from, to]);
}

afterEach(gatewayUp);

describe("a region move carries what the home book owes and pays", () => {
  beforeAll(() => applyD1Migrations(BOOKS_TEST, env.TEST_MIGRATIONS));

  it("a declined charge's debt moves with the user: it still blocks, the next paid charge repays it, both receivables end at 0", async () => {
    const { client, user, book } = await owingAfterDecline();
    const home = newBook("m");
    await ensureRegion(home);
    await client.regions.verify.mutate({ regionId: home, lat: 37.5, lng: 127.0 });
    expect(await balances(book, user.id)).toEqual({ charged: 0, clearing: 0, receivable: 0 });
    expect(await balances(home, user.id)).toEqual({ charged: 0, clearing: 0, receivable: -25_000 });
    expect(await client.wallet.pendingCharges.query()).toMatchObject({ debt: 25_000 });

    const paid = await chargeByCard(client, 30_000);
    expect(paid.wallet.charged).toBe(5_000);
    expect(await hasOutstandingDebt(db(), user.id)).toBe(false);
    // was: the old book's receivable stayed at −25,000 and the new one's went to +25,000
    expect(await balances(book, user.id)).toEqual({ charged: 0, clearing: 0, receivable: 0 });
    expect(await balances(home, user.id)).toEqual({ charged: 5_000, clearing: -30_000, receivable: 0 });
    await expectBooksClosed(book, home);
  });

  it("a deferred charge declined after the move: its debt follows the user home by a queued move", async () => {
    const buyer = await payingBuyer({ billingKey: true });
    const { client, user, book } = buyer;
    await setGateway({ mode: "down" });
    const billing = { type: "billingKey" as const };
    const res = await client.wallet.charge.mutate({ amount: 30_000, idempotencyKey: key(), paymentMethod: billing });
    const home = newBook("m");
    await ensureRegion(home);
    // the move done (its queued copy already ran): the 30,000 on credit moved along
    await db().update(users).set({ homeRegionId: home }).where(eq(users.id, user.id));
    await moveUserBook(db(), db(), {
      moveId: newId(),
      userId: user.id,
      fromRegion: book,
      toRegion: home,
      now: Date.now(),
    });
    await setGateway({ mode: "decline" });
    await deliver([{ body: settleBody({ id: res.charge.id, book }) }]);
    expect((await chargesOf(user.id))[0]).toMatchObject({ id: res.charge.id, status: "clawed_back" });

    // nothing left to take back in the old book: all 30,000 owed, and owed where the user lives now
    await until("the debt in the new home", async () => (await balances(home, user.id)).receivable === -30_000);
    expect(await balances(book, user.id)).toEqual({ charged: 0, clearing: 0, receivable: 0 });
    expect(await client.wallet.pendingCharges.query()).toMatchObject({ debt: 30_000 });
    const paid = await chargeByCard(client, 10_000);
    expect(paid.wallet.charged).toBe(30_000); // 30,000 moved + 10,000 paid − 10,000 repaid
    expect(await balances(home, user.id)).toEqual({ charged: 30_000, clearing: -10_000, receivable: -20_000 });
    await expectBooksClosed(book, home);
  });

  it("to a book in another database: the debt and the Plus plan arrive once (retried), and the plan renews from there", async () => {
    const buyer = await buyerInBook();
    const from = buyer.book;
    const to = newBook("own");
    const userId = buyer.user.id;
    const start = Date.now() - 40 * DAY; // the first period is over
    await fund(userId, from, 30_000, "charged", start);
    await subscribePlus(db(), { id: userId, homeRegionId: from }, start);
    // 25,000 granted on credit and spent; the card declined: owed in book A
    const debt = debtCharge(userId, from, 25_000, start);
    await db().insert(charges).values(debt);
    // granted on credit, spent in a buy: the receivable is short by the debt
    await transfer(db(), {
      id: `owed:${newId()}`,
      book: from,
      debit: platformAccount("deferred_receivable", from),
      credit: escrowAccount(newId(), from),
      amount: 25_000,
      kind: "charge_deferred",
      now: start,
    });

    const args = { moveId: newId(), userId, fromRegion: from, toRegion: to, now: Date.now() };
    const moved = await moveUserBook(db(), books(), args);
    expect(await moveUserBook(db(), books(), args)).toEqual(moved); // a retry carries nothing twice
    expect(moved.charged).toBe(30_000 - PLUS.priceWon);

    expect(await getPlus(db(), userId)).toBeUndefined();
    expect(await getPlus(books(), userId)).toMatchObject({ book: to, status: "active", periodNo: 1 });
    expect((await db().select().from(charges).where(eq(charges.id, debt.id)).get())?.debtAmount).toBe(0);
    expect(await hasOutstandingDebt(books(), userId)).toBe(true);
    expect(await hasOutstandingDebt(db(), userId)).toBe(false);

    // the renewal cron of book B's database renews it from the moved points (was: A's lapsed it, B had no row)
    const events = await processPlusRenewals(books(), Date.now());
    expect(events).toContainEqual(expect.objectContaining({ kind: "renewed", userId, periodNo: 2 }));
    expect(await getTransfer(books(), `${plusFeeId(userId, 2)}:c`)).toMatchObject({ amount: PLUS.priceWon });
    expect(
      await transitNet([
        [db(), from],
        [books(), to],
      ]),
    ).toBe(0);
    await assertLedgerInvariants(db(), [from]);
    await assertLedgerInvariants(books(), [to]);
  });
});

describe("stray points in a book of its own database", () => {
  beforeAll(() => applyD1Migrations(BOOKS_TEST, env.TEST_MIGRATIONS));

  it("a hold released there after the user moved away: the daily sweep queues their move home, which lands once", async () => {
    const buyer = await buyerInBook(newBook("own"));
    const userId = buyer.user.id;
    const from = buyer.book;
    const ownEnv = booksEnv(from);
    const now = Date.now();
    await fund(userId, from, 3_000, "charged", now, books());
    const holdId = `join:${newId()}`;
    await placeHold(books(), { holdId, userId, regionId: from, amount: 1_000, now });
    const home = newBook("home");
    await ensureRegion(home);
    await db().update(users).set({ homeRegionId: home }).where(eq(users.id, userId));
    const move = { moveId: newId(), userId, fromRegion: from, toRegion: home, now };
    expect(await moveUserBook(books(), db(), move)).toMatchObject({ charged: 2_000 });
    await voidHold(books(), { holdId, now: now + 1 }); // 1,000 back in the old book, in its own database

    const sent: MoveBookJob[] = [];
    const jobs = { sendBatch: async (msgs: { body: MoveBookJob }[]) => void sent.push(...msgs.map((m) => m.body)) };
    await queueStrayBalances(ownEnv, jobs as unknown as Queue, Date.now());
    // was: only the main database's books were looked at (it joined users), so these 1,000 points stayed there
    const job = sent.find((j) => j.userId === userId);
    expect(job).toMatchObject({ type: "wallet.moveBook", fromRegion: from, toRegion: home });
    await runMoveBookJob(ownEnv, job!);
    await runMoveBookJob(ownEnv, job!); // delivered twice: arrives once
    expect(await walletSummary(db(), userId, home)).toMatchObject({ charged: 3_000, held: 0 });
    expect(await walletSummary(books(), userId, from)).toMatchObject({ charged: 0, held: 0 });
    await assertLedgerInvariants(books(), [from]);
    await assertLedgerInvariants(db(), [home]);
  });
});
