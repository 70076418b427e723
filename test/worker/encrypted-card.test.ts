import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { encryptCardForGateway } from "../../shared/payments/card";
import { cardBlobs, paymentConsents } from "../../worker/db/schema";
import { runPaymentsCron } from "../../worker/wallet/paymentsCron";
import { captureLogs, captureQueueSends, scanForCardData, TEST_CARDS } from "./card-scan";
import { assertLedgerInvariants } from "./ledger-invariants";
import {
  balances,
  chargesOf,
  deliver,
  gatewayUp,
  key,
  payingBuyer,
  pg,
  setGateway,
  settleBody,
} from "./payments-helpers";
import { db } from "./wallet-helpers";

afterEach(gatewayUp);

type Client = Awaited<ReturnType<typeof payingBuyer>>["client"];

/** What the SPA does: fetch the gateway's key, encrypt the typed card in the browser. */
async function encryptedCard(client: Client, number = TEST_CARDS.visa) {
  const publicKey = await client.payments.gatewayPublicKey.query();
  if (!publicKey) throw new Error("the sandbox should offer a public key");
  const blob = await encryptCardForGateway(publicKey, { number, expMonth: 12, expYear: 2099, cvc: "123" });
  return { type: "encryptedCard" as const, encryptedCard: blob, consent: "deferred-v1" as const };
}

const blobRows = (chargeId: string) => db().select().from(cardBlobs).where(eq(cardBlobs.chargeId, chargeId)).all();

describe("consent at charge time (browser-encrypted card)", () => {
  it("gateway down: points now, only the opaque blob is kept, forwarded once on recovery and deleted", async () => {
    const { client, user, book } = await payingBuyer();
    const method = await encryptedCard(client);
    await setGateway({ mode: "down" });
    const sends = captureQueueSends();
    const logs = captureLogs();
    try {
      const res = await client.wallet.charge.mutate({ amount: 10_000, idempotencyKey: key(), paymentMethod: method });
      expect(res.charge).toMatchObject({ status: "deferred", method: "encrypted_card" });
      expect(res.wallet.charged).toBe(10_000);
      const [blob] = await blobRows(res.charge.id);
      expect(blob.blob).toBe(method.encryptedCard);
      expect(blob.expiresAt - blob.createdAt).toBe(24 * 3_600_000);
      const consent = await db().select().from(paymentConsents).where(eq(paymentConsents.userId, user.id)).get();
      expect(consent).toMatchObject({ kind: "deferred_charge", textVersion: "deferred-v1" });

      await gatewayUp();
      const job = { body: settleBody({ id: res.charge.id, book }) };
      await deliver([job]);
      await deliver([job]);
      expect(await blobRows(res.charge.id)).toEqual([]);
      const [charge] = await chargesOf(user.id);
      expect(charge.status).toBe("succeeded");
      expect(await pg().ordersFor(charge.orderId)).toEqual([expect.objectContaining({ status: "DONE" })]);
      expect(await balances(book, user.id)).toEqual({ charged: 10_000, clearing: -10_000, receivable: 0 });
    } finally {
      sends.restore();
      logs.restore();
    }
    expect(await scanForCardData({ queueBodies: sends.bodies, logs: logs.lines })).toEqual([]);
    await assertLedgerInvariants();
  });

  it("gateway up: the blob goes straight to the gateway and is never stored", async () => {
    const { client, user, book } = await payingBuyer();
    const res = await client.wallet.charge.mutate({
      amount: 3_000,
      idempotencyKey: key(),
      paymentMethod: await encryptedCard(client),
    });
    expect(res.charge.status).toBe("succeeded");
    expect(await blobRows(res.charge.id)).toEqual([]);
    expect((await balances(book, user.id)).charged).toBe(3_000);
  });

  it("a declined card on recovery: blob deleted, points clawed back", async () => {
    const { client, user, book } = await payingBuyer();
    const method = await encryptedCard(client, TEST_CARDS.declines);
    await setGateway({ mode: "down" });
    const res = await client.wallet.charge.mutate({ amount: 5_000, idempotencyKey: key(), paymentMethod: method });
    await gatewayUp();
    await deliver([{ body: settleBody({ id: res.charge.id, book }) }]);
    expect(await blobRows(res.charge.id)).toEqual([]);
    expect((await chargesOf(user.id))[0]).toMatchObject({ status: "clawed_back", debtAmount: 0 });
    expect(await balances(book, user.id)).toEqual({ charged: 0, clearing: 0, receivable: 0 });
    await assertLedgerInvariants();
  });

  it("the 24 h TTL: the cron deletes the blob; the charge then fails and its points are taken back", async () => {
    const { client, user, book } = await payingBuyer();
    const method = await encryptedCard(client);
    await setGateway({ mode: "down" });
    const res = await client.wallet.charge.mutate({ amount: 8_000, idempotencyKey: key(), paymentMethod: method });
    const sends = captureQueueSends();
    try {
      const early = await runPaymentsCron(env, Date.now() + 23 * 3_600_000);
      expect(early.blobsDeleted).toBe(0);
      expect(await blobRows(res.charge.id)).toHaveLength(1);
      const late = await runPaymentsCron(env, Date.now() + 24 * 3_600_000 + 1000);
      expect(late.blobsDeleted).toBe(1);
    } finally {
      sends.restore();
    }
    expect(await blobRows(res.charge.id)).toEqual([]);
    expect(sends.bodies).toContainEqual(settleBody({ id: res.charge.id, book }));
    await gatewayUp();
    await deliver([{ body: settleBody({ id: res.charge.id, book }) }]);
    const [charge] = await chargesOf(user.id);
    expect(charge).toMatchObject({ status: "clawed_back", lastErrorCode: "CARD_DATA_EXPIRED" });
    expect(await pg().ordersFor(charge.orderId)).toEqual([]);
    expect((await balances(book, user.id)).charged).toBe(0);
    await assertLedgerInvariants();
  });
});
