import { describe, expect, it } from "vitest";
import { newId } from "../../worker/lib/ids";
import { escrowAccount } from "../../worker/wallet/accounts";
import { placeHold, postHold, voidHold } from "../../worker/wallet/holds";
import { monthRangeKst } from "../../worker/wallet/wallet";
import { errorOf, newBuyer } from "./helpers";
import { assertLedgerInvariants } from "./ledger-invariants";
import { buyerInBook, db, newAdmin } from "./wallet-helpers";

describe("wallet procedures", () => {
  it("an admin grants reward points idempotently; the user sees them", async () => {
    const admin = await newAdmin();
    const buyer = await buyerInBook();
    expect(await buyer.client.wallet.get.query()).toEqual({
      regionId: buyer.book,
      charged: 0,
      reward: 0,
      held: 0,
      available: 0,
      pendingCharges: 0,
    });
    const input = { userId: buyer.user.id, amount: 5_000, reason: "welcome bonus", idempotencyKey: `grant-${newId()}` };
    const first = await admin.client.admin.wallet.grant.mutate(input);
    expect(await admin.client.admin.wallet.grant.mutate(input)).toEqual(first);
    const conflict = await errorOf(admin.client.admin.wallet.grant.mutate({ ...input, amount: 6_000 }));
    expect(conflict.code).toBe("CONFLICT");
    expect(await buyer.client.wallet.get.query()).toMatchObject({ reward: 5_000, available: 5_000 });
    await assertLedgerInvariants(db(), [buyer.book]);
  });

  it("only admins grant; buyers and anonymous callers are refused", async () => {
    const buyer = await buyerInBook();
    const input = { userId: buyer.user.id, amount: 1, reason: "self-service", idempotencyKey: `grant-${newId()}` };
    expect((await errorOf(buyer.client.admin.wallet.grant.mutate(input))).code).toBe("FORBIDDEN");
    expect((await errorOf(buyer.client.admin.wallet.reconciliations.query({}))).code).toBe("FORBIDDEN");
    const anon = (await newBuyer()).client;
    await anon.auth.logout.mutate();
    expect((await errorOf(anon.wallet.get.query())).code).toBe("UNAUTHORIZED");
  });

  it("refuses bad grant amounts with typed errors and writes nothing", async () => {
    const admin = await newAdmin();
    const buyer = await buyerInBook();
    for (const amount of [0, -1, 1.5, 1e12, "100" as unknown as number]) {
      const err = await errorOf(
        admin.client.admin.wallet.grant.mutate({
          userId: buyer.user.id,
          amount,
          reason: "bad",
          idempotencyKey: `grant-${newId()}`,
        }),
      );
      expect(err.code).toBe("BAD_REQUEST");
    }
    expect(await buyer.client.wallet.get.query()).toMatchObject({ reward: 0 });
  });

  it("a user without a home region cannot receive a grant (clear message)", async () => {
    const admin = await newAdmin();
    const buyer = await newBuyer();
    const err = await errorOf(
      admin.client.admin.wallet.grant.mutate({
        userId: buyer.user.id,
        amount: 100,
        reason: "bonus",
        idempotencyKey: `grant-${newId()}`,
      }),
    );
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toMatch(/home region/);
  });

  it("history pages newest first with held / captured effects", async () => {
    const admin = await newAdmin();
    const buyer = await buyerInBook();
    await admin.client.admin.wallet.grant.mutate({
      userId: buyer.user.id,
      amount: 3_000,
      reason: "welcome",
      idempotencyKey: `grant-${newId()}`,
    });
    const holdId = `join:${newId()}`;
    const now = Date.now();
    await placeHold(db(), { holdId, userId: buyer.user.id, regionId: buyer.book, amount: 1_000, now });
    await postHold(db(), { holdId, amount: 700, toAccount: escrowAccount(newId(), buyer.book), now: now + 1 });

    // A second join held and let go, and a third still held: each hold line says what became of it.
    const released = `join:${newId()}`;
    await placeHold(db(), { holdId: released, userId: buyer.user.id, regionId: buyer.book, amount: 500, now: now + 2 });
    await voidHold(db(), { holdId: released, now: now + 3 });
    await placeHold(db(), { holdId: `join:${newId()}`, userId: buyer.user.id, regionId: buyer.book, amount: 300, now });

    const all = await buyer.client.wallet.history.query({ limit: 10 });
    expect(all.lines.map((l) => [l.kind, l.phase, l.heldDelta, l.settledAs])).toEqual([
      ["hold", "pending", 300, null],
      ["hold_release", "void", -500, null],
      ["hold", "pending", 500, "void"],
      ["hold_capture", "post", -1_000, null],
      ["hold", "pending", 1_000, "post"],
      ["grant", "single", 0, null],
    ]);
    const page1 = await buyer.client.wallet.history.query({ limit: 2, cursor: String(all.lines[2].seq) });
    expect(page1.lines.map((l) => [l.kind, l.phase, l.delta, l.heldDelta])).toEqual([
      ["hold_capture", "post", -700, -1_000],
      ["hold", "pending", 0, 1_000],
    ]);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await buyer.client.wallet.history.query({ limit: 2, cursor: page1.nextCursor! });
    expect(page2.lines.map((l) => [l.kind, l.account, l.delta])).toEqual([["grant", "reward", 3_000]]);
    expect(page2.nextCursor).toBeNull();
    expect((await errorOf(buyer.client.wallet.history.query({ cursor: "abc" }))).code).toBe("BAD_REQUEST");
    expect((await errorOf(buyer.client.wallet.history.query({ limit: 101 }))).code).toBe("BAD_REQUEST");
    await assertLedgerInvariants(db(), [buyer.book]);
  });

  it("monthly statement: opening, lines, closing and totals by kind, in Korea time", async () => {
    const admin = await newAdmin();
    const buyer = await buyerInBook();
    const march = monthRangeKst("2026-03");
    expect(new Date(march.start).toISOString()).toBe("2026-02-28T15:00:00.000Z");
    // a February grant, then March activity
    const { grantPromotion } = await import("../../worker/wallet/wallet");
    await grantPromotion(db(), () => db(), {
      userId: buyer.user.id,
      amount: 2_000,
      reason: "feb",
      actorId: admin.user.id,
      transferId: `grant:${newId()}`,
      now: march.start - 1,
    });
    await grantPromotion(db(), () => db(), {
      userId: buyer.user.id,
      amount: 500,
      reason: "mar",
      actorId: admin.user.id,
      transferId: `grant:${newId()}`,
      now: march.start,
    });
    const holdId = `join:${newId()}`;
    await placeHold(db(), { holdId, userId: buyer.user.id, regionId: buyer.book, amount: 800, now: march.start + 10 });
    await postHold(db(), { holdId, toAccount: escrowAccount(newId(), buyer.book), now: march.start + 20 });

    const statement = await buyer.client.wallet.statement.query({ month: "2026-03" });
    expect(statement.opening).toEqual({ charged: 0, reward: 2_000, total: 2_000 });
    expect(statement.closing).toEqual({ charged: 0, reward: 1_700, total: 1_700 });
    expect(statement.lines.map((l) => [l.kind, l.settledAs])).toEqual([
      ["grant", null],
      ["hold", "post"],
      ["hold_capture", null],
    ]);
    expect(statement.totalsByKind).toEqual({ grant: 500, hold_capture: -800 });
    expect(statement.closing.total - statement.opening.total).toBe(
      statement.lines.reduce((sum, l) => sum + l.delta, 0),
    );
    expect((await errorOf(buyer.client.wallet.statement.query({ month: "2026-13" }))).code).toBe("BAD_REQUEST");
    await assertLedgerInvariants(db(), [buyer.book]);
  });
});
