import { TRPCError } from "@trpc/server";
import { and, eq, isNull, lt } from "drizzle-orm";
import { CONSENT_TEXTS, type ConsentTextVersion } from "../../shared/schemas/payments";
import { type Db, runBatch } from "../db/client";
import { billingKeys, paymentConsents } from "../db/schema";
import { fail } from "../lib/errors";
import { newId, randomToken, sha256Hex } from "../lib/ids";
import { type RateLimitRule, requireUnderRateLimits } from "../lib/rateLimit";
import { getGateway } from "../payments";
import { loadKeyring, open, seal } from "../payments/keyring";

/**
 * Consent at signup or later: the user registers a card once with the gateway (its billing-auth window gives an
 * authKey), we exchange it for a billing key and keep only that, encrypted (AES-GCM, versioned keys, AAD bound to
 * the row), next to the consent record (who, when, which wording). Lives in the main database.
 */

export type BillingKeyRow = typeof billingKeys.$inferSelect;

/** Registering hits the gateway: a few per hour is plenty for a person. */
export const REGISTER_RULE: RateLimitRule = { limit: 10, windowMs: 3_600_000 };

const aadFor = (row: { id: string; userId: string }) => `billing_key:${row.id}:${row.userId}`;

export async function consentRecord(
  userId: string,
  kind: "billing_key" | "deferred_charge",
  version: ConsentTextVersion,
  ip: string,
  now: number,
) {
  const text = CONSENT_TEXTS[version];
  return {
    id: newId(now),
    userId,
    kind,
    textVersion: version,
    textSha256: await sha256Hex(`${text.ko}\n${text.en}`),
    ip,
    consentedAt: now,
  };
}

export async function registerBillingKey(
  db: Db,
  env: Env,
  userId: string,
  input: { authKey: string; consent: ConsentTextVersion },
  ip: string,
  now: number,
) {
  const limitKey = `billing-register:${userId}`;
  // counted before the gateway call, in one atomic step, so parallel attempts cannot all pass a read-only check
  await requireUnderRateLimits(db, [{ key: limitKey, rule: REGISTER_RULE }], now, {
    reason: "card_limit",
    what: "Too many card registrations.",
  });

  const customerKey = `ck_${randomToken(18)}`;
  const issued = await getGateway(env).issueBillingKey({ authKey: input.authKey, customerKey });
  if (issued.kind === "declined") {
    fail("PRECONDITION_FAILED", `The card could not be registered (${issued.message}). Try the card window again.`);
  }
  if (issued.kind !== "ok") {
    throw new TRPCError({
      code: "SERVICE_UNAVAILABLE",
      message: "The card gateway is not answering, so the card cannot be registered now. Try again in a few minutes.",
    });
  }
  const consent = await consentRecord(userId, "billing_key", input.consent, ip, now);
  const id = newId(now);
  const ring = await loadKeyring(env.BILLING_KEY_SECRETS);
  const sealed = await seal(ring, issued.value.billingKey, aadFor({ id, userId }));
  const row: BillingKeyRow = {
    id,
    userId,
    customerKey,
    keyVersion: sealed.version,
    ciphertext: sealed.ciphertext,
    cardCompany: issued.value.cardCompany,
    cardMasked: issued.value.cardNumberMasked,
    consentId: consent.id,
    createdAt: now,
    revokedAt: null,
  };
  // One active key per user: the new card replaces the old one in the same batch.
  await runBatch(db, [
    db.insert(paymentConsents).values(consent),
    db
      .update(billingKeys)
      .set({ revokedAt: now })
      .where(and(eq(billingKeys.userId, userId), isNull(billingKeys.revokedAt))),
    db.insert(billingKeys).values(row),
  ]);
  return billingKeySummary(row);
}

export function billingKeySummary(row: BillingKeyRow) {
  return { id: row.id, cardCompany: row.cardCompany, cardMasked: row.cardMasked, registeredAt: row.createdAt };
}

export async function activeBillingKey(db: Db, userId: string): Promise<BillingKeyRow | null> {
  return (
    (await db
      .select()
      .from(billingKeys)
      .where(and(eq(billingKeys.userId, userId), isNull(billingKeys.revokedAt)))
      .get()) ?? null
  );
}

export async function getBillingKey(db: Db, id: string): Promise<BillingKeyRow | null> {
  return (await db.select().from(billingKeys).where(eq(billingKeys.id, id)).get()) ?? null;
}

export async function removeBillingKey(db: Db, userId: string, now: number) {
  const removed = await db
    .update(billingKeys)
    .set({ revokedAt: now })
    .where(and(eq(billingKeys.userId, userId), isNull(billingKeys.revokedAt)))
    .returning({ id: billingKeys.id })
    .all();
  return { removed: removed.length > 0 };
}

/**
 * The gateway billing key in clear, for one gateway call. A row sealed under an older key version is re-sealed under
 * the current one on the way (conditional on nobody else having done it), so rotation needs no downtime.
 */
export async function revealBillingKey(db: Db, env: Env, row: BillingKeyRow): Promise<string> {
  const ring = await loadKeyring(env.BILLING_KEY_SECRETS);
  const plain = await open(ring, { version: row.keyVersion, ciphertext: row.ciphertext }, aadFor(row));
  if (row.keyVersion < ring.current) await reseal(db, ring, row, plain);
  return plain;
}

async function reseal(db: Db, ring: Awaited<ReturnType<typeof loadKeyring>>, row: BillingKeyRow, plain: string) {
  const sealed = await seal(ring, plain, aadFor(row));
  await db
    .update(billingKeys)
    .set({ keyVersion: sealed.version, ciphertext: sealed.ciphertext })
    .where(and(eq(billingKeys.id, row.id), eq(billingKeys.keyVersion, row.keyVersion)));
}

/** Cron: re-seals up to `limit` rows still under an old key version, so an old version can be retired. */
export async function resealStaleBillingKeys(db: Db, env: Env, limit = 50): Promise<number> {
  const ring = await loadKeyring(env.BILLING_KEY_SECRETS);
  const stale = await db.select().from(billingKeys).where(lt(billingKeys.keyVersion, ring.current)).limit(limit).all();
  for (const row of stale) {
    await reseal(db, ring, row, await open(ring, { version: row.keyVersion, ciphertext: row.ciphertext }, aadFor(row)));
  }
  return stale.length;
}
