import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { PAYMENT_LIMITS } from "../../shared/schemas/payments";
import { charges } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { insertChargeWithinLimits, limitWindows } from "../../worker/wallet/charges";
import { errorOf } from "./helpers";
import { cardMethod, key, payingBuyer, userMoneyRows, userRows } from "./payments-helpers";
import { db } from "./wallet-helpers";

describe("wallet.charge input", () => {
  const bad: [string, (m: ReturnType<typeof cardMethod>) => unknown][] = [
    ["negative", (m) => ({ amount: -1_000, idempotencyKey: key(), paymentMethod: m })],
    ["zero", (m) => ({ amount: 0, idempotencyKey: key(), paymentMethod: m })],
    ["below the minimum", (m) => ({ amount: 999, idempotencyKey: key(), paymentMethod: m })],
    ["not a multiple of 1,000", (m) => ({ amount: 1_500, idempotencyKey: key(), paymentMethod: m })],
    ["not an integer", (m) => ({ amount: 1_000.5, idempotencyKey: key(), paymentMethod: m })],
    ["over the maximum", (m) => ({ amount: 2_001_000, idempotencyKey: key(), paymentMethod: m })],
    ["huge", (m) => ({ amount: 1e15, idempotencyKey: key(), paymentMethod: m })],
    ["a string", (m) => ({ amount: "1000", idempotencyKey: key(), paymentMethod: m })],
    ["null", (m) => ({ amount: null, idempotencyKey: key(), paymentMethod: m })],
    ["a boolean", (m) => ({ amount: true, idempotencyKey: key(), paymentMethod: m })],
    ["missing amount", (m) => ({ idempotencyKey: key(), paymentMethod: m })],
    ["missing key", (m) => ({ amount: 1_000, paymentMethod: m })],
    ["short key", (m) => ({ amount: 1_000, idempotencyKey: "abc", paymentMethod: m })],
    ["key with spaces", (m) => ({ amount: 1_000, idempotencyKey: "has spaces in it", paymentMethod: m })],
    ["no payment method", () => ({ amount: 1_000, idempotencyKey: key() })],
    ["unknown method", () => ({ amount: 1_000, idempotencyKey: key(), paymentMethod: { type: "bitcoin" } })],
    [
      "card without paymentKey",
      (m) => ({ amount: 1_000, idempotencyKey: key(), paymentMethod: { type: "card", orderId: m.orderId } }),
    ],
    ["short orderId", (m) => ({ amount: 1_000, idempotencyKey: key(), paymentMethod: { ...m, orderId: "abc" } })],
    [
      "malformed encrypted card",
      () => ({
        amount: 1_000,
        idempotencyKey: key(),
        paymentMethod: { type: "encryptedCard", encryptedCard: "4111111111111111", consent: "deferred-v1" },
      }),
    ],
    [
      "encrypted card without consent",
      () => ({
        amount: 1_000,
        idempotencyKey: key(),
        paymentMethod: { type: "encryptedCard", encryptedCard: `v1.k.${"A".repeat(40)}` },
      }),
    ],
  ];

  it("refuses every bad input with BAD_REQUEST and a readable message, writing nothing", async () => {
    const { client, user } = await payingBuyer();
    const before = await userRows(user.id);
    for (const [label, make] of bad) {
      const err = await errorOf(client.wallet.charge.mutate(make(cardMethod()) as never));
      expect(err.code, label).toBe("BAD_REQUEST");
      expect(err.message, label).toMatch(/^Invalid input — /);
    }
    expect(await userRows(user.id)).toEqual(before);
  });

  it("says which amount rule was broken", async () => {
    const { client } = await payingBuyer();
    const step = await errorOf(
      client.wallet.charge.mutate({ amount: 1_500, idempotencyKey: key(), paymentMethod: cardMethod() }),
    );
    expect(step.message).toMatch(/steps of 1,000 won/);
    const max = await errorOf(
      client.wallet.charge.mutate({ amount: 3_000_000, idempotencyKey: key(), paymentMethod: cardMethod() }),
    );
    expect(max.message).toMatch(/at most 2,000,000 won/);
  });
});

describe("charge limits", () => {
  it("daily: 2,000,000 won per KST day, refused with what is left and nothing written", async () => {
    const { client, user } = await payingBuyer();
    await client.wallet.charge.mutate({ amount: 1_500_000, idempotencyKey: key(), paymentMethod: cardMethod() });
    const before = await userMoneyRows(user.id);
    const err = await errorOf(
      client.wallet.charge.mutate({ amount: 600_000, idempotencyKey: key(), paymentMethod: cardMethod() }),
    );
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toMatch(/500,000 won more today/);
    expect(await userMoneyRows(user.id)).toEqual(before);
    await client.wallet.charge.mutate({ amount: 500_000, idempotencyKey: key(), paymentMethod: cardMethod() });
    expect((await client.wallet.get.query()).charged).toBe(2_000_000);
  });

  it("monthly: 5,000,000 won per KST month; failed charges do not count; the day rolls over at KST midnight", async () => {
    const userId = newId();
    const mid = Date.UTC(2026, 5, 15, 3, 0, 0); // 15 June 12:00 KST
    const insert = (amount: number, at: number) =>
      insertChargeWithinLimits(
        db(),
        {
          id: newId(at),
          userId,
          book: "t-limits",
          idempotencyKey: key(),
          amount,
          method: "card",
          orderId: `o-${newId()}`,
          paymentKey: `pk_${newId()}`,
          billingKeyId: null,
          consentId: null,
        },
        at,
      );
    const day = 86_400_000;
    for (const d of [2, 1]) await insert(PAYMENT_LIMITS.chargeDailyPerUser, mid - d * day);
    const small = await insert(900_000, mid);
    const refused = await insert(200_000, mid + 1000).catch((e: TRPCError) => e);
    expect(refused).toBeInstanceOf(TRPCError);
    expect((refused as TRPCError).code).toBe("PRECONDITION_FAILED");
    expect((refused as TRPCError).message).toMatch(/100,000 won more this month/);
    // a failed charge gives its room back
    await db().update(charges).set({ status: "failed" }).where(eq(charges.id, small.id));
    await insert(1_000_000, mid + 2000);
    // next month is a fresh window
    const july = Date.UTC(2026, 5, 30, 15, 0, 0); // 1 July 00:00 KST
    expect(limitWindows(july).monthStart).toBe(july);
    expect(limitWindows(july - 1).dayStart).toBe(july - day);
    await insert(2_000_000, july);
  });
});
