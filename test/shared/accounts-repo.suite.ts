/**
 * Repository tests for accounts, sessions, rate limits, seller decisions and region verification, written once and
 * run on both drivers: D1 inside workerd (test/worker/accounts-repo.test.ts) and libSQL in Node
 * (test/node/accounts-repo.test.ts). Time is passed in as `now`, so expiry is tested without waiting.
 */
import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { LOGIN_FAILURE_RULE, login, loginLimitKeys, signup } from "../../worker/accounts/auth";
import { applyAsSeller, decideApplication } from "../../worker/accounts/sellers";
import { createSession, resolveSession, revokeSession } from "../../worker/accounts/sessions";
import { type Db, runBatch } from "../../worker/db/client";
import {
  auditLog,
  notifications,
  rateLimits,
  regions,
  regionVerifications,
  sellerApplications,
  sessions,
  users,
} from "../../worker/db/schema";
import { newId, sha256Hex } from "../../worker/lib/ids";
import { clearRateLimit, refundRateLimitHit, takeEachRateLimit } from "../../worker/lib/rateLimit";
import { latestVerification, requireCurrentVerification, verifyRegion } from "../../worker/regions/verification";

const PEPPER = "suite-pepper";
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 15, 3, 0, 0);
/** The sign-ups' client address (documentation range; a handful per run, well under the per-network limit). */
const IP = "192.0.2.10";

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof TRPCError) return e.code;
    throw e;
  }
  return "OK";
}

let seq = 0;
const email = (tag: string) => `${tag}-${++seq}-${Math.random().toString(36).slice(2, 8)}@example.com`;

async function plainUser(db: Db, role: "buyer" | "seller" | "admin" = "buyer") {
  const user = { id: newId(T0), email: email(role), passwordHash: "!", displayName: "이웃", role, createdAt: T0 };
  await db.insert(users).values(user);
  return user;
}

export function defineAccountsRepoSuite(driver: string, getDb: () => Promise<Db>) {
  describe(`accounts repository on ${driver}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await getDb();
    });

    describe("signup and login", () => {
      it("stores a PBKDF2 hash (never the password) and refuses a second account for the email", async () => {
        const address = email("signup");
        const user = await signup(
          db,
          PEPPER,
          { email: address, password: "password one", displayName: "하나" },
          IP,
          T0,
        );
        const row = await db.select().from(users).where(eq(users.id, user.id)).get();
        expect(row?.passwordHash).toMatch(/^pbkdf2-sha256\$100000\$[\w-]{22}\$[\w-]{43}$/);
        expect(row?.passwordHash).not.toContain("password one");
        expect(
          await codeOf(signup(db, PEPPER, { email: address, password: "password two", displayName: "둘" }, IP, T0)),
        ).toBe("CONFLICT");
      });

      it("lets exactly one of two racing signups for the same email through", async () => {
        const address = email("race");
        const args = { email: address, password: "password one", displayName: "경주" };
        const codes = await Promise.all([
          codeOf(signup(db, PEPPER, args, IP, T0)),
          codeOf(signup(db, PEPPER, args, IP, T0)),
        ]);
        expect(codes.sort()).toEqual(["CONFLICT", "OK"]);
        expect(await db.select().from(users).where(eq(users.email, address)).all()).toHaveLength(1);
      });

      it("counts a failed login per account and per IP; a success clears the account and refunds the IP", async () => {
        const address = email("login");
        await signup(db, PEPPER, { email: address, password: "right password", displayName: "로그인" }, IP, T0);
        const ip = `10.0.0.${++seq % 250}`;
        const keys = loginLimitKeys(address, ip);
        const count = async (key: string) =>
          (await db.select().from(rateLimits).where(eq(rateLimits.key, key)).get())?.count ?? 0;

        expect(await codeOf(login(db, PEPPER, address, "wrong password", ip, T0))).toBe("UNAUTHORIZED");
        expect(await codeOf(login(db, PEPPER, email("nobody"), "wrong password", ip, T0))).toBe("UNAUTHORIZED");
        expect(await count(keys.account)).toBe(1);
        expect(await count(keys.ip)).toBe(2);

        const user = await login(db, PEPPER, address, "right password", ip, T0 + 1000);
        expect(user.email).toBe(address);
        expect(await count(keys.account)).toBe(0);
        expect(await count(keys.ip)).toBe(2);
      });
    });

    describe("rate limit windows", () => {
      const rule = { limit: 3, windowMs: 60_000 };
      /** One hit on each key under `rule`. */
      const take = (keys: string[], now: number) =>
        takeEachRateLimit(
          db,
          keys.map((key) => ({ key, rule })),
          now,
        );

      it("allows `limit` hits per window, then refuses with the time left, then starts a new window", async () => {
        const key = `test:${newId()}`;
        for (let i = 1; i <= 3; i++) {
          expect(await take([key], T0 + i)).toEqual({ limited: false, retryAfterMs: 0 });
        }
        expect(await take([key], T0 + 10_000)).toEqual({ limited: true, retryAfterMs: 50_001 });
        expect((await take([key], T0 + 60_001)).limited).toBe(false);
        const row = await db.select().from(rateLimits).where(eq(rateLimits.key, key)).get();
        expect(row).toMatchObject({ count: 1, windowStart: T0 + 60_001 });
      });

      it("is limited when any key is over, reporting the longest wait", async () => {
        const busy = `test:${newId()}`;
        const idle = `test:${newId()}`;
        for (let i = 0; i < 3; i++) await take([busy], T0);
        expect(await take([idle, busy], T0 + 20_000)).toEqual({
          limited: true,
          retryAfterMs: 40_000,
        });
        // the idle key was counted in the same batch
        expect((await db.select().from(rateLimits).where(eq(rateLimits.key, idle)).get())?.count).toBe(1);
      });

      it("never refunds below zero and clears on request", async () => {
        const key = `test:${newId()}`;
        await take([key], T0);
        await refundRateLimitHit(db, key);
        await refundRateLimitHit(db, key);
        expect((await db.select().from(rateLimits).where(eq(rateLimits.key, key)).get())?.count).toBe(0);
        await clearRateLimit(db, key);
        expect(await db.select().from(rateLimits).where(eq(rateLimits.key, key)).get()).toBeUndefined();
      });

      it("uses the login rule of 10 failures per 15 minutes", () => {
        expect(LOGIN_FAILURE_RULE).toEqual({ limit: 10, windowMs: 15 * 60_000 });
      });
    });

    describe("sessions", () => {
      it("stores only the token's SHA-256 and resolves the user until expiry", async () => {
        const user = await plainUser(db);
        const { token, expiresAt } = await createSession(db, "test pepper", user.id, "bearer", 30, T0);
        expect(expiresAt).toBe(T0 + 30 * DAY);
        const row = await db
          .select()
          .from(sessions)
          .where(eq(sessions.tokenHash, await sha256Hex(token)))
          .get();
        expect(row?.userId).toBe(user.id);
        expect(JSON.stringify(await db.select().from(sessions).all())).not.toContain(token);
        expect((await resolveSession(db, token, T0 + 1))?.user.id).toBe(user.id);
        expect((await resolveSession(db, token, expiresAt - 1))?.user.id).toBe(user.id);
        expect(await resolveSession(db, token, expiresAt)).toBeNull();
      });

      it("stops resolving a revoked token and ignores junk tokens", async () => {
        const user = await plainUser(db);
        const { token } = await createSession(db, "test pepper", user.id, "cookie", 30, T0);
        await revokeSession(db, token, T0 + 5);
        expect(await resolveSession(db, token, T0 + 6)).toBeNull();
        expect(await resolveSession(db, "short", T0)).toBeNull();
        expect(await resolveSession(db, "x".repeat(43), T0)).toBeNull();
      });
    });

    describe("seller decisions", () => {
      async function pending() {
        const buyer = await plainUser(db);
        const application = await applyAsSeller(
          db,
          buyer,
          { businessName: "공구상회", businessNumber: "1234567890" },
          T0,
        );
        return { buyer, application };
      }
      const auditFor = (applicationId: string) =>
        db
          .select()
          .from(auditLog)
          .all()
          .then((rows) =>
            rows.filter((r) => (r.detail as { applicationId?: string })?.applicationId === applicationId),
          );

      it("approves once: role, audit row and the applicant's notification land together", async () => {
        const admin = await plainUser(db, "admin");
        const { buyer, application } = await pending();
        await decideApplication(db, admin.id, application.id, "approved", undefined, T0 + 1);
        expect((await db.select().from(users).where(eq(users.id, buyer.id)).get())?.role).toBe("seller");
        expect(await auditFor(application.id)).toMatchObject([{ actorId: admin.id, action: "seller.approved" }]);
        expect(await db.select().from(notifications).where(eq(notifications.userId, buyer.id)).all()).toMatchObject([
          { kind: "seller.approved" },
        ]);
        expect(await codeOf(decideApplication(db, admin.id, application.id, "rejected", "늦은 거절", T0 + 2))).toBe(
          "PRECONDITION_FAILED",
        );
      });

      it("lets exactly one of two racing decisions take effect", async () => {
        const [a, b] = [await plainUser(db, "admin"), await plainUser(db, "admin")];
        const { buyer, application } = await pending();
        const codes = await Promise.all([
          codeOf(decideApplication(db, a.id, application.id, "approved", undefined, T0 + 1)),
          codeOf(decideApplication(db, b.id, application.id, "rejected", "서류 미비", T0 + 1)),
        ]);
        expect(codes.filter((c) => c === "OK")).toHaveLength(1);
        expect(codes.filter((c) => c === "PRECONDITION_FAILED")).toHaveLength(1);
        const won = codes[0] === "OK" ? "approved" : "rejected";
        const app = await db.select().from(sellerApplications).where(eq(sellerApplications.id, application.id)).get();
        expect(app?.status).toBe(won);
        expect(await auditFor(application.id)).toMatchObject([{ action: `seller.${won}` }]);
        const role = (await db.select().from(users).where(eq(users.id, buyer.id)).get())?.role;
        expect(role).toBe(won === "approved" ? "seller" : "buyer");
      });

      it("writes nothing when one statement of the batch fails (atomic batch)", async () => {
        const { buyer, application } = await pending();
        // An admin id that does not exist: the audit row's foreign key fails inside the batch.
        const ghost = newId(T0);
        await expect(decideApplication(db, ghost, application.id, "approved", undefined, T0 + 1)).rejects.toThrow();
        const app = await db.select().from(sellerApplications).where(eq(sellerApplications.id, application.id)).get();
        expect(app?.status).toBe("pending");
        expect((await db.select().from(users).where(eq(users.id, buyer.id)).get())?.role).toBe("buyer");
        expect(await auditFor(application.id)).toEqual([]);
        expect(await db.select().from(notifications).where(eq(notifications.userId, buyer.id)).all()).toEqual([]);
      });

      it("rolls back earlier statements of a batch when a later one fails", async () => {
        const user = await plainUser(db);
        const duplicate = { ...user, email: email("dup") };
        const renamed = db.update(users).set({ displayName: "바뀐이름" }).where(eq(users.id, user.id));
        await expect(runBatch(db, [renamed, db.insert(users).values(duplicate)])).rejects.toThrow();
        expect((await db.select().from(users).where(eq(users.id, user.id)).get())?.displayName).toBe("이웃");
      });

      it("refuses a second pending application, also when two race", async () => {
        const buyer = await plainUser(db);
        const args = { businessName: "동네상점", businessNumber: "1112233333" };
        const codes = await Promise.all([
          codeOf(applyAsSeller(db, buyer, args, T0)),
          codeOf(applyAsSeller(db, buyer, args, T0)),
        ]);
        expect(codes.sort()).toEqual(["CONFLICT", "OK"]);
        const rows = await db
          .select()
          .from(sellerApplications)
          .where(and(eq(sellerApplications.userId, buyer.id), eq(sellerApplications.status, "pending")))
          .all();
        expect(rows).toHaveLength(1);
      });
    });

    describe("region verification", () => {
      const here = { id: `r-${newId().toLowerCase()}`, lat: 36.3504, lng: 127.3845, radiusM: 1000 };
      const other = { id: `r-${newId().toLowerCase()}`, lat: 36.36, lng: 127.35, radiusM: 1000 };
      beforeAll(async () => {
        for (const r of [here, other]) {
          await db.insert(regions).values({ ...r, name: "둔산동", nameEn: "Dunsan-dong", city: "대전광역시" });
        }
      });

      it("verifies inside the radius, refuses outside it, and says how far off the user is", async () => {
        const user = await plainUser(db);
        const ok = await verifyRegion(db, user.id, here.id, here.lat + 0.005, here.lng, T0);
        expect(ok.verification.distanceM).toBe(556); // 0.005° of latitude
        expect(ok.verification.expiresAt).toBe(T0 + 30 * DAY);
        expect((await db.select().from(users).where(eq(users.id, user.id)).get())?.homeRegionId).toBe(here.id);

        const before = await db.select().from(regionVerifications).where(eq(regionVerifications.userId, user.id)).all();
        expect(await codeOf(verifyRegion(db, user.id, here.id, here.lat + 0.02, here.lng, T0))).toBe(
          "PRECONDITION_FAILED",
        );
        const after = await db.select().from(regionVerifications).where(eq(regionVerifications.userId, user.id)).all();
        expect(after).toHaveLength(before.length);
        expect(await codeOf(verifyRegion(db, user.id, "no-such-region", here.lat, here.lng, T0))).toBe("NOT_FOUND");
      });

      it("expires after 30 days and is renewed by verifying again", async () => {
        const user = await plainUser(db);
        await verifyRegion(db, user.id, here.id, here.lat, here.lng, T0);
        expect(await requireCurrentVerification(db, user.id, here.id, T0 + 30 * DAY - 1)).toBe(here.id);
        expect(await codeOf(requireCurrentVerification(db, user.id, here.id, T0 + 30 * DAY))).toBe(
          "PRECONDITION_FAILED",
        );
        await verifyRegion(db, user.id, here.id, here.lat, here.lng, T0 + 31 * DAY);
        expect(await requireCurrentVerification(db, user.id, here.id, T0 + 31 * DAY)).toBe(here.id);
        expect((await latestVerification(db, user.id, here.id))?.verifiedAt).toBe(T0 + 31 * DAY);
      });

      it("acts only in the home region: verifying elsewhere moves the user", async () => {
        const user = await plainUser(db);
        expect(await codeOf(requireCurrentVerification(db, user.id, here.id, T0))).toBe("PRECONDITION_FAILED");
        await verifyRegion(db, user.id, here.id, here.lat, here.lng, T0);
        await verifyRegion(db, user.id, other.id, other.lat, other.lng, T0 + 1);
        expect(await requireCurrentVerification(db, user.id, other.id, T0 + 2)).toBe(other.id);
        expect(await codeOf(requireCurrentVerification(db, user.id, here.id, T0 + 2))).toBe("PRECONDITION_FAILED");
      });
    });

    it("enforces foreign keys like D1 does", async () => {
      await expect(
        db.insert(sessions).values({
          tokenHash: await sha256Hex(newId()),
          userId: newId(),
          kind: "bearer",
          createdAt: T0,
          expiresAt: T0 + DAY,
        }),
      ).rejects.toThrow();
    });
  });
}
