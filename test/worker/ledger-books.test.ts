import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { resolveSession } from "../../worker/accounts/sessions";
import { tokenClaim } from "../../worker/accounts/sessionToken";
import { d1Db, getDb } from "../../worker/db/client";
import { charges, membershipStatus, sessions, users } from "../../worker/db/schema";
import { joinCaller } from "../../worker/groupbuy/actions";
import { type D1Meter, meterD1 } from "./d1-meter";
import { db, newRegion, newResident } from "./groupbuy-helpers";
import { BOOKS_TEST as BOOKS, books, booksEnv, debtCharge } from "./wallet-helpers";

/** A verified resident of a fresh region and the claim their signed token carries (as worker/trpc/context.ts reads it). */
async function resident() {
  const region = await newRegion();
  const person = await newResident(region, 0);
  const claim = await tokenClaim(env.PASSWORD_PEPPER, person.token, Date.now());
  if (!claim) throw new Error("the fixture token is not signed");
  // resolve: what the context's claim also carries (a session read); the guards must not need it
  const resolve = async () => ({
    user: (await resolveSession(db(), person.token, Date.now()))?.user ?? null,
    cachedSession: null,
  });
  return { region, person, claim: { userId: claim.userId, token: person.token, resolve } };
}

async function setTier(database: ReturnType<typeof db>, userId: string, level: number) {
  const now = Date.now();
  await database
    .insert(membershipStatus)
    .values({ userId, tierLevel: level, tierSince: now, recalcMonth: "2026-12", updatedAt: now });
}

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (e) {
    if (e instanceof TRPCError)
      return { code: e.code, details: (e.cause as { details?: unknown } | undefined)?.details };
    throw e;
  }
  throw new Error("expected a refusal");
}

/**
 * A join's caller and guards (joinCaller) with a signed token when LEDGER_BOOKS moved the home region's book to a
 * database of its own: the session is read in the guard batch as when every book is in the main database (never from
 * the isolate's cache), and the debt and tier come from the home's book.
 */
describe("join guards with a ledger book in its own database", { timeout: 30_000 }, () => {
  let meter: D1Meter | undefined;
  beforeAll(() => applyD1Migrations(BOOKS, env.TEST_MIGRATIONS));
  afterEach(() => {
    meter?.restore();
    meter = undefined;
  });

  it("reads session + verification in one batch, then debt + tier in the home's book (two round trips)", async () => {
    const { region, person, claim } = await resident();
    await setTier(books(), person.id, 2); // the book's row counts, not a stale one in the main database
    await setTier(db(), person.id, 0);
    meter = meterD1();
    const caller = await joinCaller(db(), booksEnv(region), { claim, user: null, cachedSession: null }, Date.now());
    expect(caller.user.id).toBe(person.id);
    expect(caller.guards).toEqual({ homeRegionId: region, tierLevel: 2 });
    // was three: the session alone, then the main database's verification beside the book's debt + tier
    expect(meter.log, meter.log.join("\n")).toHaveLength(2);
    expect(meter.log[0]).toMatch(/^batch\(1\): select "users"\."id"/);
    expect(meter.sql[0]).toContain('"region_verifications"');
    expect(meter.log[1]).toMatch(/^batch\(2\): .*"charges".*membership_status/);
  });

  it("a debt in the home's book refuses the join; one in the main database does not count", async () => {
    const { region, person, claim } = await resident();
    const now = Date.now();
    await books()
      .insert(charges)
      .values(debtCharge(person.id, region, 5_000, now));
    const session = { claim, user: null, cachedSession: null };
    expect(await refusal(joinCaller(db(), booksEnv(region), session, now))).toEqual({
      code: "PRECONDITION_FAILED",
      details: { reason: "outstanding_debt" },
    });
    // the same user with the book back in the main database (no debt there): allowed
    expect((await joinCaller(db(), booksEnv(), session, now)).guards.homeRegionId).toBe(region);
  });

  it("a home whose book is in the main database: one round trip, as without LEDGER_BOOKS", async () => {
    const { region, person, claim } = await resident();
    await setTier(db(), person.id, 1);
    const other = await newRegion();
    meter = meterD1();
    const caller = await joinCaller(db(), booksEnv(other), { claim, user: null, cachedSession: null }, Date.now());
    expect(caller.guards).toEqual({ homeRegionId: region, tierLevel: 1 });
    expect(meter.log, meter.log.join("\n")).toHaveLength(1);
  });

  it("a revoked session, a suspension or a missing verification is refused before the book is asked", async () => {
    const revoked = await resident();
    await db().update(sessions).set({ revokedAt: Date.now() }).where(eq(sessions.userId, revoked.person.id));
    const suspended = await resident();
    await db()
      .update(users)
      .set({ suspendedUntil: Date.now() + 86_400_000 })
      .where(eq(users.id, suspended.person.id));
    const stranger = await resident();
    const elsewhere = await newRegion();
    await db().update(users).set({ homeRegionId: elsewhere }).where(eq(users.id, stranger.person.id));
    const cases = [
      { who: revoked, region: revoked.region, code: "UNAUTHORIZED" },
      { who: suspended, region: suspended.region, code: "FORBIDDEN" },
      { who: stranger, region: elsewhere, code: "PRECONDITION_FAILED" },
    ];
    for (const c of cases) {
      meter = meterD1();
      const session = { claim: c.who.claim, user: null, cachedSession: null };
      expect((await refusal(joinCaller(db(), booksEnv(c.region), session, Date.now()))).code).toBe(c.code);
      expect(meter.log, `${c.code}: only the main database's batch`).toHaveLength(1);
      meter.restore();
    }
  });

  it("the main database's guards use the isolate's one drizzle instance per binding", () => {
    expect(getDb(env)).toBe(d1Db(env.DB));
    expect(d1Db(BOOKS)).toBe(books());
  });
});
