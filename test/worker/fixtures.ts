import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { hashPassword } from "../../worker/accounts/password";
import { applyAsSeller } from "../../worker/accounts/sellers";
import { createSession } from "../../worker/accounts/sessions";
import { type Db, getDb } from "../../worker/db/client";
import { charges, deadLetters, rateLimits, regions, users } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { chargeWallet } from "../../worker/wallet/charge";
import { uniqueEmail } from "./helpers";
import { verifyResident } from "./recommend-fixtures";

/** The callers every procedure is checked against. "suspended" is a buyer whose suspension is still running. */
export const ROLES = ["anonymous", "buyer", "seller", "admin", "suspended"] as const;
export type Role = (typeof ROLES)[number];
export type SignedInRole = Exclude<Role, "anonymous">;

export interface FixtureUser {
  id: string;
  email: string;
  role: "buyer" | "seller" | "admin";
  suspendedUntil: number | null;
}

export interface TestRegion {
  id: string;
  name: string;
  lat: number;
  lng: number;
  radiusM: number;
}

/** 역삼1동 (Yeoksam 1-dong, Seoul): a region of our own so tests never depend on the demo seed. */
export const TEST_REGION: TestRegion = {
  id: "test-yeoksam1",
  name: "역삼1동",
  lat: 37.4954,
  lng: 127.0333,
  radiusM: 1500,
};

export async function insertRegion(db: Db, region: TestRegion = TEST_REGION): Promise<TestRegion> {
  await db
    .insert(regions)
    .values({ ...region, nameEn: region.id, city: "서울특별시" })
    .onConflictDoNothing();
  return region;
}

/**
 * A user row written directly (no PBKDF2: ~40 ms per hash adds up over hundreds of cells). Its password hash is not a
 * valid hash, so nobody can log in as it; tests act as it through a session token from `tokenFor`.
 */
export async function insertUser(db: Db, role: SignedInRole = "buyer", now = Date.now()): Promise<FixtureUser> {
  const user: FixtureUser = {
    id: newId(now),
    email: uniqueEmail(role),
    role: role === "suspended" ? "buyer" : role,
    suspendedUntil: role === "suspended" ? now + 7 * 86_400_000 : null,
  };
  await db.insert(users).values({ ...user, passwordHash: "!", displayName: `${role} 픽스처`, createdAt: now });
  return user;
}

/** A fresh bearer session for `user` (one insert, no hashing). */
export async function tokenFor(db: Db, user: { id: string }, now = Date.now()): Promise<string> {
  return (await createSession(db, env.PASSWORD_PEPPER, user.id, "bearer", 30, now)).token;
}

export interface Fixtures {
  db: Db;
  region: TestRegion;
  /** An account with a real password hash, for procedures that need to log in. */
  login: { email: string; password: string; id: string };
  /** A fresh user of a role (`suspended` = suspended buyer). */
  newUser(role?: SignedInRole): Promise<FixtureUser>;
  /** A fresh buyer with a pending seller application; returns the application id. */
  pendingApplication(): Promise<string>;
  /** A recorded dead letter (a ping job) that can be replayed once; returns its id. */
  deadLetter(): Promise<string>;
  /** A fresh buyer whose home region (and so wallet book) is the fixture region. */
  walletUser(): Promise<FixtureUser>;
  /** Makes `userId` a verified resident of the fixture region and charges `amount` won by card (sandbox gateway). */
  chargedWallet(userId: string, amount: number): Promise<void>;
  /** A card charge of a fresh wallet user whose outcome is still unknown (never sent); returns its id. */
  openCharge(): Promise<string>;
}

/** Everything the authz and fuzz tables need; build once per test file (beforeAll). */
export async function createFixtures(): Promise<Fixtures> {
  const db = getDb(env);
  const now = Date.now();
  const region = await insertRegion(db);
  const password = "fixture password 1";
  const login = { email: uniqueEmail("login"), password, id: newId(now) };
  await db.insert(users).values({
    id: login.id,
    email: login.email,
    passwordHash: await hashPassword(password, env.PASSWORD_PEPPER),
    displayName: "로그인 픽스처",
    createdAt: now,
  });
  return {
    db,
    region,
    login,
    newUser: (role = "buyer") => insertUser(db, role),
    async pendingApplication() {
      const buyer = await insertUser(db, "buyer");
      const application = await applyAsSeller(
        db,
        buyer,
        { businessName: "공구상회", businessNumber: "1234567890" },
        Date.now(),
      );
      return application.id;
    },
    async deadLetter() {
      const id = newId();
      await db.insert(deadLetters).values({
        id,
        messageId: `fixture-${id}`,
        queue: "gonggu-jobs-dlq",
        body: { type: "ping", at: Date.now() },
        jobType: "ping",
        attempts: 9,
        createdAt: Date.now(),
      });
      return id;
    },
    async chargedWallet(userId, amount) {
      await verifyResident(db, userId, region.id);
      const method = { type: "card" as const, paymentKey: `pk_${newId()}`, orderId: `o-${newId()}` };
      await chargeWallet(
        env,
        db,
        db,
        { id: userId, homeRegionId: region.id },
        { amount, idempotencyKey: `fx-${newId()}`, paymentMethod: method },
        "127.0.0.1",
        Date.now(),
      );
    },
    async openCharge() {
      const user = await insertUser(db, "buyer");
      const id = newId();
      const now = Date.now();
      await db.insert(charges).values({
        id,
        userId: user.id,
        book: region.id,
        idempotencyKey: `fx-${id}`,
        amount: 1_000,
        method: "card",
        orderId: `o-${id}`,
        paymentKey: `pk_${id}`,
        status: "unknown",
        createdAt: now,
        updatedAt: now,
      });
      return id;
    },
    async walletUser() {
      const user = await insertUser(db, "buyer");
      await db.update(users).set({ homeRegionId: region.id }).where(eq(users.id, user.id));
      return user;
    },
  };
}

/** Sets a rate limit's counter as if `count` hits had been counted in a window that started at `windowStart`. */
export async function seedRateLimit(db: Db, key: string, count: number, windowStart = Date.now()) {
  await db
    .insert(rateLimits)
    .values({ key, count, windowStart })
    .onConflictDoUpdate({ target: rateLimits.key, set: { count, windowStart } });
}
