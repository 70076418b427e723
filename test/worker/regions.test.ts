import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../worker/db/client";
import { regionVerifications } from "../../worker/db/schema";
import { haversineMeters } from "../../worker/regions/geo";
import { requireCurrentVerification, VERIFY_RULE, verifyRegion } from "../../worker/regions/verification";
import { callApi } from "./api";
import { insertRegion, insertUser, seedRateLimit, TEST_REGION, type TestRegion, tokenFor } from "./fixtures";

const db = getDb(env);
const DAY = 86_400_000;
const R = 6_371_008.8; // mean Earth radius (IUGG), the one geo.ts uses

/** The point `meters` due north of a region's centre (exact on the sphere: a meridian arc). */
const north = (r: TestRegion, meters: number) => ({ lat: r.lat + (meters / R) * (180 / Math.PI), lng: r.lng });

/** Spherical law of cosines: an independent formula for the same great-circle distance. */
function lawOfCosines(lat1: number, lng1: number, lat2: number, lng2: number) {
  const rad = Math.PI / 180;
  const c =
    Math.sin(lat1 * rad) * Math.sin(lat2 * rad) +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.cos((lng2 - lng1) * rad);
  return R * Math.acos(Math.min(1, c));
}

describe("haversine", () => {
  it("measures known great-circle distances to within 1 m", () => {
    // One degree along a meridian and along the equator: R·π/180.
    expect(haversineMeters(37, 127, 38, 127)).toBeCloseTo(111_195.08, 0);
    expect(haversineMeters(0, 0, 0, 1)).toBeCloseTo(111_195.08, 0);
    // Pole to equator is a quarter circumference; antipodes are half.
    expect(haversineMeters(90, 0, 0, 0)).toBeCloseTo((Math.PI / 2) * R, 0);
    expect(haversineMeters(37.5, 127, -37.5, -53)).toBeCloseTo(Math.PI * R, 0);
    // Seoul City Hall → Daejeon City Hall, checked against an independent formula.
    const seoulDaejeon = haversineMeters(37.5663, 126.9779, 36.3504, 127.3845);
    expect(Math.abs(seoulDaejeon - lawOfCosines(37.5663, 126.9779, 36.3504, 127.3845))).toBeLessThan(1);
    expect(seoulDaejeon).toBeGreaterThan(139_000);
    expect(seoulDaejeon).toBeLessThan(141_000);
    expect(haversineMeters(37.5, 127, 37.5, 127)).toBe(0);
  });
});

describe("regions.verify over the API", () => {
  let token: string;
  let userId: string;
  beforeAll(async () => {
    await insertRegion(db);
    const user = await insertUser(db, "buyer");
    userId = user.id;
    token = await tokenFor(db, user);
  });

  const verify = (input: unknown, as = token) =>
    callApi({ path: "regions.verify", kind: "mutation", input, token: as });
  const me = async (as = token) =>
    (await callApi({ path: "auth.me", kind: "query", token: as })).data as {
      homeRegionId: string | null;
      verification: { regionId: string; verifiedAt: number; expiresAt: number; current: boolean } | null;
    };

  it("lists the regions", async () => {
    const res = await callApi({ path: "regions.list", kind: "query" });
    expect(res.data).toEqual(expect.arrayContaining([expect.objectContaining({ id: TEST_REGION.id })]));
  });

  it("verifies a point 10 m inside the radius and shows it on me", async () => {
    const res = await verify({ regionId: TEST_REGION.id, ...north(TEST_REGION, TEST_REGION.radiusM - 10) });
    expect(res.code).toBeNull();
    expect(res.data).toMatchObject({ regionId: TEST_REGION.id, distanceM: TEST_REGION.radiusM - 10 });
    const mine = await me();
    expect(mine.homeRegionId).toBe(TEST_REGION.id);
    expect(mine.verification).toMatchObject({ regionId: TEST_REGION.id, current: true });
    expect(mine.verification!.expiresAt - mine.verification!.verifiedAt).toBe(30 * DAY);
  });

  it("refuses a point 10 m outside the radius, says how far it is, and writes nothing", async () => {
    const before = await db.select().from(regionVerifications).where(eq(regionVerifications.userId, userId)).all();
    const res = await verify({ regionId: TEST_REGION.id, ...north(TEST_REGION, TEST_REGION.radiusM + 10) });
    expect(res.code).toBe("PRECONDITION_FAILED");
    expect(res.message).toBe(
      "You are 1.51 km from 역삼1동, 10 m outside its 1.50 km verification radius. Move closer and try again.",
    );
    const after = await db.select().from(regionVerifications).where(eq(regionVerifications.userId, userId)).all();
    expect(after).toEqual(before);
  });

  it("answers an unknown region with NOT_FOUND", async () => {
    const res = await verify({ regionId: "atlantis-dong", lat: 37.5, lng: 127 });
    expect(res.code).toBe("NOT_FOUND");
    expect(res.message).toMatch(/region list/);
  });

  it("refuses coordinates that are not on Earth", async () => {
    for (const [lat, lng] of [
      [91, 0],
      [0, -181],
    ]) {
      expect((await verify({ regionId: TEST_REGION.id, lat, lng })).code).toBe("BAD_REQUEST");
    }
  });

  it("expires after 30 days (me shows current=false, region features refuse) and renews", async () => {
    const user = await insertUser(db, "buyer");
    const as = await tokenFor(db, user);
    // Verified 30 days and a minute ago, through the same code path, with the clock passed in.
    await verifyRegion(db, user.id, TEST_REGION.id, TEST_REGION.lat, TEST_REGION.lng, Date.now() - 30 * DAY - 60_000);
    const stale = await me(as);
    expect(stale.verification).toMatchObject({ regionId: TEST_REGION.id, current: false });
    await expect(requireCurrentVerification(db, user.id, TEST_REGION.id, Date.now())).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "Verify your neighbourhood first (verification lasts 30 days).",
    });

    expect(
      (await verify({ regionId: TEST_REGION.id, lat: TEST_REGION.lat, lng: TEST_REGION.lng }, as)).code,
    ).toBeNull();
    const renewed = await me(as);
    expect(renewed.verification).toMatchObject({ current: true });
    expect(renewed.verification!.verifiedAt).toBeGreaterThan(stale.verification!.verifiedAt);
    expect(await requireCurrentVerification(db, user.id, TEST_REGION.id, Date.now())).toBe(TEST_REGION.id);
  });

  it("limits each person to 10 verifications a day, counted at once; refusals for distance do not count", async () => {
    const user = await insertUser(db, "buyer");
    const as = await tokenFor(db, user);
    const here = { regionId: TEST_REGION.id, lat: TEST_REGION.lat, lng: TEST_REGION.lng };
    expect((await verify({ regionId: TEST_REGION.id, ...north(TEST_REGION, TEST_REGION.radiusM + 10) }, as)).code).toBe(
      "PRECONDITION_FAILED",
    );
    const startedAt = Date.now();
    await seedRateLimit(db, `verify:${user.id}`, VERIFY_RULE.limit - 2, startedAt);
    const results = await Promise.all(Array.from({ length: 4 }, () => verify(here, as)));
    expect(results.filter((r) => r.code === null)).toHaveLength(2);
    expect(results.filter((r) => r.code === "TOO_MANY_REQUESTS")).toHaveLength(2);
    const refused = results.find((r) => r.code)!;
    expect(refused.status).toBe(429);
    expect(refused.message).toMatch(/^Too many region verifications today\. Try again in 2[34] hours\.$/);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(VERIFY_RULE.windowMs / 1000 - 60);
    expect(refused.error?.data).toMatchObject({
      retryAfterSeconds: retryAfter,
      details: { reason: "verify_limit", retryAt: startedAt + VERIFY_RULE.windowMs },
    });
    const rows = await db.select().from(regionVerifications).where(eq(regionVerifications.userId, user.id)).all();
    expect(rows).toHaveLength(2);
    // another person is not affected
    expect((await verify(here)).code).toBeNull();
  });
});
