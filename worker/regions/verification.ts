import { and, desc, eq, gt, type Placeholder } from "drizzle-orm";
import { REGION_VERIFICATION_DAYS } from "../../shared/schemas/regions";
import { type Db, runBatch } from "../db/client";
import { regions, regionVerifications, users } from "../db/schema";
import { fail, failWith } from "../lib/errors";
import { newId } from "../lib/ids";
import { type RateLimitRule, requireUnderRateLimits } from "../lib/rateLimit";
import { haversineMeters } from "./geo";

const DAY_MS = 86_400_000;

/**
 * Verifications per user a day. A verification lasts 30 days, so a person needs one a month (a move: one more); each
 * adds a row and a change of home moves the user's ledger book. Refusals (too far, no such region) do not count: a
 * weak GPS fix may take a few tries.
 */
export const VERIFY_RULE: RateLimitRule = { limit: 10, windowMs: DAY_MS };

/** Metres below 1 km, else km with two decimals: "10 m", "1.51 km" (one decimal hid a 10 m miss). */
function formatDistance(m: number): string {
  return m < 1000 ? `${m} m` : `${(m / 1000).toFixed(2)} km`;
}

export function listRegions(db: Db) {
  return db.select().from(regions).orderBy(regions.city, regions.name).all();
}

/**
 * Verifies that the user stands inside the region's circle. A success makes it the user's home region and starts a
 * 30-day validity; a point outside is refused with the distance so the user knows how far off they are.
 */
export async function verifyRegion(db: Db, userId: string, regionId: string, lat: number, lng: number, now: number) {
  const region = await db.select().from(regions).where(eq(regions.id, regionId)).get();
  if (!region) fail("NOT_FOUND", "That region does not exist. Pick one from the region list.");
  const distanceM = Math.round(haversineMeters(region.lat, region.lng, lat, lng));
  if (distanceM > region.radiusM) {
    failWith(
      "PRECONDITION_FAILED",
      `You are ${formatDistance(distanceM)} from ${region.name}, ${formatDistance(distanceM - region.radiusM)} outside ` +
        `its ${formatDistance(region.radiusM)} verification radius. Move closer and try again.`,
      { reason: "too_far", distanceM, radiusM: region.radiusM },
    );
  }
  // counted in one atomic step just before the write, so verifications sent at once cannot all pass
  await requireUnderRateLimits(db, [{ key: `verify:${userId}`, rule: VERIFY_RULE }], now, {
    reason: "verify_limit",
    what: "Too many region verifications today.",
  });
  const verification = {
    id: newId(now),
    userId,
    regionId,
    distanceM,
    verifiedAt: now,
    expiresAt: now + REGION_VERIFICATION_DAYS * DAY_MS,
  };
  await runBatch(db, [
    db.insert(regionVerifications).values(verification),
    db.update(users).set({ homeRegionId: regionId }).where(eq(users.id, userId)),
  ]);
  return { region, verification };
}

/** The user's latest verification of their home region, whether or not it is still current. */
export async function latestVerification(db: Db, userId: string, regionId: string | null) {
  if (!regionId) return null;
  return (
    (await db
      .select()
      .from(regionVerifications)
      .where(and(eq(regionVerifications.userId, userId), eq(regionVerifications.regionId, regionId)))
      .orderBy(desc(regionVerifications.verifiedAt))
      .limit(1)
      .get()) ?? null
  );
}

/**
 * Region-scoped features call this: the region must be the user's home region (a user has one) and verified within
 * the last 30 days. Returns the region id or throws a message that says what to do.
 */
export async function requireCurrentVerification(db: Db, userId: string, regionId: string, now: number) {
  return checkCurrentVerification((await currentVerificationQuery(db, userId, regionId, now))[0], regionId);
}

/** The read behind requireCurrentVerification, to run in a batch with other reads (one round trip). */
export function currentVerificationQuery(
  db: Db,
  userId: string | Placeholder,
  /** A region id, or `users.homeRegionId`: the user's home as the same read finds it. */
  regionId: string | typeof users.homeRegionId,
  now: number | Placeholder,
) {
  return db
    .select({ homeRegionId: users.homeRegionId, currentId: regionVerifications.id })
    .from(users)
    .leftJoin(regionVerifications, isCurrentVerification(users.id, regionId, now))
    .where(eq(users.id, userId))
    .limit(1);
}

/** A verification of `regionId` by `userId` that has not expired at `now`. */
const isCurrentVerification = (
  userId: typeof users.id,
  regionId: string | typeof users.homeRegionId,
  now: number | Placeholder,
) =>
  and(
    eq(regionVerifications.userId, userId),
    eq(regionVerifications.regionId, regionId),
    gt(regionVerifications.expiresAt, now),
  );

/**
 * The id of the current verification of the user's home region, as a subquery correlated with the `users` row of the
 * query around it (a join's one-statement guard read, groupbuy/actions.ts); null when there is none. What
 * checkCurrentVerification needs of currentVerificationQuery's row, given the home read beside it.
 */
export function homeVerificationIdSubquery(db: Db, now: number | Placeholder) {
  return db
    .select({ id: regionVerifications.id })
    .from(regionVerifications)
    .where(isCurrentVerification(users.id, users.homeRegionId, now))
    .limit(1);
}

/** Throws unless the row of currentVerificationQuery shows a current verification of `regionId`. */
export function checkCurrentVerification(
  row: { homeRegionId: string | null; currentId: string | null } | undefined,
  regionId: string,
) {
  if (row?.homeRegionId && row.homeRegionId !== regionId) {
    failWith(
      "PRECONDITION_FAILED",
      "Verify your neighbourhood here first: you are verified in another one, and you can belong to one at a time.",
      { reason: "verify_region" },
    );
  }
  if (!row?.currentId) {
    failWith("PRECONDITION_FAILED", "Verify your neighbourhood first (verification lasts 30 days).", {
      reason: "verify_region",
    });
  }
  return regionId;
}
