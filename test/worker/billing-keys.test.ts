import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../worker/db/client";
import { billingKeys, paymentConsents } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { sandboxGateway } from "../../worker/payments";
import { loadKeyring, open, seal } from "../../worker/payments/keyring";
import { activeBillingKey, resealStaleBillingKeys, revealBillingKey } from "../../worker/wallet/billingKeys";
import { errorOf, newBuyer } from "./helpers";

const db = () => getDb(env);
const V1 = "dGVzdC1iaWxsaW5nLWtleS12MS0zMi1ieXRlcy14eHg=";
const V2 = btoa("rotated-billing-key-v2-32-bytes!");

/** What the sandbox gateway issued for a customer (the plaintext we must never store). */
async function gatewaySideKey(customerKey: string): Promise<string> {
  return runInDurableObject(sandboxGateway(env), (_i, state) => {
    const row = state.storage.sql
      .exec<{ billing_key: string }>("SELECT billing_key FROM billing_keys WHERE customer_key = ?", customerKey)
      .one();
    return row.billing_key;
  });
}

describe("billing keys", () => {
  it("registers a card: consent recorded, key stored only encrypted, and it decrypts to the gateway's key", async () => {
    const { client, user } = await newBuyer();
    const summary = await client.payments.registerBillingKey.mutate({
      authKey: `auth_${newId()}`,
      consent: "billing-v1",
    });
    expect(summary).toMatchObject({ cardCompany: "현대", cardMasked: "43301234********" });
    expect(await client.payments.billingKey.query()).toEqual(summary);

    const row = (await activeBillingKey(db(), user.id))!;
    const plain = await gatewaySideKey(row.customerKey);
    expect(JSON.stringify(row)).not.toContain(plain);
    expect(row.keyVersion).toBe(1);
    expect(await revealBillingKey(db(), env, row)).toBe(plain);

    const consent = await db().select().from(paymentConsents).where(eq(paymentConsents.id, row.consentId)).get();
    expect(consent).toMatchObject({ userId: user.id, kind: "billing_key", textVersion: "billing-v1" });
    expect(consent?.textSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("a second card replaces the first (one active key per user)", async () => {
    const { client, user } = await newBuyer();
    await client.payments.registerBillingKey.mutate({ authKey: `auth_${newId()}`, consent: "billing-v1" });
    const second = await client.payments.registerBillingKey.mutate({
      authKey: `auth_${newId()}`,
      consent: "billing-v1",
    });
    const rows = await db().select().from(billingKeys).where(eq(billingKeys.userId, user.id)).all();
    expect(rows).toHaveLength(2);
    expect(rows.filter((r) => r.revokedAt === null).map((r) => r.id)).toEqual([second.id]);
    await client.payments.removeBillingKey.mutate();
    expect(await client.payments.billingKey.query()).toBeNull();
  });

  it("refuses a wrong consent version and a bad authKey with typed errors, writing nothing", async () => {
    const { client, user } = await newBuyer();
    const badConsent = await errorOf(
      client.payments.registerBillingKey.mutate({ authKey: "auth_x", consent: "billing-v0" as "billing-v1" }),
    );
    expect(badConsent.code).toBe("BAD_REQUEST");
    const declined = await errorOf(
      client.payments.registerBillingKey.mutate({ authKey: "invalid_auth", consent: "billing-v1" }),
    );
    expect(declined.code).toBe("PRECONDITION_FAILED");
    expect(await db().select().from(billingKeys).where(eq(billingKeys.userId, user.id)).all()).toEqual([]);
    expect(await db().select().from(paymentConsents).where(eq(paymentConsents.userId, user.id)).all()).toEqual([]);
  });

  it("cannot register while the gateway is down", async () => {
    const { client } = await newBuyer();
    await sandboxGateway(env).setSwitches({ mode: "down" });
    try {
      const err = await errorOf(
        client.payments.registerBillingKey.mutate({ authKey: `auth_${newId()}`, consent: "billing-v1" }),
      );
      expect(err.code).toBe("SERVICE_UNAVAILABLE");
    } finally {
      await sandboxGateway(env).setSwitches({ mode: "up" });
    }
  });
});

describe("billing key encryption", () => {
  it("round-trips, and refuses tampering, another row's AAD, or an unknown version", async () => {
    const ring = await loadKeyring(`1:${V1}`);
    const sealed = await seal(ring, "bk_secret", "billing_key:a:u");
    expect(sealed.version).toBe(1);
    expect(sealed.ciphertext).not.toContain("bk_secret");
    expect(await open(ring, sealed, "billing_key:a:u")).toBe("bk_secret");
    await expect(open(ring, sealed, "billing_key:b:u")).rejects.toThrow();
    const flipped = sealed.ciphertext.slice(0, -2) + (sealed.ciphertext.endsWith("A") ? "BA" : "AA");
    await expect(open(ring, { ...sealed, ciphertext: flipped }, "billing_key:a:u")).rejects.toThrow();
    await expect(open(ring, { ...sealed, version: 7 }, "billing_key:a:u")).rejects.toThrow(/no version 7/);
  });

  it("rejects malformed secrets", async () => {
    await expect(loadKeyring("")).rejects.toThrow(/not set/);
    await expect(loadKeyring("1:c2hvcnQ=")).rejects.toThrow(/32-byte/);
    await expect(loadKeyring(`1:${V1},1:${V2}`)).rejects.toThrow(/twice/);
  });

  it("rotation: the highest version encrypts, old rows re-seal lazily on use and by the sweep", async () => {
    const { client, user } = await newBuyer();
    await client.payments.registerBillingKey.mutate({ authKey: `auth_${newId()}`, consent: "billing-v1" });
    const before = (await activeBillingKey(db(), user.id))!;
    const plain = await gatewaySideKey(before.customerKey);
    const rotated = { ...env, BILLING_KEY_SECRETS: `1:${V1},2:${V2}` };

    expect(await revealBillingKey(db(), rotated, before)).toBe(plain);
    const after = (await activeBillingKey(db(), user.id))!;
    expect(after.keyVersion).toBe(2);
    expect(after.ciphertext).not.toBe(before.ciphertext);
    // v1 alone can no longer read it; v2 alone can
    await expect(revealBillingKey(db(), { ...env, BILLING_KEY_SECRETS: `1:${V1}` }, after)).rejects.toThrow();
    expect(await revealBillingKey(db(), { ...env, BILLING_KEY_SECRETS: `2:${V2}` }, after)).toBe(plain);

    const other = await newBuyer();
    await other.client.payments.registerBillingKey.mutate({ authKey: `auth_${newId()}`, consent: "billing-v1" });
    expect(await resealStaleBillingKeys(db(), rotated, 500)).toBeGreaterThanOrEqual(1);
    expect((await activeBillingKey(db(), other.user.id))!.keyVersion).toBe(2);
    expect(await resealStaleBillingKeys(db(), rotated, 500)).toBe(0);
  });
});
